package dev.bpnet.dsl.ir;

import com.palantir.javapoet.ClassName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Matrix products (plain and batched) and bias addition along an axis. */
public final class LinearAlgebra {
  private LinearAlgebra() {}

  /**
   * op(a) @ op(b), op a transpose of the last two axes when its flag is set. Rank 2 by rank 2
   * is one BLAS gemm; a batch of matrices by one matrix ([B, ..., m, k] @ [k, n], a layer
   * applied at every position) is one gemm on flattened views; two batches of equal leading
   * axes are ND4J's batched matmul. Transposes are flags, never materialised.
   */
  public record Matmul(boolean transA, boolean transB) implements Primitive {
    private static final ClassName MMUL = Emission.op("reduce", "Mmul");
    private static final ClassName MMUL_TRANSPOSE = ClassName.get("org.nd4j.linalg.api.blas.params", "MMulTranspose");

    public String name() {
      return "matmul";
    }

    public void export(Export x, Node n) {
      String a = transA ? lastTwoSwapped(x, x.in(n, 0), x.shape(n.input(0)).rank()) : x.in(n, 0);
      String b = transB ? lastTwoSwapped(x, x.in(n, 1), x.shape(n.input(1)).rank()) : x.in(n, 1);
      x.node("MatMul", List.of(a, b), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      Shape y = in.get(1);
      if (x.rank() < 2 || y.rank() < 2) {
        throw shapeError("matmul needs two matrices, got " + x + " and " + y);
      }
      boolean shared = y.rank() == 2;
      if (!shared && !x.dims().subList(0, x.rank() - 2).equals(y.dims().subList(0, y.rank() - 2))) {
        throw shapeError("batched matmul needs the same leading dimensions, got " + x + " and " + y);
      }
      if (shared && x.rank() > 2 && transA) {
        throw shapeError("a batch of matrices times one matrix cannot transpose the batch: " + x + "^T");
      }
      int m = transA ? x.dim(-1) : x.dim(-2);
      int k1 = transA ? x.dim(-2) : x.dim(-1);
      int k2 = transB ? y.dim(-1) : y.dim(-2);
      int n = transB ? y.dim(-2) : y.dim(-1);
      if (k1 != k2) {
        throw shapeError("inner dimensions differ: " + x + (transA ? "^T" : "") + " times " + y + (transB ? "^T" : ""));
      }
      List<Integer> d = new ArrayList<>(x.dims().subList(0, x.rank() - 2));
      d.add(m);
      d.add(n);
      return new Shape(d);
    }

    /** C = op(A) op(B): dA = ct op(B)^T, or its transpose when A was transposed; same for B. */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int a = n.input(0);
      int b = n.input(1);
      int da = transA ? o.matmul(b, ct, transB, true) : o.matmul(ct, b, false, !transB);
      int db;
      if (o.shape(b).rank() == 2 && o.shape(a).rank() > 2) {
        // one matrix shared by every position: the batched products summed over the leading axes
        int per = transB ? o.matmul(ct, a, true, false) : o.matmul(a, ct, true, false);
        int lead = o.shape(a).rank() - 2;
        db = o.sum(per, Shape.allAxes(lead), false);
      } else {
        db = transB ? o.matmul(ct, a, true, transA) : o.matmul(a, ct, !transA, false);
      }
      return Arrays.asList(da, db);
    }

    public void emit(Emission e, Node n) {
      Shape x = e.shape(n.input(0));
      Shape y = e.shape(n.input(1));
      String a = e.tensor(n.input(0));
      String b = e.tensor(n.input(1));
      if (x.rank() == 2 && y.rank() == 2) {
        e.step("$T.gemm($N, $N, $N, $L, $L, 1.0, 0.0)", Emission.ND4J, a, b, e.out(), transA, transB);
      } else if (y.rank() == 2) {
        // every leading position at once: [N, k] @ [k, n] on flattened views of a and out
        String rows = rows(x);
        String a2 = e.helper("Rows", "The left operand as one matrix of rows.");
        String out2 = e.helper("OutRows", "The product as one matrix of rows.");
        e.alloc("$N = $N.reshape('c', $L, $LL)", a2, a, rows, x.dim(-1));
        e.alloc("$N = $N.reshape('c', $L, $LL)", out2, e.out(), rows, e.shape(n.id()).dim(-1));
        e.step("$T.gemm($N, $N, $N, false, $L, 1.0, 0.0)", Emission.ND4J, a2, b, out2, transB);
      } else {
        e.exec(MMUL, "$N, $N, $N, $T.builder().transposeA($L).transposeB($L).build()", a, b, e.out(), MMUL_TRANSPOSE,
            transA, transB);
      }
    }

    /** The number of rows of a batch of matrices flattened to one, as a Java expression. */
    private static String rows(Shape x) {
      long f = 1;
      boolean batch = false;
      for (int i = 0; i < x.rank() - 1; i++) {
        batch |= x.dim(i) == Shape.BATCH;
        f *= x.dim(i) == Shape.BATCH ? 1 : x.dim(i);
      }
      return batch ? (f == 1 ? "batch" : "batch * " + f + "L") : f + "L";
    }

