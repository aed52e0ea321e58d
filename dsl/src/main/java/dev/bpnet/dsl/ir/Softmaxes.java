package dev.bpnet.dsl.ir;

import java.util.List;

/** Softmax and log-softmax along an axis. */
public final class Softmaxes {
  private Softmaxes() {}

  public record Softmax(int axis) implements Primitive {
    public String name() {
      return "softmax";
    }

    public void export(Export x, Node n) {
      x.same(n, "Softmax", java.util.Map.of("axis", (long) axis));
    }

    public Shape shape(List<Shape> in) {
      return in.get(0);
    }

    /** d = s (ct - sum(ct s, axis)). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int s = n.id();
      return List.of(o.mul(s, o.sub(ct, o.sum(o.mul(ct, s), List.of(Shape.axis(axis, n.shape().rank())), true))));
    }

    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.custom", "SoftMax"), "$N, $N, $L", e.tensor(n.input(0)), e.out(), axis);
    }

    public String math(List<String> a) {
      return "softmax(" + a.get(0) + ")";
    }

    public String attributes() {
      return "axes [" + axis + "]";
    }

    /** exp(log_softmax(x)) reuses the loss's log-softmax: one cheap op instead of a softmax. */
    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Integer logSoftmax = g.existing(new LogSoftmax(axis), in);
      return logSoftmax == null ? null : g.add(new Activations.Exp(), logSoftmax);
    }
  }

  /** log softmax along the last axis (ND4J's op has no other). */
  public record LogSoftmax(int axis) implements Primitive {
    public String name() {
      return "log_softmax";
    }

    public void export(Export x, Node n) {
      x.same(n, "LogSoftmax", java.util.Map.of("axis", (long) axis));
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      if (x.rank() == 0 || Shape.axis(axis, x.rank()) != x.rank() - 1) {
        throw shapeError("log_softmax works on the last axis of a tensor, got axis " + axis + " of " + x);
      }
      return x;
    }

    /** d = ct - softmax(x) sum(ct, axis). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int ax = Shape.axis(axis, n.shape().rank());
      return List.of(o.sub(ct, o.mul(o.softmax(n.input(0), axis), o.sum(ct, List.of(ax), true))));
    }

    /** ND4J's op, then the rows it underflowed to -infinity recomputed stably (Kernels.repairLogSoftmax). */
    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.custom", "LogSoftMax"), "$N, $N", e.tensor(n.input(0)), e.out());
      e.step("$T.repairLogSoftmax($N, $N)", Emission.KERNELS, e.tensor(n.input(0)), e.out());
    }

    public String math(List<String> a) {
      return "log_softmax(" + a.get(0) + ")";
    }

    public String attributes() {
      return "axes [" + axis + "]";
    }
  }

  /** The walk test's applications. */
  static List<Primitives.Sample> samples(int rank) {
    Primitives.Operand x = Primitives.Operand.of(Primitives.batch(rank));
    return List.of(Primitives.Sample.of(new Softmax(-1), x), Primitives.Sample.of(new Softmax(1), x),
        Primitives.Sample.of(new LogSoftmax(-1), x));
  }
}
