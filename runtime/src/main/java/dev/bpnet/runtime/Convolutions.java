package dev.bpnet.runtime;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution and pooling over NCHW batches, as objects bound to their buffers when the buffers
 * are allocated and run each step (so a step allocates nothing). Kernels are stored
 * [filters, channels, kH, kW], the layout of PyTorch and ONNX.
 *
 * <p>A convolution is im2col plus one BLAS gemm for the whole batch: the columns are laid out
 * [C kH kW, B Ho Wo], so y = W [F, C kH kW] @ cols gives every example at once, and its input and
 * filter gradients are the same gemm with transpose flags followed by col2im, or preceded by
 * im2col. Padding is explicit on each side (asymmetric padding, as {@code same} needs for even
 * kernels, included); positions outside the input read as zero. ND4J 1.0.0-M2.1's conv2d,
 * deconv2d and im2col ops take one padding per axis and compute their own output size, so they
 * cannot express every geometry the compiler accepts.
 *
 * <p>Pooling runs in Java, one pass over the output: average pooling divides by kH kW also where
 * the window overlaps padding (PyTorch's {@code count_include_pad}); max pooling ignores padding
 * and takes the first maximum of a window in row-major order, the same argmax for
 * {@link MaxPoolGather} and {@link MaxPoolScatter}.
 *
 * <p>{@link Unfold} and {@link Fold} (im2col with one row per output position, and its
 * transpose) are the parts of an untied convolution that are not a batched matmul.
 */
public final class Convolutions {
  private Convolutions() {}

  /**
   * The window of a convolution or pooling: kernel size, stride, padding before and after each
   * spatial axis, dilation.
   */
  public record Window(int kH, int kW, int sH, int sW, int padTop, int padBottom, int padLeft, int padRight,
      int dH, int dW) {
    public int outH(int h) {
      return Math.floorDiv(h + padTop + padBottom - dH * (kH - 1) - 1, sH) + 1;
    }

    public int outW(int w) {
      return Math.floorDiv(w + padLeft + padRight - dW * (kW - 1) - 1, sW) + 1;
    }
  }

  /** Element access to a dense buffer, float or double, without boxing or varargs. */
  private interface Access {
    double get(long i);

    void put(long i, double v);

    static Access of(INDArray a, String what) {
      if (a.ordering() != 'c' || a.offset() != 0 || a.data().offset() != 0 || a.elementWiseStride() != 1) {
        throw new IllegalArgumentException(what + " must be a dense c-ordered array");
      }
      Indexer ix = a.data().indexer();
      if (a.dataType() == DataType.FLOAT) {
        FloatIndexer f = (FloatIndexer) ix;
        return new Access() {
          public double get(long i) {
            return f.get(i);
          }

          public void put(long i, double v) {
            f.put(i, (float) v);
          }
        };
      }
      if (a.dataType() == DataType.DOUBLE) {
        DoubleIndexer d = (DoubleIndexer) ix;
        return new Access() {
          public double get(long i) {
            return d.get(i);
          }

          public void put(long i, double v) {
            d.put(i, v);
          }
        };
      }
      throw new IllegalArgumentException(what + " must be float or double, got " + a.dataType());
    }
  }

  /** The sizes of one convolution, read from its buffers once. */
  private static final class Dims {
    final int b;
    final int c;
    final int h;
    final int w;
    final int f;
    final int oh;
    final int ow;
    final Window win;

    /** x [B, C, H, W], kernel [F, C, kH, kW] (or only F and C known), g [B, F, Ho, Wo]. */
    Dims(INDArray x, int filters, INDArray g, Window win) {
      this.b = (int) x.size(0);
      this.c = (int) x.size(1);
      this.h = (int) x.size(2);
      this.w = (int) x.size(3);
      this.f = filters;
      this.oh = (int) g.size(2);
      this.ow = (int) g.size(3);
      this.win = win;
      if (win.outH(h) != oh || win.outW(w) != ow || g.size(0) != b || g.size(1) != f) {
        throw new IllegalArgumentException("output " + java.util.Arrays.toString(g.shape()) + " does not fit input "
            + java.util.Arrays.toString(x.shape()) + " under " + win);
      }
    }

    int rows() {
      return c * win.kH() * win.kW();
    }

    int columns() {
      return b * oh * ow;
    }

    /** cols[(c kH + i) kW + j, (b Ho + oh) Wo + ow] = x[b, c, oh sH - padTop + i dH, ow sW - padLeft + j dW]. */
    void im2col(Access x, Access cols) {
      long n = columns();
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < win.kH(); i++) {
          for (int j = 0; j < win.kW(); j++) {
            long row = ((long) (ci * win.kH() + i) * win.kW() + j) * n;
            long q = row;
            for (int bi = 0; bi < b; bi++) {
              long plane = ((long) bi * c + ci) * h * w;
              for (int y = 0; y < oh; y++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                boolean inH = ih >= 0 && ih < h;
                for (int z = 0; z < ow; z++, q++) {
                  int iw = z * win.sW() - win.padLeft() + j * win.dW();
                  cols.put(q, inH && iw >= 0 && iw < w ? x.get(plane + (long) ih * w + iw) : 0.0);
                }
              }
            }
          }
        }
      }
    }

    /** The transpose of im2col: x = 0, then x[b, c, ih, iw] += cols[...] for every column reading it. */
    void col2im(Access cols, Access x) {
      long size = (long) b * c * h * w;
      for (long i = 0; i < size; i++) {
        x.put(i, 0.0);
      }
      long n = columns();
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < win.kH(); i++) {
          for (int j = 0; j < win.kW(); j++) {
            long q = ((long) (ci * win.kH() + i) * win.kW() + j) * n;
            for (int bi = 0; bi < b; bi++) {
              long plane = ((long) bi * c + ci) * h * w;
              for (int y = 0; y < oh; y++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                boolean inH = ih >= 0 && ih < h;
                for (int z = 0; z < ow; z++, q++) {
                  int iw = z * win.sW() - win.padLeft() + j * win.dW();
                  if (inH && iw >= 0 && iw < w) {
                    long at = plane + (long) ih * w + iw;
                    x.put(at, x.get(at) + cols.get(q));
                  }
                }
              }
            }
          }
        }
      }
    }

    /** [B, F, Ho Wo] to [F, B Ho Wo]: the cotangent's rows per filter. */
    void filterRows(Access g, Access rows) {
      int p = oh * ow;
      for (int bi = 0; bi < b; bi++) {
        for (int fi = 0; fi < f; fi++) {
          long from = ((long) bi * f + fi) * p;
          long to = ((long) fi * b + bi) * p;
          for (int k = 0; k < p; k++) {
            rows.put(to + k, g.get(from + k));
          }
        }
      }
    }

    /** [F, B Ho Wo] to [B, F, Ho Wo]. */
    void fromFilterRows(Access rows, Access out) {
      int p = oh * ow;
      for (int bi = 0; bi < b; bi++) {
        for (int fi = 0; fi < f; fi++) {
          long to = ((long) bi * f + fi) * p;
          long from = ((long) fi * b + bi) * p;
          for (int k = 0; k < p; k++) {
            out.put(to + k, rows.get(from + k));
          }
        }
      }
    }
  }

  /** out [B, F, Ho, Wo] = conv(x [B, C, H, W], k [F, C, kH, kW]): im2col, one gemm, a reorder. */
  public static final class Conv2d implements AutoCloseable {
    private final Dims d;
    private final Access x;
    private final Access out;
    private final Workspace w;
    private final INDArray kernel2d;

    public Conv2d(INDArray x, INDArray kernel, INDArray out, Window win) {
      this.d = new Dims(x, (int) kernel.size(0), out, win);
      this.x = Access.of(x, "conv2d's input");
      this.out = Access.of(out, "conv2d's output");
      this.w = new Workspace(x.dataType(), d);
      this.kernel2d = kernel.reshape('c', d.f, d.rows());
    }

    public void run() {
      d.im2col(x, w.colsA);
      Nd4j.gemm(kernel2d, w.cols, w.rows, false, false, 1.0, 0.0);
      d.fromFilterRows(w.rowsA, out);
    }

    /** Frees the im2col workspace (this batch size's scratch); the op must not run afterwards. */
    @Override
    public void close() {
      w.close();
    }
  }

  /**
   * out [B, C, H, W] = convT(g [B, F, Ho, Wo], k [F, C, kH, kW]), the transpose of conv2d in x: its
   * input gradient. One gemm, kᵀ @ g, then col2im.
   */
  public static final class Conv2dTranspose implements AutoCloseable {
    private final Dims d;
    private final Access g;
    private final Access out;
    private final Workspace w;
    private final INDArray kernel2d;

    public Conv2dTranspose(INDArray g, INDArray kernel, INDArray out, Window win) {
      this.d = new Dims(out, (int) kernel.size(0), g, win);
      this.g = Access.of(g, "conv2d_transpose's input");
      this.out = Access.of(out, "conv2d_transpose's output");
      this.w = new Workspace(out.dataType(), d);
      this.kernel2d = kernel.reshape('c', d.f, d.rows());
    }

    public void run() {
      d.filterRows(g, w.rowsA);
      Nd4j.gemm(kernel2d, w.rows, w.cols, true, false, 1.0, 0.0);
      d.col2im(w.colsA, out);
    }

    /** Frees the im2col workspace (this batch size's scratch); the op must not run afterwards. */
    @Override
    public void close() {
      w.close();
    }
  }

  /** out [F, C, kH, kW] = convW(x [B, C, H, W], g [B, F, Ho, Wo]), the filter gradient: g @ im2col(x)ᵀ. */
  public static final class Conv2dFilter implements AutoCloseable {
    private final Dims d;
    private final Access x;
    private final Access g;
    private final Workspace w;
    private final INDArray out2d;

    public Conv2dFilter(INDArray x, INDArray g, INDArray out, Window win) {
      this.d = new Dims(x, (int) g.size(1), g, win);
      this.x = Access.of(x, "conv2d_filter's input");
      this.g = Access.of(g, "conv2d_filter's cotangent");
      Access.of(out, "conv2d_filter's output");
      this.w = new Workspace(x.dataType(), d);
      this.out2d = out.reshape('c', d.f, d.rows());
    }

    public void run() {
      d.im2col(x, w.colsA);
      d.filterRows(g, w.rowsA);
      Nd4j.gemm(w.rows, w.cols, out2d, false, true, 1.0, 0.0);
    }

    /** Frees the im2col workspace (this batch size's scratch); the op must not run afterwards. */
    @Override
    public void close() {
      w.close();
    }
  }

  /**
   * What a convolution's one gemm works between, made once per batch size: the im2col columns
   * [C kH kW, B Ho Wo] and the filter rows [F, B Ho Wo].
   */
  private static final class Workspace {
    final INDArray cols;
    final Access colsA;
    final INDArray rows;
    final Access rowsA;

    Workspace(org.nd4j.linalg.api.buffer.DataType type, Dims d) {
      cols = Nd4j.create(type, d.rows(), d.columns());
      colsA = Access.of(cols, "columns");
      rows = Nd4j.create(type, d.f, d.columns());
      rowsA = Access.of(rows, "rows");
    }

    void close() {
      cols.close();
      rows.close();
    }
  }

  /** The planes of a pooling: [B C] planes of H x W in, Ho x Wo out. */
  private static final class Planes {
    final int planes;
    final int h;
    final int w;
    final int oh;
    final int ow;
    final Window win;

    Planes(INDArray in, INDArray pooled, Window win) {
      this.planes = (int) (in.size(0) * in.size(1));
      this.h = (int) in.size(2);
      this.w = (int) in.size(3);
      this.oh = (int) pooled.size(2);
      this.ow = (int) pooled.size(3);
      this.win = win;
      if (win.outH(h) != oh || win.outW(w) != ow || pooled.size(0) != in.size(0) || pooled.size(1) != in.size(1)) {
        throw new IllegalArgumentException("pooled " + java.util.Arrays.toString(pooled.shape()) + " does not fit "
            + java.util.Arrays.toString(in.shape()) + " under " + win);
      }
    }

    /** The flat index of the first maximum of s in window (p, y, z); -1 if the window has no input element. */
    long argmax(Access s, int p, int y, int z) {
      long best = -1;
      double max = Double.NEGATIVE_INFINITY;
      long plane = (long) p * h * w;
      for (int i = 0; i < win.kH(); i++) {
        int ih = y * win.sH() - win.padTop() + i * win.dH();
        if (ih < 0 || ih >= h) {
          continue;
        }
        for (int j = 0; j < win.kW(); j++) {
          int iw = z * win.sW() - win.padLeft() + j * win.dW();
          if (iw < 0 || iw >= w) {
            continue;
          }
          long at = plane + (long) ih * w + iw;
          double v = s.get(at);
          // NaN wins, so that a NaN reaches the output rather than vanishing in the pool
          if (best < 0 || v > max || Double.isNaN(v) && !Double.isNaN(max)) {
            max = v;
            best = at;
          }
        }
      }
      return best;
    }
  }

  /** out = the mean of each window of x over kH kW elements, padding counted as zeros. */
  public static final class AvgPool {
    private final Planes p;
    private final Access x;
    private final Access out;

    public AvgPool(INDArray x, INDArray out, Window win) {
      this.p = new Planes(x, out, win);
      this.x = Access.of(x, "avg_pool's input");
      this.out = Access.of(out, "avg_pool's output");
    }

    public void run() {
      Window win = p.win;
      double scale = 1.0 / (win.kH() * win.kW());
      long q = 0;
      for (int pl = 0; pl < p.planes; pl++) {
        long plane = (long) pl * p.h * p.w;
        for (int y = 0; y < p.oh; y++) {
          for (int z = 0; z < p.ow; z++, q++) {
            double sum = 0;
            for (int i = 0; i < win.kH(); i++) {
              int ih = y * win.sH() - win.padTop() + i * win.dH();
              if (ih < 0 || ih >= p.h) {
                continue;
              }
              for (int j = 0; j < win.kW(); j++) {
                int iw = z * win.sW() - win.padLeft() + j * win.dW();
                if (iw >= 0 && iw < p.w) {
                  sum += x.get(plane + (long) ih * p.w + iw);
                }
              }
            }
            out.put(q, sum * scale);
          }
        }
      }
    }
  }

  /** out [B, C, H, W] = the transpose of avg_pool applied to g: each g spread evenly over its window. */
  public static final class AvgPoolTranspose {
    private final Planes p;
    private final Access g;
    private final Access out;
    private final long size;

    public AvgPoolTranspose(INDArray g, INDArray out, Window win) {
      this.p = new Planes(out, g, win);
      this.g = Access.of(g, "avg_pool_transpose's input");
      this.out = Access.of(out, "avg_pool_transpose's output");
      this.size = out.length();
    }

    public void run() {
      Window win = p.win;
      double scale = 1.0 / (win.kH() * win.kW());
      for (long i = 0; i < size; i++) {
        out.put(i, 0.0);
      }
      long q = 0;
      for (int pl = 0; pl < p.planes; pl++) {
        long plane = (long) pl * p.h * p.w;
        for (int y = 0; y < p.oh; y++) {
          for (int z = 0; z < p.ow; z++, q++) {
            double v = g.get(q) * scale;
            for (int i = 0; i < win.kH(); i++) {
              int ih = y * win.sH() - win.padTop() + i * win.dH();
              if (ih < 0 || ih >= p.h) {
                continue;
              }
              for (int j = 0; j < win.kW(); j++) {
                int iw = z * win.sW() - win.padLeft() + j * win.dW();
                if (iw >= 0 && iw < p.w) {
                  long at = plane + (long) ih * p.w + iw;
                  out.put(at, out.get(at) + v);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * out [B, C, Ho, Wo] = v at the argmax of each window of s (both [B, C, H, W]). With s = v it is
   * max pooling; with v a cotangent, the VJP of the scatter below.
   */
  public static final class MaxPoolGather {
    private final Planes p;
    private final Access s;
    private final Access v;
    private final Access out;

    public MaxPoolGather(INDArray s, INDArray v, INDArray out, Window win) {
      this.p = new Planes(s, out, win);
      this.s = Access.of(s, "max_pool's argmax source");
      this.v = Access.of(v, "max_pool's values");
      this.out = Access.of(out, "max_pool's output");
    }

    public void run() {
      long q = 0;
      for (int pl = 0; pl < p.planes; pl++) {
        for (int y = 0; y < p.oh; y++) {
          for (int z = 0; z < p.ow; z++, q++) {
            long at = p.argmax(s, pl, y, z);
            out.put(q, at < 0 ? 0.0 : v.get(at));
          }
        }
      }
    }
  }

  /** out [B, C, H, W] = g [B, C, Ho, Wo] added at the argmax of each window of s, 0 elsewhere: max pooling's VJP. */
  public static final class MaxPoolScatter {
    private final Planes p;
    private final Access s;
    private final Access g;
    private final Access out;
    private final long size;

    public MaxPoolScatter(INDArray s, INDArray g, INDArray out, Window win) {
      this.p = new Planes(s, g, win);
      this.s = Access.of(s, "max_pool's argmax source");
      this.g = Access.of(g, "max_pool's cotangent");
      this.out = Access.of(out, "max_pool_scatter's output");
      this.size = out.length();
    }

    public void run() {
      for (long i = 0; i < size; i++) {
        out.put(i, 0.0);
      }
      long q = 0;
      for (int pl = 0; pl < p.planes; pl++) {
        for (int y = 0; y < p.oh; y++) {
          for (int z = 0; z < p.ow; z++, q++) {
            long at = p.argmax(s, pl, y, z);
            if (at >= 0) {
              out.put(at, out.get(at) + g.get(q));
            }
          }
        }
      }
    }
  }

  /**
   * The geometry of unfold and fold: an input x [B, C, H, W] and its columns [B, Ho Wo, C kH kW],
   * cols[b, y Wo + z, (c kH + i) kW + j] = x[b, c, y sH - padTop + i dH, z sW - padLeft + j dW].
   */
  private static final class Columns {
    final int b;
    final int c;
    final int h;
    final int w;
    final int oh;
    final int ow;
    final Window win;

    Columns(INDArray x, INDArray cols, Window win) {
      this.b = (int) x.size(0);
      this.c = (int) x.size(1);
      this.h = (int) x.size(2);
      this.w = (int) x.size(3);
      this.oh = win.outH(h);
      this.ow = win.outW(w);
      this.win = win;
      if (cols.rank() != 3 || cols.size(0) != b || cols.size(1) != (long) oh * ow || cols.size(2) != (long) c * win.kH() * win.kW()) {
        throw new IllegalArgumentException("columns " + java.util.Arrays.toString(cols.shape()) + " do not fit input "
            + java.util.Arrays.toString(x.shape()) + " under " + win);
      }
    }

    /**
     * Visits every column element in order: {@code v.at(q, i)} with q its flat index and i the
     * flat index of the input element it reads, -1 where it reads padding.
     */
    void each(Visitor v) {
      long q = 0;
      for (int bi = 0; bi < b; bi++) {
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++) {
            for (int ci = 0; ci < c; ci++) {
              long plane = ((long) bi * c + ci) * h * w;
              for (int i = 0; i < win.kH(); i++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                boolean inH = ih >= 0 && ih < h;
                for (int j = 0; j < win.kW(); j++, q++) {
                  int iw = z * win.sW() - win.padLeft() + j * win.dW();
                  v.at(q, inH && iw >= 0 && iw < w ? plane + (long) ih * w + iw : -1);
                }
              }
            }
          }
        }
      }
    }

    interface Visitor {
      void at(long column, long input);
    }
  }

  /** out [B, Ho Wo, C kH kW] = unfold(x [B, C, H, W]) (im2col, one row per output position), zero where padding is read. */
  public static final class Unfold {
    private final Columns d;
    private final Access x;
    private final Access out;
    private final Columns.Visitor copy;

    public Unfold(INDArray x, INDArray out, Window win) {
      this.d = new Columns(x, out, win);
      this.x = Access.of(x, "unfold's input");
      this.out = Access.of(out, "unfold's output");
      this.copy = (q, i) -> this.out.put(q, i < 0 ? 0.0 : this.x.get(i));
    }

    public void run() {
      d.each(copy);
    }
  }

  /** out [B, C, H, W] = fold(cols [B, Ho Wo, C kH kW]) (col2im), the transpose of unfold: each column element added where it was read. */
  public static final class Fold {
    private final Columns d;
    private final Access cols;
    private final Access out;
    private final long size;
    private final Columns.Visitor add;

    public Fold(INDArray cols, INDArray out, Window win) {
      this.d = new Columns(out, cols, win);
      this.cols = Access.of(cols, "fold's input");
      this.out = Access.of(out, "fold's output");
      this.size = out.length();
      this.add = (q, i) -> {
        if (i >= 0) {
          this.out.put(i, this.out.get(i) + this.cols.get(q));
        }
      };
    }

    public void run() {
      for (long i = 0; i < size; i++) {
        out.put(i, 0.0);
      }
      d.each(add);
    }
  }
}
