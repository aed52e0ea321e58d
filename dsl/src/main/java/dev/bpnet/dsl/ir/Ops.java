package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.List;

/** Constructors of primitive applications over a {@link GraphBuilder}: the lowering's and the VJPs' vocabulary. */
public final class Ops {
  private final GraphBuilder g;

  public Ops(GraphBuilder g) {
    this.g = g;
  }

  public GraphBuilder graph() {
    return g;
  }

  public Shape shape(int id) {
    return g.shape(id);
  }

  public int apply(Primitive p, int... inputs) {
    return g.add(p, inputs);
  }

  public int c(double v) {
    return g.constant(v);
  }

  public int add(int a, int b) {
    return g.add(new Arithmetic.Add(), a, b);
  }

  public int sub(int a, int b) {
    return g.add(new Arithmetic.Sub(), a, b);
  }

  public int mul(int a, int b) {
    return g.add(new Arithmetic.Mul(), a, b);
  }

  public int div(int a, int b) {
    return g.add(new Arithmetic.Div(), a, b);
  }

  public int pow(int a, int b) {
    return g.add(new Arithmetic.Pow(), a, b);
  }

  public int neg(int a) {
    return g.add(new Arithmetic.Neg(), a);
  }

  public int compare(Arithmetic.Cmp cmp, int a, int b) {
    return g.add(new Arithmetic.Compare(cmp), a, b);
  }

  public int where(int c, int a, int b) {
    return g.add(new Arithmetic.Where(), c, a, b);
  }

  public int clamp(int x, int lo, int hi) {
    return g.add(new Arithmetic.Clamp(), x, lo, hi);
  }

  public int exp(int a) {
    return g.add(new Activations.Exp(), a);
  }

  public int log(int a) {
    return g.add(new Activations.Log(), a);
  }

  public int sigmoid(int a) {
    return g.add(new Activations.Sigmoid(), a);
  }

  public int tanh(int a) {
    return g.add(new Activations.Tanh(), a);
  }

  public int relu(int a) {
    return g.add(new Activations.Relu(), a);
  }

  public int matmul(int a, int b, boolean ta, boolean tb) {
    return g.add(new LinearAlgebra.Matmul(ta, tb), a, b);
  }

  public int biasAdd(int x, int b, int axis) {
    return g.add(new LinearAlgebra.BiasAdd(axis), x, b);
  }

  public int sum(int x, List<Integer> axes, boolean keep) {
    return g.add(new Reductions.Sum(axes, keep), x);
  }

  public int mean(int x, List<Integer> axes, boolean keep) {
    return g.add(new Reductions.Mean(axes, keep), x);
  }

  /** Sum over all axes to a scalar. */
  public int sumAll(int x) {
    return sum(x, Shape.allAxes(g.shape(x).rank()), false);
  }

  /** The run-time product of {@code x}'s dimensions over {@code axes}, as a host scalar. */
  public int size(int x, List<Integer> axes) {
    return g.add(Leaves.Size.of(g.shape(x), axes), x);
  }

  public int reshape(int x, Shape s) {
    return g.add(new Layouts.Reshape(s), x);
  }

  public int broadcast(int x, Shape s) {
    return g.add(new Layouts.Broadcast(s), x);
  }

  public int transpose(int x, List<Integer> perm) {
    return g.add(new Layouts.Transpose(perm), x);
  }

  public int softmax(int x, int axis) {
    return g.add(new Softmaxes.Softmax(axis), x);
  }

  public int logSoftmax(int x, int axis) {
    return g.add(new Softmaxes.LogSoftmax(axis), x);
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
}
