package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/** The forward, backward and third-pass graphs as Graphviz, one cluster per pass. */
public final class GraphDot {
  private GraphDot() {}

  public static String of(TrainingGraph tg) {
    Program p = tg.program();
    Graph g = tg.graph();
    BitSet needed = g.ancestors(tg.roots());
    BitSet labels = new BitSet();
    p.labels().forEach(l -> labels.set(l.node()));
    Phase[] phases = tg.phases();
    StringBuilder b = new StringBuilder("digraph \"").append(p.name()).append("\" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
    String[] colors = {"#dbe9f6", "#fde2c8", "#d9f0d3"};
    List<Phase> order = List.of(Phase.FORWARD, Phase.BACKWARD, Phase.THIRD);
    for (int k = 0; k < order.size(); k++) {
      b.append("  subgraph cluster_").append(order.get(k).name().toLowerCase(Locale.ROOT)).append(" {\n    label=\"")
          .append(k == 0 ? "pass 1: forward" : k == 1 ? "pass 2: backward" : "pass 3: third pass")
          .append("\"; style=filled; color=\"").append(colors[k]).append("\";\n");
      for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
        Node n = g.node(id);
        Phase ph = phases[id] == Phase.LOSS ? Phase.FORWARD : phases[id];
        if (ph == order.get(k) && !(n.op() instanceof Leaves.Const)) {
          b.append("    n").append(id).append(" [label=\"").append(escape(label(g, n, labels.get(id)))).append("\"")
              .append(n.op() instanceof Leaves.Param ? ", shape=ellipse" : n.op() instanceof Leaves.Input ? ", shape=invhouse" : "").append("];\n");
        }
      }
      b.append("  }\n");
    }
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      for (int in : g.node(id).inputs()) {
        if (!(g.node(in).op() instanceof Leaves.Const)) {
          b.append("  n").append(in).append(" -> n").append(id).append(";\n");
        }
      }
    }
    return b.append("}\n").toString();
  }

  /** A node's name, its op (a label leaf says "label": its primitive is the input's) and its shape. */
  private static String label(Graph g, Node n, boolean isLabel) {
    String name = n.displayName() != null ? n.displayName() : "%" + n.id();
    return name + "\n" + (isLabel ? "label" : n.op().name()) + " " + (g.isHost(n.id()) ? "host" : n.shape());
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
