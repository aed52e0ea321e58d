package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * Algebraic folds applied as nodes are made: constant folding, identities (x*1, x+0, a
 * reshape to the same shape), broadcasts absorbed by broadcasting consumers, and transposes
 * absorbed into matmul's flags so that no transpose is ever materialised.
 */
final class Simplifier {
  private final Graph g;

  Simplifier(Graph g) {
    this.g = g;
  }

  /** A node equal to {@code op(inputs)}, or null to build it as written. */
  Integer simplify(Op op, List<Integer> in, Attrs a) {
    if (op.isElementwiseBinary() && in.size() == 2) {
      return binary(op, in.get(0), in.get(1));
    }
    if (op.isElementwiseUnary() && isHostBroadcast(g.node(in.get(0)))) {
      // f(broadcast(s)) = broadcast(f(s)) for a host scalar s
      Node x = g.node(in.get(0));
      int inner = g.add(op, List.of(x.input(0)), a);
      return g.add(Op.BROADCAST, List.of(inner), x.attrs());
    }
    switch (op) {
      case NEG: {
        Node x = g.node(in.get(0));
        if (x.op() == Op.CONST) {
          return g.constant(-x.attrs().value());
        }
        return x.op() == Op.NEG ? x.input(0) : null;
      }
      case RESHAPE, BROADCAST: {
        Node x = g.node(in.get(0));
        Shape target = new Shape(a.ints());
        if (x.shape().equals(target)) {
          return x.id();
        }
        if (g.isHost(x.id())) {
          return op == Op.BROADCAST ? null : g.add(Op.BROADCAST, in, a);
        }
        if (x.op() == op || (x.op() == Op.BROADCAST && g.isHost(x.input(0)))) {
          return g.add(x.op(), List.of(x.input(0)), a);
        }
        return null;
      }
      case SOFTMAX: {
        // exp(log_softmax(x)) reuses the loss's log-softmax: one cheap op instead of a softmax
        Integer logSoftmax = g.existing(Op.LOG_SOFTMAX, in, a);
        return logSoftmax == null ? null : g.add(Op.EXP, logSoftmax);
      }
      case MATMUL: {
        Node x = g.node(in.get(0));
        Node y = g.node(in.get(1));
        if (isTranspose2d(x) || isTranspose2d(y)) {
          boolean ta = a.transA() ^ isTranspose2d(x);
          boolean tb = a.transB() ^ isTranspose2d(y);
          return g.add(Op.MATMUL, List.of(unwrap(x), unwrap(y)), Attrs.matmul(ta, tb));
        }
        return null;
      }
      default:
        return null;
    }
  }

  private Integer binary(Op op, int a, int b) {
    Node x = g.node(a);
    Node y = g.node(b);
    if (x.op() == Op.CONST && y.op() == Op.CONST && !op.isComparison()) {
      return g.constant(fold(op, x.attrs().value(), y.attrs().value()));
    }
    Shape out = Shape.broadcast(x.shape(), y.shape());
    // broadcast(s) op t, with s and t host scalars, is broadcast(s op t)
    if (isHostBroadcast(x) && g.isHost(b)) {
      return g.add(Op.BROADCAST, List.of(g.add(op, x.input(0), b)), x.attrs());
    }
    if (isHostBroadcast(y) && g.isHost(a)) {
      return g.add(Op.BROADCAST, List.of(g.add(op, a, y.input(0))), y.attrs());
    }
    if (op == Op.ADD && a == b && !g.isHost(a)) {
      return g.add(Op.MUL, a, g.constant(2));
    }
    // (t * s1) * s2 = t * (s1 * s2) for host scalars s1, s2
    if (op == Op.MUL && g.isHost(b) && !g.isHost(a) && x.op() == Op.MUL && g.isHost(x.input(1))) {
      return g.add(Op.MUL, x.input(0), g.add(Op.MUL, x.input(1), b));
    }
    if (op == Op.MUL && g.isHost(a) && !g.isHost(b)) {
      return g.add(Op.MUL, b, a);
    }
    if (op == Op.MUL && isConst(y, 1) && x.shape().equals(out)) {
      return a;
    }
    if (op == Op.MUL && isConst(x, 1) && y.shape().equals(out)) {
      return b;
    }
    if ((op == Op.ADD || op == Op.SUB) && isConst(y, 0) && x.shape().equals(out)) {
      return a;
    }
    if (op == Op.ADD && isConst(x, 0) && y.shape().equals(out)) {
      return b;
    }
    if (op == Op.DIV && isConst(y, 1) && x.shape().equals(out)) {
      return a;
    }
    // A broadcast feeding a broadcasting op is redundant when the result keeps its shape.
    if (out != null && x.op() == Op.BROADCAST && out.equals(Shape.broadcast(g.shape(x.input(0)), y.shape()))) {
      return g.add(op, x.input(0), b);
    }
    if (out != null && y.op() == Op.BROADCAST && out.equals(Shape.broadcast(x.shape(), g.shape(y.input(0))))) {
      return g.add(op, a, y.input(0));
    }
    return null;
  }

  private static double fold(Op op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> Math.pow(x, y);
      default -> throw new IllegalArgumentException(op.name());
    };
  }

  private boolean isHostBroadcast(Node n) {
    return n.op() == Op.BROADCAST && g.isHost(n.input(0));
  }

  private static boolean isConst(Node n, double v) {
    return n.op() == Op.CONST && n.attrs().value() == v;
  }

  private static boolean isTranspose2d(Node n) {
    return n.op() == Op.TRANSPOSE && n.shape().rank() == 2;
  }

  private static int unwrap(Node n) {
    return isTranspose2d(n) ? n.input(0) : n.id();
  }
}
