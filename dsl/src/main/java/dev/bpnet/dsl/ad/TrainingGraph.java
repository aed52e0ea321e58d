package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.RuleInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * A program with its passes, immutable: the graph extended with pass 2 and pass 3, the input
 * loss l_x (-1 without a third pass), and per parameter name the node of g2 = dL/dtheta and of
 * g3 = dl_x/dtheta. A parameter missing from {@code g3} has a third-pass gradient of zero
 * (biases in paper mode).
 */
public record TrainingGraph(Program program, Graph graph, int inputLoss, Map<String, Integer> g2,
    Map<String, Integer> g3, boolean paper) {
  public TrainingGraph {
    g2 = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(g2));
    g3 = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(g3));
  }

  public boolean hasThirdPass() {
    return inputLoss >= 0;
  }

  /** The values a trainer computes: loss, output, gradients and l_x; everything else is dead. */
  public List<Integer> roots() {
    List<Integer> roots = new ArrayList<>(List.of(program.loss(), program.output()));
    roots.addAll(g2.values());
    roots.addAll(g3.values());
    if (hasThirdPass()) {
      roots.add(inputLoss);
    }
    return roots;
  }

  /** The parameters whose g2 a learning rule replaced ({@link Program#ruleReplaced}). */
  public Map<String, RuleInfo> ruleReplaced() {
    return program.ruleReplaced();
  }

  /** The pass of every node the roots need (null for dead nodes), by node id. */
  public Phase[] phases() {
    Phase[] out = new Phase[graph.size()];
    mark(out, graph.ancestors(List.of(program.output())), Phase.FORWARD);
    mark(out, graph.ancestors(List.of(program.loss())), Phase.LOSS);
    mark(out, graph.ancestors(g2.values()), Phase.BACKWARD);
    List<Integer> third = new ArrayList<>(g3.values());
    if (hasThirdPass()) {
      third.add(inputLoss);
    }
    mark(out, graph.ancestors(third), Phase.THIRD);
    return out;
  }

  private static void mark(Phase[] out, BitSet ids, Phase p) {
    for (int id = ids.nextSetBit(0); id >= 0; id = ids.nextSetBit(id + 1)) {
      if (out[id] == null) {
        out[id] = p;
      }
    }
  }
}