    public String math(List<String> a) {
      return a.get(0) + (transA ? "^T" : "") + " @ " + a.get(1) + (transB ? "^T" : "");
    }

    public String attributes() {
      return transA && transB ? "transA, transB" : transA ? "transA" : transB ? "transB" : "";
    }

    /** A 2-d transpose feeding a matmul becomes its flag. */
    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Node x = g.node(in.get(0));
      Node y = g.node(in.get(1));
      if (!isTranspose2d(x) && !isTranspose2d(y)) {
        return null;
      }
      return g.add(new Matmul(transA ^ isTranspose2d(x), transB ^ isTranspose2d(y)), unwrap(x), unwrap(y));
    }

    private static boolean isTranspose2d(Node n) {
      return n.op() instanceof Layouts.Transpose && n.shape().rank() == 2;
    }

    private static int unwrap(Node n) {
      return isTranspose2d(n) ? n.input(0) : n.id();
    }
  }

  /**
   * x + b with the vector b along {@code axis} of x (-1: the last axis, as a dense layer's bias;
   * 1 of a rank-4 NCHW batch, as a convolution's).
   */
  public record BiasAdd(int axis) implements Primitive {
    public String name() {
      return "bias_add";
    }

    public void export(Export x, Node n) {
      int rank = x.shape(n.input(0)).rank();
      int ax = Shape.axis(axis, rank);
      String b = x.in(n, 1);
      if (ax != rank - 1) {
        // [C] as [C, 1, ..., 1], so that numpy broadcasting lines it up with axis ax
        long[] d = new long[rank - ax];
        java.util.Arrays.fill(d, 1L);
        d[0] = -1;
        b = x.node("Reshape", List.of(b, x.ints(d)), java.util.Map.of());
      }
      x.node("Add", List.of(x.in(n, 0), b), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      Shape b = in.get(1);
      int ax = Shape.axis(axis, x.rank());
      if (b.rank() != 1 || ax < 0 || ax >= x.rank() || x.dim(ax) != b.dim(0)) {
        throw shapeError("bias " + b + " does not match " + (axis == -1 ? "the last dimension" : "dimension " + axis) + " of " + x);
      }
      return x;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int rank = o.shape(ct).rank();
      int ax = Shape.axis(axis, rank);
      List<Integer> others = new ArrayList<>(Shape.allAxes(rank));
      others.remove(Integer.valueOf(ax));
      return Arrays.asList(ct, o.sum(ct, others, false));
    }

    public void emit(Emission e, Node n) {
      int rank = n.shape().rank();
      int ax = Shape.axis(axis, rank);
      if (ax == rank - 1 || (rank == 4 && ax == 1)) {
        e.exec(Emission.op("broadcast", "BiasAdd"), "$N, $N, $N, $L", e.tensor(n.input(0)), e.tensor(n.input(1)), e.out(),
            ax != rank - 1);
      } else {
        e.exec(Emission.op("broadcast", "BroadcastAddOp"), "$N, $N, $N, $L", e.tensor(n.input(0)), e.tensor(n.input(1)),
            e.out(), ax);
      }
    }

    public String math(List<String> a) {
      return a.get(0) + " + " + a.get(1) + (axis == -1 ? " (per row)" : " (along axis " + axis + ")");
    }

    public String attributes() {
      return axis == -1 ? "" : "axis " + axis;
    }
  }

  /** The walk test's applications: plain, shared-weight and batched products with every flag. */
  static List<Primitives.Sample> samples(int rank) {
    int b = Shape.BATCH;
    if (rank == 2) {
      return List.of(sample(new Matmul(false, false), Shape.of(b, 3), Shape.of(3, 4)),
          sample(new Matmul(false, true), Shape.of(b, 3), Shape.of(4, 3)),
          sample(new Matmul(true, false), Shape.of(b, 3), Shape.of(b, 4)),
          sample(new Matmul(true, true), Shape.of(4, 3), Shape.of(5, 4)),
          sample(new BiasAdd(-1), Shape.of(b, 3), Shape.of(3)));
    }
    return List.of(sample(new Matmul(false, false), Shape.of(b, 2, 3, 4), Shape.of(4, 5)),
        sample(new Matmul(false, true), Shape.of(b, 2, 3, 4), Shape.of(5, 4)),
        sample(new Matmul(false, false), Shape.of(b, 2, 3, 4), Shape.of(b, 2, 4, 5)),
        sample(new Matmul(true, true), Shape.of(b, 2, 4, 3), Shape.of(b, 2, 5, 4)),
        sample(new BiasAdd(1), Shape.of(b, 2, 3, 2), Shape.of(2)),
        sample(new BiasAdd(2), Shape.of(b, 2, 3, 2), Shape.of(3)),
        sample(new BiasAdd(-1), Shape.of(b, 2, 3, 2), Shape.of(2)));
  }

  private static Primitives.Sample sample(Primitive p, Shape a, Shape b) {
    return Primitives.Sample.of(p, Primitives.Operand.of(a), Primitives.Operand.of(b));
  }

  /** The ONNX value {@code v} with its last two axes swapped. */
  static String lastTwoSwapped(Export x, String v, int rank) {
    long[] perm = new long[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return x.node("Transpose", List.of(v), java.util.Map.of("perm", perm));
  }
}
