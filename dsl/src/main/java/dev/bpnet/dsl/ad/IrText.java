package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The IR of a trained model as text, one node a line, grouped by pass: what {@code bpnet show
 * --ir} prints and what the golden IR dumps hold. Only nodes the outputs need are shown.
 *
 * <pre>
 *   %5 h.z = bias_add(%4 h.xW, %2 h.b)  [B, 512]  mnist.bpnet:8:12
 * </pre>
 */
public final class IrText {
  private IrText() {}

  public static String of(TrainingGraph tg) {
    Program p = tg.program();
    Graph g = tg.graph();
    StringBuilder b = new StringBuilder("model ").append(p.name()).append('\n');
    p.inputs().forEach(l -> b.append("  input ").append(l.name()).append(' ').append(l.shape()).append('\n'));
    p.labels().forEach(l -> b.append("  label ").append(l.name()).append(' ').append(l.shape()).append('\n'));
    for (Program.Param par : p.params()) {
      b.append(String.format(Locale.ROOT, "  param %s %s init %s gain %s%n", par.name(), par.shape(), par.init().word(), Shape.number(par.gain())));
    }
    b.append("  train ").append(p.train().describe()).append('\n');
    Phase[] phases = tg.phases();
    for (Phase ph : List.of(Phase.FORWARD, Phase.BACKWARD, Phase.THIRD)) {
      List<Node> nodes = new ArrayList<>();
      for (int id = 0; id < phases.length; id++) {
        Node n = g.node(id);
        Phase at = phases[id] == Phase.LOSS ? Phase.FORWARD : phases[id];
        if (at == ph && !(n.op() instanceof Leaves.Input) && !(n.op() instanceof Leaves.Param) && !(n.op() instanceof Leaves.Const)) {
          nodes.add(n);
        }
      }
      if (!nodes.isEmpty()) {
        b.append(ph.name().toLowerCase(Locale.ROOT)).append(":\n");
        nodes.forEach(n -> b.append("  ").append(line(g, n)).append('\n'));
      }
    }
    b.append("outputs:\n  loss = ").append(ref(g, p.loss())).append("\n  output = ").append(ref(g, p.output())).append('\n');
    if (tg.hasThirdPass()) {
      b.append("  l_x = ").append(ref(g, tg.inputLoss())).append('\n');
    }
    appendGrads(b, g, "g2", tg.g2());
    appendGrads(b, g, "g3", tg.g3());
    return b.toString();
  }

  /** An optimizer's rule: its hyperparameters, the rule's nodes in order and what it stores. */
  public static String of(dev.bpnet.dsl.ir.UpdateRule r) {
    Graph g = r.graph();
    StringBuilder b = new StringBuilder("optimizer ").append(r.name()).append('\n');
    r.hypers().forEach((k, v) -> b.append("  hyper ").append(k).append(" = ").append(Shape.number(v)).append('\n'));
    r.states().forEach(s -> b.append("  state ").append(s.name()).append(" = ").append(ref(g, s.init())).append('\n'));
    b.append("update:\n");
    List<Integer> roots = new ArrayList<>();
    r.states().forEach(s -> roots.add(s.next()));
    roots.add(r.next());
    if (r.ownRate() >= 0) {
      roots.add(r.ownRate());
    }
    java.util.BitSet needed = g.ancestors(roots);
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Node n = g.node(id);
      if (!(n.op() instanceof Leaves.Const) && !n.inputs().isEmpty()) {
        b.append("  ").append(line(g, n)).append('\n');
      }
    }
    b.append("outputs:\n");
    if (r.ownRate() >= 0) {
      b.append("  rate = ").append(ref(g, r.ownRate())).append('\n');
    }
    r.states().forEach(s -> b.append("  ").append(s.name()).append(" = ").append(ref(g, s.next())).append('\n'));
    b.append("  theta = ").append(ref(g, r.next())).append('\n');
    return b.toString();
  }

  private static void appendGrads(StringBuilder b, Graph g, String what, Map<String, Integer> grads) {
    grads.forEach((k, v) -> b.append("  ").append(what).append('[').append(k).append("] = ").append(ref(g, v)).append('\n'));
  }

  static String line(Graph g, Node n) {
    String args = n.inputs().stream().map(i -> ref(g, i)).collect(Collectors.joining(", "));
    String attrs = n.op().attributes();
    return String.format(Locale.ROOT, "%s = %s(%s%s)  %s  %s", ref(g, n.id()), n.op().name(),
        args, attrs.isEmpty() ? "" : "; " + attrs, g.isHost(n.id()) ? "host" : n.shape(), n.pos());
  }

  static String ref(Graph g, int id) {
    Node n = g.node(id);
    if (n.op() instanceof Leaves.Const c) {
      return Shape.number(c.value());
    }
    String name = n.op() instanceof Leaves.RuleScalar s ? s.var() : n.op() instanceof Leaves.RuleElement e ? e.var()
        : n.displayName();
    return "%" + id + (name == null ? "" : " " + name);
  }

}
