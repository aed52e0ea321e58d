package dev.bpnet.dsl.codegen;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ad.Phase;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which nodes the trainer computes, and in which generated method: only ancestors of the
 * losses and gradients are kept (dead code never reaches the output), and forward values
 * that {@code predict} needs are separated from those that need labels.
 */
final class Layout {
  final List<Node> forward = new ArrayList<>();
  final List<Node> loss = new ArrayList<>();
  final List<Node> backward = new ArrayList<>();
  final List<Node> third = new ArrayList<>();
  /** Every tensor node that owns a buffer or view, in allocation (id) order. */
  final List<Node> tensors = new ArrayList<>();

  Layout(TrainingGraph tg) {
    Program p = tg.program();
    Graph g = tg.graph();
    Phase[] phases = tg.phases();
    BitSet needed = g.ancestors(tg.roots());
    // every input and label gets its buffer, used or not: feeds copy into all of them
    p.inputs().forEach(l -> needed.set(l.node()));
    p.labels().forEach(l -> needed.set(l.node()));
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Node n = g.node(id);
      if (g.isHost(id) || n.op() instanceof Leaves.Param) {
        continue;
      }
      tensors.add(n);
      if (n.op() instanceof Leaves.Input) {
        continue;
      }
      switch (phases[id]) {
        case FORWARD -> forward.add(n);
        case LOSS -> loss.add(n);
        case BACKWARD -> backward.add(n);
        case THIRD -> third.add(n);
      }
    }
  }
}
