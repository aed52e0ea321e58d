package dev.bpnet.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Min;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few kernels generated code needs that ND4J has no single op for. Each writes into a
 * preallocated {@code out} and allocates nothing.
 */
public final class Kernels {
  private Kernels() {}

  /** Comparison kinds of {@link #compare}; the result is 1 where true and 0 where false. */
  public enum Cmp { GT, GE, LT, LE, EQ, NE }

  /** out = x (op) y with numpy broadcasting, as a 0/1 mask in out's float type. */
  public static void compare(Cmp cmp, INDArray x, INDArray y, INDArray out) {
    switch (cmp) {
      case GT -> greater(x, y, out);
      case LT -> greater(y, x, out);
      case GE -> {
        greater(y, x, out);
        out.rsubi(1.0);
      }
      case LE -> {
        greater(x, y, out);
        out.rsubi(1.0);
      }
      case EQ, NE -> {
        // |x - y| > 0 is "not equal"
        Nd4j.exec(new SubOp(x, y, out));
        org.nd4j.linalg.ops.transforms.Transforms.abs(out, false);
        Nd4j.exec(new Step(out, out, 0.0));
        if (cmp == Cmp.EQ) {
          out.rsubi(1.0);
        }
      }
    }
  }

  /** Comparison against a host scalar. */
  public static void compare(Cmp cmp, INDArray x, double y, INDArray out) {
    switch (cmp) {
      case GT -> Nd4j.exec(new Step(x, out, y));
      case LE -> {
        Nd4j.exec(new Step(x, out, y));
        out.rsubi(1.0);
      }
      case LT, GE -> {
        x.rsub(y, out);
        Nd4j.exec(new Step(out, out, 0.0));
        if (cmp == Cmp.GE) {
          out.rsubi(1.0);
        }
      }
      case EQ, NE -> {
        x.sub(y, out);
        org.nd4j.linalg.ops.transforms.Transforms.abs(out, false);
        Nd4j.exec(new Step(out, out, 0.0));
        if (cmp == Cmp.EQ) {
          out.rsubi(1.0);
        }
      }
    }
  }

  /** Host scalar compared with a tensor: x (op) y == y (mirrored op) x. */
  public static void compare(Cmp cmp, double x, INDArray y, INDArray out) {
    Cmp mirrored = switch (cmp) {
      case GT -> Cmp.LT;
      case GE -> Cmp.LE;
      case LT -> Cmp.GT;
      case LE -> Cmp.GE;
      default -> cmp;
    };
    compare(mirrored, y, x, out);
  }

  private static void greater(INDArray x, INDArray y, INDArray out) {
    Nd4j.exec(new SubOp(x, y, out));
    Nd4j.exec(new Step(out, out, 0.0));
  }

  /**
   * out = cond != 0 ? a : b, elementwise over out's shape (inputs are already out's shape).
   * A true select, not cond*a + (1-cond)*b: the untaken side may be NaN or infinite.
   */
  public static void where(INDArray cond, INDArray a, INDArray b, INDArray out) {
    long n = out.length();
    for (long i = 0; i < n; i++) {
      out.putScalar(i, cond.getDouble(i) != 0 ? a.getDouble(i) : b.getDouble(i));
    }
  }

  /** out = min(max(x, lo), hi) with broadcasting. */
  public static void clamp(INDArray x, INDArray lo, INDArray hi, INDArray out) {
    Nd4j.exec(new Max(x, lo, out));
    Nd4j.exec(new Min(out, hi, out));
  }

  /** out = min(max(x, lo), hi) for host bounds. */
  public static void clamp(INDArray x, double lo, double hi, INDArray out) {
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMax(x, null, out, lo));
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMin(out, null, out, hi));
  }

  /** Broadcasts x into out (numpy rules). ND4J's assign does not broadcast, so add to zeros. */
  public static void broadcast(INDArray x, INDArray out) {
    out.assign(0.0);
    Nd4j.exec(new AddOp(out, x, out));
  }

  /** dir = alpha*g2 + (1-alpha)*g3, the update direction of a three-pass step; null means zero. */
  public static void combine(double alpha, INDArray g2, INDArray g3, INDArray dir) {
    if (g2 != null) {
      g2.mul(alpha, dir);
    } else {
      dir.assign(0.0);
    }
    if (g3 != null) {
      Nd4j.getBlasWrapper().level1().axpy(dir.length(), 1.0 - alpha, g3, dir);
    }
  }
}
