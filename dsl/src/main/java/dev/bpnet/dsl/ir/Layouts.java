package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Layout: transposes, reshapes and broadcasts. A reshape is a view; the others copy. */
public final class Layouts {
  private Layouts() {}

  /** Permutes the axes; copied into its own buffer from a permuted view each step. */
  public record Transpose(List<Integer> perm) implements Primitive {
    public Transpose {
      perm = List.copyOf(perm);
    }

    public String name() {
      return "transpose";
    }

    public void export(Export x, Node n) {
      x.same(n, "Transpose", java.util.Map.of("perm", perm.stream().mapToLong(Integer::longValue).toArray()));
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      if (perm.size() != x.rank() || !perm.stream().sorted().toList().equals(Shape.allAxes(x.rank()))) {
        throw shapeError("permutation " + perm + " does not fit " + x);
      }
      List<Integer> d = new ArrayList<>();
      for (int p : perm) {
        d.add(x.dims().get(p));
      }
      return new Shape(d);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Integer[] inv = new Integer[perm.size()];
      for (int i = 0; i < perm.size(); i++) {
        inv[perm.get(i)] = i;
      }
      return List.of(d.ops().transpose(ct, List.of(inv)));
    }

    public void emit(Emission e, Node n) {
      String f = e.helper("Source", "Permuted view of the input, copied each step.");
      e.alloc("$N = $N.permute($L)", f, e.name(n.input(0)), perm.stream().map(String::valueOf).collect(Collectors.joining(", ")));
      e.step("$N.assign($N)", e.out(), f);
    }

    public String math(List<String> a) {
      return a.get(0) + " permuted " + perm;
    }

    public String attributes() {
      return "axes " + perm;
    }
  }

  /**
   * The same elements in another shape: a view made at allocation. The batch axis stays first
   * and whole: a reshape moves elements only within each example.
   */
  public record Reshape(Shape target) implements Primitive {
    public String name() {
      return "reshape";
    }

    public void export(Export x, Node n) {
      x.node("Reshape", List.of(x.in(n, 0), x.shapeOf(target)), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      boolean batchFirst = (x.batchDims() == 0 || x.dim(0) == Shape.BATCH) && (target.batchDims() == 0 || target.dim(0) == Shape.BATCH);
      if (x.staticSize() != target.staticSize() || x.batchDims() != target.batchDims() || !batchFirst) {
        throw shapeError("cannot reshape " + x + " to " + target);
      }
      return target;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return List.of(o.reshape(ct, o.shape(n.input(0))));
    }

    public void emit(Emission e, Node n) {
      // a view of its input (see view)
    }

    public String view(Emission e, Node n) {
      return e.name(n.input(0)) + ".reshape('c', new long[] {" + Emission.dims(target) + "})";
    }

    public String math(List<String> a) {
      return "reshape(" + a.get(0) + ", " + target + ")";
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Node x = g.node(in.get(0));
      if (x.shape().equals(target)) {
        return x.id();
      }
      if (g.isHost(x.id())) {
        return g.add(new Broadcast(target), in);
      }
      if (x.op() instanceof Reshape || g.isHostBroadcast(x.id())) {
        return g.add(x.op() instanceof Reshape ? this : new Broadcast(target), x.input(0));
      }
      return null;
    }
  }

  /** Numpy broadcasting to {@code target}; a host scalar is filled in, a tensor expanded. */
  public record Broadcast(Shape target) implements Primitive {
    public String name() {
      return "broadcast";
    }

    public void export(Export x, Node n) {
      x.node("Expand", List.of(x.in(n, 0), x.shapeOf(target)), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      if (!target.equals(Shape.broadcast(in.get(0), target))) {
        throw shapeError("cannot broadcast " + in.get(0) + " to " + target);
      }
      return target;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return List.of(o.sumTo(ct, o.shape(n.input(0))));
    }

    public void emit(Emission e, Node n) {
      int x = n.input(0);
      if (e.isHost(x)) {
        // a host scalar is the same for every step of a batch size: filled once, at allocation
        e.alloc("$N.assign($L)", e.out(), e.host(x));
      } else {
        e.step("$T.broadcast($N, $N)", Emission.KERNELS, e.name(x), e.out());
      }
    }

    public String math(List<String> a) {
      return "broadcast(" + a.get(0) + ", " + target + ")";
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Node x = g.node(in.get(0));
      if (x.shape().equals(target)) {
        return x.id();
      }
      if (g.isHost(x.id())) {
        return null;
      }
      if (x.op() instanceof Broadcast) {
        return g.add(this, x.input(0));
      }
      return null;
    }
  }

  /** The walk test's applications. */
  static List<Primitives.Sample> samples(int rank) {
    int b = Shape.BATCH;
    if (rank == 2) {
      return List.of(Primitives.Sample.of(new Transpose(List.of(1, 0)), Primitives.Operand.of(Shape.of(3, 4))),
          Primitives.Sample.of(new Reshape(Shape.of(b, 2, 3)), Primitives.Operand.of(Shape.of(b, 6))),
          Primitives.Sample.of(new Broadcast(Shape.of(b, 3)), Primitives.Operand.of(Shape.of(b, 1))),
          Primitives.Sample.of(new Broadcast(Shape.of(b, 3)), Primitives.Operand.of(Shape.of(3))));
    }
    return List.of(Primitives.Sample.of(new Transpose(List.of(0, 2, 1, 3)), Primitives.Operand.of(Shape.of(b, 2, 3, 2))),
        Primitives.Sample.of(new Reshape(Shape.of(b, 12)), Primitives.Operand.of(Shape.of(b, 2, 3, 2))),
        Primitives.Sample.of(new Broadcast(Shape.of(b, 2, 3, 2)), Primitives.Operand.of(Shape.of(b, 2, 1, 2))));
  }
}
