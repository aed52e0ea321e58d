package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Attrs;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.RuleInfo;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.List;

/**
 * The papers' activation rules as built-ins, wrapping an activation call:
 * {@code straight_through(tanh(z))} (linear backprop, seed 002: the backward pass treats the
 * activation as the identity) and {@code difference(sigmoid(z))} (difference backprop, seed
 * 004: the secant slope (a' - a)/(z' - z) with a' = clip(a - lr da), z' = f^-1(a')).
 * They are the same RULE nodes a user activation makes, so they compose with the third pass.
 */
final class BuiltinRules {
  private final Scope s;
  private final Ops o;

  BuiltinRules(Scope s) {
    this.s = s;
    this.o = s.ops;
  }

  Integer wrap(Expr.Call c, int a) {
    Node act = s.graph.node(a);
    boolean difference = c.fn().equals("difference");
    List<Op> allowed = difference ? List.of(Op.SIGMOID, Op.TANH, Op.LEAKY_RELU)
        : List.of(Op.SIGMOID, Op.TANH, Op.RELU, Op.LEAKY_RELU, Op.EXP, Op.SQRT, Op.LOG);
    if (!allowed.contains(act.op())) {
      s.error(ErrorCode.E10, c.args().get(0).pos(), "1", c.fn(), "a call of "
          + (difference ? "sigmoid, tanh or leaky_relu" : "an activation such as relu or tanh"));
      return null;
    }
    int z = act.input(0);
    String name = c.fn() + "(" + act.op().name().toLowerCase(java.util.Locale.ROOT) + ")";
    int node = s.graph.add(Op.RULE, List.of(a, z), Attrs.named(name));
    s.graph.registerRule(node, new RuleInfo(name, false, c.pos()),
        ct -> java.util.Arrays.asList(null, difference ? secant(act, node, z, ct) : ct));
    return node;
  }

  /** dz = da (a' - a)/(z' - z), 0 where z' = z; the inner where keeps the untaken side finite. */
  private int secant(Node act, int a, int z, int da) {
    Shape shape = s.graph.shape(z);
    int lr = s.graph.leaf(Op.HYPER, "lr", Shape.SCALAR);
    int eps = s.graph.leaf(Op.HYPER, "eps", Shape.SCALAR);
    int target = o.sub(a, o.mul(lr, da));
    int a1;
    int z1;
    switch (act.op()) {
      case SIGMOID -> {
        a1 = s.graph.add(Op.CLAMP, target, eps, o.sub(o.c(1), eps));
        z1 = o.neg(o.unary(Op.LOG, o.sub(o.div(o.c(1), a1), o.c(1))));
      }
      case TANH -> {
        a1 = s.graph.add(Op.CLAMP, target, o.sub(eps, o.c(1)), o.sub(o.c(1), eps));
        z1 = o.mul(o.c(0.5), o.unary(Op.LOG, o.div(o.add(o.c(1), a1), o.sub(o.c(1), a1))));
      }
      default -> {
        a1 = target;
        double slope = act.attrs().value();
        z1 = s.graph.add(Op.WHERE, full(s.graph.add(Op.GT, a1, o.c(0)), shape), a1, o.div(a1, o.c(slope)));
      }
    }
    int same = full(s.graph.add(Op.EQ, z1, z), shape);
    int safe = s.graph.add(Op.WHERE, same, full(o.c(1), shape), o.sub(z1, z));
    return o.mul(da, s.graph.add(Op.WHERE, same, full(o.c(0), shape), o.div(o.sub(a1, a), safe)));
  }

  private int full(int x, Shape shape) {
    return s.graph.shape(x).equals(shape) ? x : o.broadcast(x, shape);
  }
}
