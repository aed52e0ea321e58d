package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The table of vector-Jacobian products: for a node {@code n = op(inputs)} and its cotangent
 * {@code ct}, the cotangent contribution to each input (null where it is zero). Every rule is
 * written with primitives that have rules here, which is what lets the third pass apply
 * {@link Reverse} to the backward graph.
 */
final class Vjp {
  private final Graph g;
  private final Ops o;
  private final boolean trueRules;

  Vjp(Graph g, boolean trueRules) {
    this.g = g;
    this.o = new Ops(g);
    this.trueRules = trueRules;
  }

  List<Integer> rule(Node n, int ct) {
    int id = n.id();
    List<Integer> in = n.inputs();
    int a = in.isEmpty() ? -1 : in.get(0);
    int b = in.size() < 2 ? -1 : in.get(1);
    switch (n.op()) {
      case ADD: return two(o.sumTo(ct, g.shape(a)), o.sumTo(ct, g.shape(b)));
      case SUB: return two(o.sumTo(ct, g.shape(a)), o.sumTo(o.neg(ct), g.shape(b)));
      case MUL: return two(o.sumTo(o.mul(ct, b), g.shape(a)), o.sumTo(o.mul(ct, a), g.shape(b)));
      case DIV: return two(o.sumTo(o.div(ct, b), g.shape(a)),
          o.sumTo(o.neg(o.div(o.mul(ct, id), b)), g.shape(b)));
      case POW: return two(
          o.sumTo(o.mul(ct, o.mul(b, g.add(Op.POW, a, o.sub(b, o.c(1))))), g.shape(a)),
          o.sumTo(o.mul(ct, o.mul(id, o.unary(Op.LOG, a))), g.shape(b)));
      case NEG: return one(o.neg(ct));
      case EXP: return one(o.mul(ct, id));
      case LOG: return one(o.div(ct, a));
      case SQRT: return one(o.div(o.mul(ct, o.c(0.5)), id));
      case SIGMOID: return one(g.add(Op.SIGMOID_BP, a, ct));
      case TANH: return one(g.add(Op.TANH_BP, a, ct));
      case RELU: return one(g.add(Op.RELU_BP, a, ct));
      case LEAKY_RELU: return one(o.leakyReluBp(a, ct, n.attrs().value()));
      case SIGMOID_BP: return two(
          // d/dz [g s(1-s)] = g s(1-s)(1-2s)
          o.mul(g.add(Op.SIGMOID_BP, a, o.mul(ct, b)), o.sub(o.c(1), o.mul(o.c(2), o.unary(Op.SIGMOID, a)))),
          g.add(Op.SIGMOID_BP, a, ct));
      case TANH_BP: return two(
          // d/dz [g (1-t^2)] = g (1-t^2)(-2t)
          o.mul(g.add(Op.TANH_BP, a, o.mul(ct, b)), o.mul(o.c(-2), o.unary(Op.TANH, a))),
          g.add(Op.TANH_BP, a, ct));
      case RELU_BP: return two(null, g.add(Op.RELU_BP, a, ct));
      case LEAKY_RELU_BP: return two(null, o.leakyReluBp(a, ct, n.attrs().value()));
      case CLAMP: return clamp(n, ct);
      case WHERE: {
        Shape s = g.shape(ct);
        int zero = o.broadcast(o.c(0), s);
        return Arrays.asList(null,
            o.sumTo(g.add(Op.WHERE, in.get(0), ct, zero), g.shape(in.get(1))),
            o.sumTo(g.add(Op.WHERE, in.get(0), zero, ct), g.shape(in.get(2))));
      }
      case MATMUL: return matmul(n, ct);
      case BIAS_ADD: {
        int rank = g.shape(ct).rank();
        return two(ct, o.sum(ct, Ops.allAxes(rank - 1), false));
      }
      case TRANSPOSE: {
        List<Integer> perm = n.attrs().ints();
        Integer[] inv = new Integer[perm.size()];
        for (int i = 0; i < perm.size(); i++) {
          inv[perm.get(i)] = i;
        }
        return one(o.transpose(ct, List.of(inv)));
      }
      case RESHAPE: return one(o.reshape(ct, g.shape(a)));
      case BROADCAST: return one(o.sumTo(ct, g.shape(a)));
      case SUM: return one(unreduce(n, ct));
      case MEAN: return one(o.div(unreduce(n, ct), o.size(a, n.attrs().ints())));
      case SOFTMAX: {
        int axis = n.attrs().ints().get(0);
        return one(o.mul(id, o.sub(ct, o.sum(o.mul(ct, id), List.of(Ops.axis(axis, n.shape().rank())), true))));
      }
      case LOG_SOFTMAX: {
        int axis = n.attrs().ints().get(0);
        int ax = Ops.axis(axis, n.shape().rank());
        return one(o.sub(ct, o.mul(o.softmax(a, axis), o.sum(ct, List.of(ax), true))));
      }
      case RULE:
        return ruleVjp(n, ct);
      case GT, GE, LT, LE, EQ, NE, STOP_GRADIENT, SIZE:
        return Arrays.asList(new Integer[in.size()]);
      case SIGN, ROUND:
        throw new NoDerivativeException(n);
      default:
        throw new IllegalStateException("no VJP rule for " + n.op());
    }
  }

