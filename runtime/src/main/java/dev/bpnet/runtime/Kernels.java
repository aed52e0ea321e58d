package dev.bpnet.runtime;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
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

  /**
   * A running average moved towards a batch statistic, in place, as PyTorch's batch norm moves
   * its running mean and variance: {@code running = (1 - momentum) running + momentum c stat},
   * element by element in double and rounded once to the array's type. {@code stat} has as many
   * elements as {@code running} (it may be laid out [1, C, 1, 1]); c is 1 for a mean and n/(n - 1)
   * for an unbiased variance from a biased one over n values. Allocates nothing.
   *
   * @throws IllegalArgumentException when c is not finite (n = 1: one value per statistic has no
   *     variance; PyTorch refuses such a training batch too)
   */
  public static void runningAverage(INDArray running, INDArray stat, double momentum, double c) {
    if (!Double.isFinite(c)) {
      throw new IllegalArgumentException("batch_norm needs more than one value per feature or channel in a training"
          + " step to estimate its variance: use a batch of 2 or more");
    }
    long n = running.length();
    for (long i = 0; i < n; i++) {
      running.putScalar(i, (1 - momentum) * running.getDouble(i) + momentum * c * stat.getDouble(i));
    }
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

  /**
   * out = -(1/m) sum_ij a_ij b_ij for [m, n] arrays: the mean cross-entropy -(1/B) sum_b y_b . log p_b
   * as one BLAS dot, where the generic statements (multiply, row sums, negate, mean) are four
   * ND4J op executions. out is a 0-d array.
   */
  public static void negatedMeanDot(INDArray a, INDArray b, INDArray out) {
    out.putScalar(0, -dotOf(a, b) / a.size(0));
  }

  /**
   * out = sum of a * b over every element, for arrays of one shape: sum(d(x)^2) of the input loss
   * l_x as one BLAS dot, where the generic statements (multiply, sum over all axes) are two ND4J
   * op executions, the sum about 75 us at 128x784. out is a 0-d array.
   */
  public static void dot(INDArray a, INDArray b, INDArray out) {
    out.putScalar(0, dotOf(a, b));
  }

  private static double dotOf(INDArray a, INDArray b) {
    if (dense(a) && dense(b) && a.dataType() == b.dataType()) {
      return Nd4j.getBlasWrapper().level1().dot(a.length(), 1.0, a, b);
    }
    // strided views: walk the logical (c-order) indices, which getDouble(long) on a view does not
    long[] shape = a.shape();
    long[] at = new long[shape.length];
    double dot = 0;
    for (long i = 0; i < a.length(); i++) {
      dot += a.getDouble(at) * b.getDouble(at);
      for (int d = at.length - 1; d >= 0 && ++at[d] == shape[d]; d--) {
        at[d] = 0;
      }
    }
    return dot;
  }

  /**
   * out = s g - exp(logP) * rowsum(s g) for [m, n] arrays: the VJP of log_softmax over the last
   * axis with cotangent s g (for the mean cross-entropy, g = y and s = -1/B, so out = (softmax
   * * rowsum(y) - y) / B). One pass in Java where the generic statements are five ND4J op
   * executions; the arithmetic is the same, in double.
   */
  public static void logSoftmaxVjp(INDArray g, double s, INDArray logP, INDArray out) {
    int rows = (int) out.size(0);
    int cols = (int) out.size(1);
    if (dense(g) && dense(logP) && dense(out) && g.dataType() == out.dataType() && logP.dataType() == out.dataType()) {
      // raw indexers: DataBuffer.getDouble costs about twice as much per element
      if (out.dataType() == DataType.FLOAT) {
        FloatIndexer gi = (FloatIndexer) g.data().indexer();
        FloatIndexer pi = (FloatIndexer) logP.data().indexer();
        FloatIndexer oi = (FloatIndexer) out.data().indexer();
        for (long row = 0, end = (long) rows * cols; row < end; row += cols) {
          double sum = 0;
          for (long j = row; j < row + cols; j++) {
            sum += s * gi.get(j);
          }
          for (long j = row; j < row + cols; j++) {
            oi.put(j, (float) (s * gi.get(j) - Math.exp(pi.get(j)) * sum));
          }
        }
      } else {
        DoubleIndexer gi = (DoubleIndexer) g.data().indexer();
        DoubleIndexer pi = (DoubleIndexer) logP.data().indexer();
        DoubleIndexer oi = (DoubleIndexer) out.data().indexer();
        for (long row = 0, end = (long) rows * cols; row < end; row += cols) {
          double sum = 0;
          for (long j = row; j < row + cols; j++) {
            sum += s * gi.get(j);
          }
          for (long j = row; j < row + cols; j++) {
            oi.put(j, s * gi.get(j) - Math.exp(pi.get(j)) * sum);
          }
        }
      }
      return;
    }
    for (int i = 0; i < rows; i++) {
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += s * g.getDouble(i, j);
      }
      for (int j = 0; j < cols; j++) {
        out.putScalar(i, j, s * g.getDouble(i, j) - Math.exp(logP.getDouble(i, j)) * sum);
      }
    }
  }

  /**
   * Repairs {@code out = log_softmax(x)} over the last axis where ND4J's LogSoftMax (1.0.0-M2.1)
   * lost it: that op computes log(softmax(x)), so a probability that underflows gives -infinity
   * (logits 800 apart: [-inf, ..., 0]) and a cross-entropy of 0 * -inf = NaN. Rows holding a value
   * below the log of the smallest normal number of their type (or NaN) are recomputed as
   * x - max - log(sum(exp(x - max))), in double; every other row keeps ND4J's bits, so runs that
   * never come near it are unchanged.
   */
  public static void repairLogSoftmax(INDArray x, INDArray out) {
    long cols = out.size(out.rank() - 1);
    long n = out.length();
    double floor = Math.log(out.dataType() == DataType.FLOAT ? Float.MIN_NORMAL : Double.MIN_NORMAL);
    // linear indices are the c-order ones only on dense arrays; views are copied (never in a
    // generated step, whose buffers are dense, and x only when a row needs repair)
    INDArray o = dense(out) ? out : out.dup('c');
    INDArray xs = null;
    boolean repaired = false;
    // the scan runs every step: raw indexers, as in the other kernels (DataBuffer.getDouble costs twice as much)
    FloatIndexer fi = o.dataType() == DataType.FLOAT ? (FloatIndexer) o.data().indexer() : null;
    DoubleIndexer di = fi == null ? (DoubleIndexer) o.data().indexer() : null;
    for (long row = 0; row < n; row += cols) {
      boolean lost = false;
      for (long j = row; j < row + cols && !lost; j++) {
        lost = !((fi != null ? fi.get(j) : di.get(j)) >= floor);
      }
      if (!lost) {
        continue;
      }
      xs = xs != null ? xs : dense(x) ? x : x.dup('c');
      double max = Double.NEGATIVE_INFINITY;
      for (long j = row; j < row + cols; j++) {
        max = Math.max(max, xs.getDouble(j));
      }
      double sum = 0;
      for (long j = row; j < row + cols; j++) {
        sum += Math.exp(xs.getDouble(j) - max);
      }
      double lse = max + Math.log(sum);
      for (long j = row; j < row + cols; j++) {
        o.putScalar(j, xs.getDouble(j) - lse);
      }
      repaired = true;
    }
    if (repaired && o != out) {
      out.assign(o);
    }
  }

  /**
   * out = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the tanh form of the GELU, element-wise
   * over arrays of one shape. ND4J's PreciseGELU (1.0.0-M2.1) computes another function (-0.0789
   * at x = -2 against -0.0454), and its GELU is the sigmoid form x sigmoid(1.702 x).
   */
  public static void gelu(INDArray x, INDArray out) {
    final double k = Math.sqrt(2 / Math.PI);
    if (dense(x) && dense(out) && x.dataType() == out.dataType()) {
      long n = out.length();
      if (out.dataType() == DataType.FLOAT) {
        FloatIndexer xi = (FloatIndexer) x.data().indexer();
        FloatIndexer oi = (FloatIndexer) out.data().indexer();
        for (long i = 0; i < n; i++) {
          double v = xi.get(i);
          oi.put(i, (float) (0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)))));
        }
      } else {
        DoubleIndexer xi = (DoubleIndexer) x.data().indexer();
        DoubleIndexer oi = (DoubleIndexer) out.data().indexer();
        for (long i = 0; i < n; i++) {
          double v = xi.get(i);
          oi.put(i, 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v))));
        }
      }
      return;
    }
    INDArray flatX = x.reshape(x.length());
    INDArray flatOut = out.reshape(out.length());
    for (long i = 0; i < out.length(); i++) {
      double v = flatX.getDouble(i);
      flatOut.putScalar(i, 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v))));
    }
  }

  /** A c-ordered array with unit element stride and no offset: its buffer holds it, in order. */
  private static boolean dense(INDArray a) {
    return a.ordering() == 'c' && a.offset() == 0 && a.data().offset() == 0 && a.elementWiseStride() == 1
        && a.data().length() >= a.length()
        && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
  }

  /**
   * out = g * [a > 0], the VJP of a ReLU from its output a (positive exactly where its input is),
   * bound to its arrays. Where oneDNN binds (float32 host arrays, {@code -Dbpnet.conv} auto or
   * dnnl) one eltwise backward primitive, a single pass: on plain-20's [128, 16, 32, 32] ND4J's
   * Step mask and multiply take two passes and a mask buffer, its fused relu_bp ten times longer.
   * Elsewhere that mask and multiply. The two differ only in the sign of zeros where a is 0 (g * 0
   * keeps g's sign) and where g is NaN or infinite and a is 0.
   */
  public static final class ReluVjp implements Runnable {
    private final Runnable body;
    private final String impl;

    public ReluVjp(INDArray a, INDArray g, INDArray out, Buffers buffers) {
      DnnlConvolutions.Bound primitive = NativeConvolutions.dnnlAllowed() ? DnnlConvolutions.reluBackward(a, g, out, buffers)
          : null;
      if (primitive != null) {
        this.body = primitive::run;
        this.impl = "oneDNN " + primitive.name();
        return;
      }
      INDArray mask = buffers.zeros(a.dataType(), a.shape());
      Step step = new Step(a, mask, 0.0);
      org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp mul =
          new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp(g, mask, out);
      this.body = () -> {
        Nd4j.exec(step);
        Nd4j.exec(mul);
      };
      this.impl = "step mask and multiply";
    }

    /** What it runs: "oneDNN " and the primitive's implementation, or the mask and multiply. */
    public String impl() {
      return impl;
    }

    @Override
    public void run() {
      body.run();
    }
  }

  /**
   * out[c] = scale * the sum of x[b, c, ...] over the batch and every axis after the channel: the
   * bias gradient of a convolution, or with a scale a per-channel mean ([B, C, H, W] to [C]). Two
   * BLAS gemvs bound to their arrays: the planes' sums, x as [B C, H W] times ones, then their sums
   * over the batch
   * ({@link ColumnSums}). ND4J's Sum over dimensions 0, 2, 3 takes 2.3 ms on [128, 16, 32, 32]
   * (plain-20's first stage, once per layer and pass); one pass of gemv reads it at memory speed.
   * Arrays that are not dense float or double fall back to that Sum.
   */
  public static final class ChannelSums implements Runnable, AutoCloseable {
    private final INDArray x;
    private final INDArray out;
    private final double scale;
    private final int planes;
    private final int plane;
    private final boolean direct;
    private final INDArray ones;
    private final INDArray sums;
    private final ColumnSums overBatch;
    private final Pointer xp;
    private final Pointer onesp;
    private final Pointer sumsp;

    public ChannelSums(INDArray x, INDArray out, double scale) {
      this.x = x;
      this.out = out;
      this.scale = scale;
      long b = x.size(0);
      long c = x.size(1);
      this.planes = Math.toIntExact(b * c);
      this.plane = Math.toIntExact(x.length() / Math.max(1, b * c));
      // cblas on host memory: CPU arrays only (a CUDA array's host copy may be stale: ND4J's ops then)
      this.direct = x.rank() >= 3 && Nd4j.getEnvironment().isCPU() && dense(x) && dense(out)
          && out.dataType() == x.dataType() && out.length() == c;
      this.ones = direct ? Nd4j.ones(x.dataType(), plane) : null;
      this.sums = direct ? Nd4j.create(x.dataType(), b, c) : null;
      this.overBatch = direct ? new ColumnSums(sums, out, scale) : null;
      this.xp = direct ? x.data().addressPointer() : null;
      this.onesp = direct ? ones.data().addressPointer() : null;
      this.sumsp = direct ? sums.data().addressPointer() : null;
    }

    @Override
    public void run() {
      if (!direct) {
        int[] axes = java.util.stream.IntStream.range(0, x.rank()).filter(a -> a != 1).toArray();
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.same.Sum(x, out, axes));
        if (scale != 1.0) {
          out.muli(scale);
        }
        return;
      }
      if (x.dataType() == DataType.FLOAT) {
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, planes, plane, 1f,
            (FloatPointer) xp, plane, (FloatPointer) onesp, 1, 0f, (FloatPointer) sumsp, 1);
      } else {
        openblas_nolapack.cblas_dgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, planes, plane, 1.0,
            (DoublePointer) xp, plane, (DoublePointer) onesp, 1, 0.0, (DoublePointer) sumsp, 1);
      }
      overBatch.run();
    }

    /** Frees its scratch (this batch size's); the op must not run afterwards. */
    @Override
    public void close() {
      if (direct) {
        overBatch.close();
        for (INDArray a : new INDArray[] {ones, sums}) {
          if (a.closeable()) {
            a.close();
          }
        }
      }
    }
  }

  /**
   * out = scale * (column sums of an [m, n] matrix x), i.e. scale * x^T ones, bound to its arrays
   * once: the bias gradient (a sum over the batch). One BLAS gemv straight into OpenBLAS, as
   * ND4J's level-1 calls do; ND4J's gemm and gemv both go through its Mmul op, 12-25 us a call at
   * any size. Arrays that are not dense float or double fall back to that gemm.
   */
  public static final class ColumnSums implements Runnable, AutoCloseable {
    private final INDArray x;
    private final INDArray out;
    private final double scale;
    private final int m;
    private final int n;
    private final boolean direct;
    private final INDArray ones;
    private final INDArray outRow;
    /** The three arrays' memory, taken once (x, ones and out keep it alive); null when not direct. */
    private final Pointer xp;
    private final Pointer onesp;
    private final Pointer outp;

    public ColumnSums(INDArray x, INDArray out, double scale) {
      this.x = x;
      this.out = out;
      this.scale = scale;
      this.m = (int) x.size(0);
      this.n = (int) x.size(1);
      // cblas on host memory: CPU arrays only (as ChannelSums)
      this.direct = Nd4j.getEnvironment().isCPU() && dense(x) && dense(out) && out.dataType() == x.dataType()
          && out.length() == n;
      this.ones = direct ? Nd4j.ones(x.dataType(), m) : Nd4j.ones(x.dataType(), 1, m);
      this.outRow = direct ? null : out.reshape('c', 1, n);
      this.xp = direct ? x.data().addressPointer() : null;
      this.onesp = direct ? ones.data().addressPointer() : null;
      this.outp = direct ? out.data().addressPointer() : null;
    }

    @Override
    public void run() {
      if (!direct) {
        Nd4j.gemm(ones, x, outRow, false, false, scale, 0.0);
      } else if (x.dataType() == DataType.FLOAT) {
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, (float) scale,
            (FloatPointer) xp, n, (FloatPointer) onesp, 1, 0f, (FloatPointer) outp, 1);
      } else {
        openblas_nolapack.cblas_dgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, m, n, scale,
            (DoublePointer) xp, n, (DoublePointer) onesp, 1, 0.0, (DoublePointer) outp, 1);
      }
    }

    /** Frees the row of ones (this batch size's scratch); the op must not run afterwards. */
    @Override
    public void close() {
      if (ones.closeable()) {
        ones.close();
      }
    }
  }
}
