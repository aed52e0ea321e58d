package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Phase;
import dev.bpnet.dsl.ir.Program;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/** The forward, backward and third-pass graphs as Graphviz, one cluster per pass. */
public final class GraphDot {
  private GraphDot() {}

  public static String of(TrainingGraph tg) {
    Program p = tg.program();
    Graph g = p.graph();
    BitSet needed = g.ancestors(tg.roots());
    StringBuilder b = new StringBuilder("digraph \"").append(p.name()).append("\" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
    String[] colors = {"#dbe9f6", "#fde2c8", "#d9f0d3"};
    List<Phase> phases = List.of(Phase.FORWARD, Phase.BACKWARD, Phase.THIRD);
    for (int k = 0; k < phases.size(); k++) {
      b.append("  subgraph cluster_").append(phases.get(k).name().toLowerCase(Locale.ROOT)).append(" {\n    label=\"")
          .append(k == 0 ? "pass 1: forward" : k == 1 ? "pass 2: backward" : "pass 3: third pass")
          .append("\"; style=filled; color=\"").append(colors[k]).append("\";\n");
      for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
        Node n = g.node(id);
        Phase ph = n.phase() == Phase.LOSS ? Phase.FORWARD : n.phase();
        if (ph == phases.get(k) && n.op() != Op.CONST) {
          b.append("    n").append(id).append(" [label=\"").append(escape(label(g, n))).append("\"")
              .append(n.op() == Op.PARAM ? ", shape=ellipse" : n.op() == Op.INPUT ? ", shape=invhouse" : "").append("];\n");
        }
      }
      b.append("  }\n");
    }
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      for (int in : g.node(id).inputs()) {
        if (g.node(in).op() != Op.CONST) {
          b.append("  n").append(in).append(" -> n").append(id).append(";\n");
        }
      }
    }
    return b.append("}\n").toString();
  }

  private static String label(Graph g, Node n) {
    String name = n.label() != null ? n.label() : n.attrs().name() != null ? n.attrs().name() : "%" + n.id();
    return name + "\n" + n.op().name().toLowerCase(Locale.ROOT) + " " + (g.isHost(n.id()) ? "host" : n.shape());
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
