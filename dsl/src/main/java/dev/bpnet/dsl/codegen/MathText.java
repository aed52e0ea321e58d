package dev.bpnet.dsl.codegen;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.HostScalar;
import dev.bpnet.dsl.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** The formula a node computes, in the model's own names, for the generated comments. */
final class MathText {
  private final Graph g;

  MathText(Graph g) {
    this.g = g;
  }

  String of(Node n) {
    return name(n.id()) + " = " + n.op().math(n.inputs().stream().map(this::name).toList());
  }

  String name(int id) {
    Node n = g.node(id);
    if (g.isHost(id)) {
      HostScalar h = (HostScalar) n.op();
      List<String> args = new ArrayList<>();
      if (h.readsValues()) {
        n.inputs().forEach(i -> args.add(name(i)));
      }
      return h.hostMath(args);
    }
    return n.displayName() != null ? n.displayName() : "v" + id;
  }
}