  /**
   * A rule replaces the derivative of its forward body (input 0) for the inputs it overrides;
   * a layer rule's other inputs get the true gradient through the body. The body's own inputs
   * are blocked there, so nothing flows past them twice (the enclosing transform continues).
   */
  private List<Integer> ruleVjp(Node n, int ct) {
    if (trueRules) {
      // the true derivative: through the forward body (input 0), which reaches every input
      List<Integer> out = new ArrayList<>(Arrays.asList(new Integer[n.inputs().size()]));
      out.set(0, ct);
      return out;
    }
    List<Integer> out = new ArrayList<>(g.ruleVjp(n.id()).apply(ct));
    BitSet derived = g.ruleDerived(n.id());
    if (derived.isEmpty()) {
      return out;
    }
    List<Integer> leaves = new ArrayList<>();
    derived.stream().forEach(i -> leaves.add(n.input(i)));
    BitSet blocked = new BitSet();
    leaves.forEach(blocked::set);
    Map<Integer, Integer> d = Reverse.vjp(g, n.input(0), ct, leaves, blocked, "d", false);
    derived.stream().forEach(i -> out.set(i, d.get(n.input(i))));
    return out;
  }

  private List<Integer> matmul(Node n, int ct) {
    int a = n.input(0);
    int b = n.input(1);
    boolean ta = n.attrs().transA();
    boolean tb = n.attrs().transB();
    // C = op(A) op(B): dA = ct op(B)^T, or its transpose when A was transposed; same for B.
    int da = ta ? o.matmul(b, ct, tb, true) : o.matmul(ct, b, false, !tb);
    int db = tb ? o.matmul(ct, a, true, ta) : o.matmul(a, ct, !ta, false);
    return two(da, db);
  }

  private List<Integer> clamp(Node n, int ct) {
    int x = n.input(0);
    int lo = n.input(1);
    int hi = n.input(2);
    int inside = o.mul(g.add(Op.GE, x, lo), g.add(Op.LE, x, hi));
    return Arrays.asList(
        o.sumTo(o.mul(ct, inside), g.shape(x)),
        o.sumTo(o.mul(ct, g.add(Op.LT, x, lo)), g.shape(lo)),
        o.sumTo(o.mul(ct, g.add(Op.GT, x, hi)), g.shape(hi)));
  }

  /** Broadcasts a reduction's cotangent back over the reduced axes. */
  private int unreduce(Node n, int ct) {
    Shape xs = g.shape(n.input(0));
    int kept = ct;
    if (!n.attrs().keepDims()) {
      List<Integer> d = new ArrayList<>(xs.dims());
      for (int axis : n.attrs().ints()) {
        d.set(axis, 1);
      }
      kept = o.reshape(ct, new Shape(d));
    }
    return o.broadcast(kept, xs);
  }

  private static List<Integer> one(Integer a) {
    return Arrays.asList(a);
  }

  private static List<Integer> two(Integer a, Integer b) {
    return Arrays.asList(a, b);
  }
}
