package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.List;

/** Convenience constructors over a {@link Graph}, used by the lowering and the VJP rules. */
public final class Ops {
  private final Graph g;

  public Ops(Graph g) {
    this.g = g;
  }

  public Graph graph() {
    return g;
  }

  public int c(double v) {
    return g.constant(v);
  }

  public int add(int a, int b) {
    return g.add(Op.ADD, a, b);
  }

  public int sub(int a, int b) {
    return g.add(Op.SUB, a, b);
  }

  public int mul(int a, int b) {
    return g.add(Op.MUL, a, b);
  }

  public int div(int a, int b) {
    return g.add(Op.DIV, a, b);
  }

  public int neg(int a) {
    return g.add(Op.NEG, a);
  }

  public int unary(Op op, int a) {
    return g.add(op, a);
  }

  public int leakyRelu(int a, double slope) {
    return g.add(Op.LEAKY_RELU, List.of(a), Attrs.value(slope));
  }

  public int leakyReluBp(int z, int grad, double slope) {
    return g.add(Op.LEAKY_RELU_BP, List.of(z, grad), Attrs.value(slope));
  }

  public int matmul(int a, int b, boolean ta, boolean tb) {
    return g.add(Op.MATMUL, List.of(a, b), Attrs.matmul(ta, tb));
  }

  public int sum(int x, List<Integer> axes, boolean keep) {
    return g.add(Op.SUM, List.of(x), Attrs.axes(axes, keep));
  }

  public int mean(int x, List<Integer> axes, boolean keep) {
    return g.add(Op.MEAN, List.of(x), Attrs.axes(axes, keep));
  }

  /** Sum over all axes to a scalar. */
  public int sumAll(int x) {
    return sum(x, allAxes(g.shape(x).rank()), false);
  }

  /** The runtime product of {@code x}'s dimensions over {@code axes}, as a host scalar. */
  public int size(int x, List<Integer> axes) {
    return g.add(Op.SIZE, List.of(x), Attrs.ints(axes));
  }

  public int reshape(int x, Shape s) {
    return g.add(Op.RESHAPE, List.of(x), Attrs.ints(s.dims()));
  }

  public int broadcast(int x, Shape s) {
    return g.add(Op.BROADCAST, List.of(x), Attrs.ints(s.dims()));
  }

  public int softmax(int x, int axis) {
    return g.add(Op.SOFTMAX, List.of(x), Attrs.ints(List.of(axis)));
  }

  public int logSoftmax(int x, int axis) {
    return g.add(Op.LOG_SOFTMAX, List.of(x), Attrs.ints(List.of(axis)));
  }

  public int transpose(int x, List<Integer> perm) {
    return g.add(Op.TRANSPOSE, List.of(x), Attrs.ints(perm));
  }

  /** Sums {@code x} down to {@code target}, undoing numpy broadcasting (the VJP of a broadcast). */
  public int sumTo(int x, Shape target) {
    Shape s = g.shape(x);
    if (s.equals(target)) {
      return x;
    }
    int lead = s.rank() - target.rank();
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (i < lead || (target.dim(i - lead) == 1 && s.dim(i) != 1)) {
        axes.add(i);
      }
    }
    return reshape(sum(x, axes, false), target);
  }

  public static List<Integer> allAxes(int rank) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      l.add(i);
    }
    return l;
  }

  /** Normalises a possibly negative axis against a rank. */
  public static int axis(int axis, int rank) {
    return axis < 0 ? axis + rank : axis;
  }
}
