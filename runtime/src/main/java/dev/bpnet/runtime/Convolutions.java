package dev.bpnet.runtime;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
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
 * kernels, included); positions outside the input read as zero.
 *
 * <p>For float32 host arrays the three convolution ops bind oneDNN's primitives called directly
 * ({@link DnnlConvolutions}; any window) where the library loads. Otherwise, where libnd4j was
 * built with oneDNN (the {@code linux-x86_64-onednn} classifier of nd4j-native), they bind ND4J's
 * native {@code conv2d}, {@code deconv2d} and {@code conv2d_bp} where those express the geometry
 * (float32, dilation 1, ND4J's VALID or SAME padding) and were measured faster;
 * {@link NativeConvolutions} decides, once, and {@code -Dbpnet.conv=auto|java|native|dnnl}
 * overrides. Without oneDNN, ND4J's native convolutions are 2-18 times slower than im2col + gemm
 * on one thread (BENCHMARKS.md, bench/run.sh --conv-ops).
 *
 * <p>im2col, col2im and pooling run in Java over arrays: each op reads its buffers in runs (a
 * plane, one example's part of a row of columns) into per-thread scratch arrays and writes its
 * results back the same way, so no call is made per element. Pooling makes one pass over the
 * output per plane: average pooling divides by kH kW also where
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
   * Which implementation the convolution ops bound from now on use (see {@link NativeConvolutions}
   * for the rule): {@code AUTO} oneDNN called directly where it loads, else ND4J's native ops
   * where libnd4j has oneDNN and they were measured faster for the shape, {@code JAVA} always
   * im2col + gemm, {@code NATIVE} ND4J's native ops wherever they express the geometry,
   * {@code DNNL} oneDNN called directly wherever it loads. Float64 always binds im2col + gemm.
   */
  public enum Impl {
    AUTO, JAVA, NATIVE, DNNL
  }

  /**
   * The setting for ops bound from now on: {@code -Dbpnet.conv=auto|java|native|dnnl}, else the
   * environment variable {@code BPNET_CONV}, else {@code AUTO}.
   */
  public static Impl impl() {
    return Impl.valueOf(NativeConvolutions.mode().name());
  }

  /**
   * Sets {@link #impl()} for ops bound from now on (ops bound before keep theirs), for tests and
   * benchmarks that compare both in one JVM; returns the previous setting.
   */
  public static Impl use(Impl impl) {
    Impl before = impl();
    NativeConvolutions.mode(NativeConvolutions.Mode.valueOf(impl.name()));
    return before;
  }

  /** True when the loaded libnd4j was built with oneDNN (its build information says so) and may use it. */
  public static boolean oneDnn() {
    return NativeConvolutions.oneDnn();
  }

  /**
   * True when oneDNN called directly ({@link DnnlConvolutions}, the {@code org.bytedeco:dnnl}
   * presets) loaded and ND4J's arrays are host memory: the {@code dnnl} setting can bind it.
   */
  public static boolean dnnl() {
    return DnnlConvolutions.available();
  }

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

  /**
   * A dense c-ordered float or double buffer, read and written in runs through Java double arrays
   * (one bulk copy per run instead of a call per element; the loops over the arrays are plain
   * loops that C2 compiles well). Float buffers convert through a float staging array.
   */
  private abstract static sealed class Buf permits FloatBuf, DoubleBuf {
    /** dst[off, off + len) = this[at, at + len). */
    abstract void read(long at, double[] dst, int off, int len);

    /** this[at, at + len) = src[off, off + len). */
    abstract void write(long at, double[] src, int off, int len);

    /** True for float buffers. */
    boolean single() {
      return this instanceof FloatBuf;
    }

    /** The float buffer itself, for loops that stay in float32; null for double buffers. */
    FloatBuffer floats() {
      return this instanceof FloatBuf f ? f.nio : null;
    }

    /**
     * a + b, rounded to float when the sums land in a float buffer: a sum accumulated in a Java
     * double rounds after every add, as a float buffer would, so that results are the same bits
     * whether the loop goes through Java arrays or the buffer itself.
     */
    static double sum(boolean single, double a, double b) {
      double s = a + b;
      return single ? (float) s : s;
    }

    static Buf of(INDArray a, String what) {
      if (a.ordering() != 'c' || a.offset() != 0 || a.data().offset() != 0 || a.elementWiseStride() != 1) {
        throw new IllegalArgumentException(what + " must be a dense c-ordered array");
      }
      if (a.length() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " has more than 2^31 - 1 elements");
      }
      if (a.dataType() == DataType.FLOAT) {
        return new FloatBuf(new FloatPointer(a.data().pointer()).position(0).limit(a.length()).asBuffer());
      }
      if (a.dataType() == DataType.DOUBLE) {
        return new DoubleBuf(new DoublePointer(a.data().pointer()).position(0).limit(a.length()).asBuffer());
      }
      throw new IllegalArgumentException(what + " must be float or double, got " + a.dataType());
    }
  }

  private static final class FloatBuf extends Buf {
    private final FloatBuffer nio;

    FloatBuf(FloatBuffer nio) {
      this.nio = nio;
    }

    @Override
    void read(long at, double[] dst, int off, int len) {
      float[] f = Scratch.floats(len);
      nio.get((int) at, f, 0, len);
      for (int i = 0; i < len; i++) {
        dst[off + i] = f[i];
      }
    }

    @Override
    void write(long at, double[] src, int off, int len) {
      float[] f = Scratch.floats(len);
      for (int i = 0; i < len; i++) {
        f[i] = (float) src[off + i];
      }
      nio.put((int) at, f, 0, len);
    }
  }

  private static final class DoubleBuf extends Buf {
    private final DoubleBuffer nio;

    DoubleBuf(DoubleBuffer nio) {
      this.nio = nio;
    }

    @Override
    void read(long at, double[] dst, int off, int len) {
      nio.get((int) at, dst, off, len);
    }

    @Override
    void write(long at, double[] src, int off, int len) {
      nio.put((int) at, src, off, len);
    }
  }

  /**
   * Per-thread scratch arrays that only grow: the ops of a step run one after another on one
   * thread, so they share these, and a warmed-up step allocates none. Slot 0 holds a layer's
   * input planes, slot 1 a row of columns or an output plane, slot 2 a third run; the ints hold
   * a pooling's argmaxes; the floats stage float buffers' runs (slot 0) and hold the float32
   * pooling loops' planes (slots 1-3).
   */
  private static final class Scratch {
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
    private final double[][] doubles = {new double[0], new double[0], new double[0]};
    private final float[][] floats = {new float[0], new float[0], new float[0], new float[0]};
    private int[] ints = new int[0];

    static double[] doubles(int slot, long n) {
      Scratch s = LOCAL.get();
      if (s.doubles[slot].length < n) {
        s.doubles[slot] = new double[Math.toIntExact(n)];
      }
      return s.doubles[slot];
    }

    static int[] ints(long n) {
      Scratch s = LOCAL.get();
      if (s.ints.length < n) {
        s.ints = new int[Math.toIntExact(n)];
      }
      return s.ints;
    }

    /** Slot 0: the staging array of float buffers' reads and writes. */
    static float[] floats(int n) {
      return floats(0, n);
    }

    /** Slots 1-3: the float32 pooling loops' planes. */
    static float[] floats(int slot, long n) {
      Scratch s = LOCAL.get();
      if (s.floats[slot].length < n) {
        s.floats[slot] = new float[Math.toIntExact(n)];
      }
      return s.floats[slot];
    }
  }

  /** The first z in [0, n) with z s + off >= 0, and one past the last with z s + off < limit. */
  private static int lo(int off, int s) {
    return off >= 0 ? 0 : Math.floorDiv(-off + s - 1, s);
  }

  private static int hi(int off, int s, int limit, int n) {
    return off > limit - 1 ? 0 : Math.min(n, Math.floorDiv(limit - 1 - off, s) + 1);
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
      return Math.multiplyExact(b, oh * ow);
    }

    /**
     * cols[(c kH + i) kW + j, (b Ho + oh) Wo + ow] = x[b, c, oh sH - padTop + i dH, ow sW - padLeft + j dW]:
     * each input plane (b, c) is read once and stays in L1 while its kH kW runs of Ho Wo columns
     * are built and written.
     */
    void im2col(Buf x, Buf cols) {
      int hw = h * w;
      int p = oh * ow;
      int n = columns();
      double[] plane = Scratch.doubles(0, hw);
      double[] run = Scratch.doubles(1, p);
      for (int ci = 0; ci < c; ci++) {
        for (int bi = 0; bi < b; bi++) {
          x.read(((long) bi * c + ci) * hw, plane, 0, hw);
          for (int i = 0; i < win.kH(); i++) {
            for (int j = 0; j < win.kW(); j++) {
              int offW = j * win.dW() - win.padLeft();
              int zLo = Math.min(lo(offW, win.sW()), ow);
              int zHi = Math.max(zLo, hi(offW, win.sW(), w, ow));
              for (int y = 0; y < oh; y++) {
                int q = y * ow;
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                // plain loops: the runs are short (Wo elements), too short for a call to fill or arraycopy
                if (ih < 0 || ih >= h) {
                  for (int z = 0; z < ow; z++) {
                    run[q + z] = 0.0;
                  }
                  continue;
                }
                for (int z = 0; z < zLo; z++) {
                  run[q + z] = 0.0;
                }
                int base = ih * w + offW;
                if (win.sW() == 1) {
                  for (int z = zLo; z < zHi; z++) {
                    run[q + z] = plane[base + z];
                  }
                } else {
                  for (int z = zLo; z < zHi; z++) {
                    run[q + z] = plane[base + z * win.sW()];
                  }
                }
                for (int z = zHi; z < ow; z++) {
                  run[q + z] = 0.0;
                }
              }
              cols.write((long) ((ci * win.kH() + i) * win.kW() + j) * n + (long) bi * p, run, 0, p);
            }
          }
        }
      }
    }

    /** The transpose of im2col: x = 0, then x[b, c, ih, iw] += cols[...] for every column reading it; plane by plane. */
    void col2im(Buf cols, Buf x) {
      int hw = h * w;
      int p = oh * ow;
      int n = columns();
      double[] plane = Scratch.doubles(0, hw);
      double[] run = Scratch.doubles(1, p);
      boolean single = x.single();
      for (int ci = 0; ci < c; ci++) {
        for (int bi = 0; bi < b; bi++) {
          java.util.Arrays.fill(plane, 0, hw, 0.0);
          for (int i = 0; i < win.kH(); i++) {
            for (int j = 0; j < win.kW(); j++) {
              cols.read((long) ((ci * win.kH() + i) * win.kW() + j) * n + (long) bi * p, run, 0, p);
              int offW = j * win.dW() - win.padLeft();
              int zLo = Math.min(lo(offW, win.sW()), ow);
              int zHi = Math.max(zLo, hi(offW, win.sW(), w, ow));
              for (int y = 0; y < oh; y++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                if (ih < 0 || ih >= h) {
                  continue;
                }
                int q = y * ow;
                int base = ih * w + offW;
                if (win.sW() == 1) {
                  for (int z = zLo; z < zHi; z++) {
                    plane[base + z] = Buf.sum(single, plane[base + z], run[q + z]);
                  }
                } else {
                  for (int z = zLo; z < zHi; z++) {
                    int at = base + z * win.sW();
                    plane[at] = Buf.sum(single, plane[at], run[q + z]);
                  }
                }
              }
            }
          }
          x.write(((long) bi * c + ci) * hw, plane, 0, hw);
        }
      }
    }

    /** [B, F, Ho Wo] to [F, B Ho Wo]: the cotangent's rows per filter, one run per plane. */
    void filterRows(Buf g, Buf rows) {
      int p = oh * ow;
      double[] run = Scratch.doubles(2, p);
      for (int bi = 0; bi < b; bi++) {
        for (int fi = 0; fi < f; fi++) {
          g.read(((long) bi * f + fi) * p, run, 0, p);
          rows.write(((long) fi * b + bi) * p, run, 0, p);
        }
      }
    }

    /** [F, B Ho Wo] to [B, F, Ho Wo]. */
    void fromFilterRows(Buf rows, Buf out) {
      int p = oh * ow;
      double[] run = Scratch.doubles(2, p);
      for (int bi = 0; bi < b; bi++) {
        for (int fi = 0; fi < f; fi++) {
          rows.read(((long) fi * b + bi) * p, run, 0, p);
          out.write(((long) bi * f + fi) * p, run, 0, p);
        }
      }
    }
  }

  /**
   * What the three convolution ops share: each binds, once, the first implementation that takes
   * its arrays (oneDNN, then ND4J's native op, as {@link NativeConvolutions} chooses for its kind
   * and geometry; else its Java form, im2col and one gemm) and runs it each step.
   */
  public abstract static sealed class ConvOp permits Conv2d, Conv2dTranspose, Conv2dFilter {
    /** The system property that turns {@link #reuse} off: {@code false}. */
    public static final String SHARE_PROPERTY = "bpnet.dnnl.share";

    final Dims d;
    private Runnable body;
    private String impl;
    /** The oneDNN primitive that computes the whole op, or null (Java, ND4J, or more than oneDNN). */
    private DnnlConvolutions.Bound primitive;

    ConvOp(Dims d) {
      this.d = d;
    }

    /**
     * Binds oneDNN's primitive ({@code dnnl}) or ND4J's op {@code nd4jOp} (made by {@code nd4j}
     * from its integer arguments) where {@link NativeConvolutions} chooses one for {@code kind}
     * between x and y; false where neither is chosen or oneDNN declines, and the Java form binds.
     */
    final boolean bindNative(NativeConvolutions.Kind kind, Window win, INDArray x, INDArray y,
        java.util.function.Supplier<DnnlConvolutions.Bound> dnnl, String nd4jOp,
        java.util.function.Function<int[], NativeConvolutions.Bound> nd4j) {
      DnnlConvolutions.Bound primitive = NativeConvolutions.dnnl(kind, win, x, y) ? dnnl.get() : null;
      if (primitive != null) {
        bind(primitive);
        return true;
      }
      int[] args = NativeConvolutions.choose(kind, win, x, y);
      if (args != null) {
        bind(nd4j.apply(args)::run, "native " + nd4jOp);
        return true;
      }
      return false;
    }

    final void bind(Runnable body, String impl) {
      this.body = body;
      this.impl = impl;
      this.primitive = null;
    }

    final void bind(DnnlConvolutions.Bound primitive) {
      bind(primitive::run, "oneDNN " + primitive.name());
      this.primitive = primitive;
    }

    /**
     * Reads, from ops that run before this one, the arrays they already hold in the layout this
     * op computes in, instead of reordering them again: oneDNN's blocked copy that an earlier
     * convolution made of an input it shares with this one, or of the output it computed (which
     * this one reads). A generated trainer shares each activation's and each gradient's copy
     * among the convolutions of a step that read it: in plain-20's two passes, three of the six
     * reorders of every layer's activations and gradients.
     *
     * <p>The caller promises, for each array read this way, that whenever this op runs the earlier
     * op ran after the array was last written (a generated trainer writes each buffer once per
     * pass, and names only ops that run before this one in the same step). Ops that do not run on
     * oneDNN, and arrays held in another layout, are left as they were. Returns how many reorders
     * of this op's inputs the shared copies replace. {@code -Dbpnet.dnnl.share=false} turns it
     * off for ops bound from then on (benchmarks compare both in one JVM).
     */
    public int reuse(ConvOp... earlier) {
      int n = 0;
      if (!Boolean.parseBoolean(System.getProperty(SHARE_PROPERTY, "true"))) {
        return n;
      }
      for (ConvOp e : earlier) {
        if (primitive != null && e.primitive != null) {
          n += primitive.reuse(e.primitive);
        }
      }
      return n;
    }

    final Runnable body() {
      return body;
    }

    /** The floating-point operations of one {@link #run}: its gemm's 2 m k n (benchmarks report rates from it). */
    public long flops() {
      return 2L * d.f * d.rows() * d.columns();
    }

    /**
     * What it runs: its Java form ("im2col + gemm", "gemm + col2im"), "native " and ND4J's op, or
     * "oneDNN " and oneDNN's implementation name.
     */
    public String impl() {
      return impl;
    }

    public void run() {
      body.run();
    }
  }

  /**
   * out [B, F, Ho, Wo] = conv(x [B, C, H, W], k [F, C, kH, kW]): im2col, one gemm, a reorder; or
   * ND4J's native {@code conv2d} or oneDNN where {@link NativeConvolutions} chooses it.
   */
  public static final class Conv2d extends ConvOp {
    /** Bound to its arrays, with scratch of its own (for use outside a generated trainer). */
    public Conv2d(INDArray x, INDArray kernel, INDArray out, Window win) {
      this(x, kernel, out, win, new Buffers());
    }

    /** Bound to its arrays, with its scratch shared with the other ops of {@code buffers}. */
    public Conv2d(INDArray x, INDArray kernel, INDArray out, Window win, Buffers buffers) {
      this(x, kernel, null, false, out, win, buffers);
    }

    /**
     * out = relu(conv(x, k) + bias): a convolution with its layer's bias ([F], along the channels;
     * null for none) and ReLU (if {@code relu}) applied as it stores, where oneDNN binds (post-ops:
     * the three ops' bits, zeros' signs aside, without two more passes over out); elsewhere the convolution,
     * then ND4J's BiasAdd and RectifiedLinear in place on out.
     */
    public Conv2d(INDArray x, INDArray kernel, INDArray bias, boolean relu, INDArray out, Window win, Buffers buffers) {
      super(new Dims(x, (int) kernel.size(0), out, win));
      if ((bias != null || relu) && NativeConvolutions.dnnl(NativeConvolutions.Kind.FORWARD, win, x, out)) {
        DnnlConvolutions.Bound fused = DnnlConvolutions.forward(x, kernel, bias, relu, out, win, buffers);
        if (fused != null) {
          bind(fused);
          return;
        }
      }
      bindConvolution(x, kernel, out, win, buffers);
      if (bias != null || relu) {
        Runnable conv = body();
        var addBias = bias == null ? null : new org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd(out, bias, out, true);
        var rectify = relu ? new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(out, out, 0.0) : null;
        bind(() -> {
          conv.run();
          if (addBias != null) {
            Nd4j.exec(addBias);
          }
          if (rectify != null) {
            Nd4j.exec(rectify);
          }
        }, impl() + (bias != null ? ", bias add" : "") + (relu ? ", relu" : ""));
      }
    }

    private void bindConvolution(INDArray x, INDArray kernel, INDArray out, Window win, Buffers buffers) {
      if (bindNative(NativeConvolutions.Kind.FORWARD, win, x, out, () -> DnnlConvolutions.forward(x, kernel, out, win, buffers),
          "conv2d", args -> new NativeConvolutions.Bound("conv2d", new INDArray[] {x, kernel}, new INDArray[] {out}, args,
              buffers))) {
        return;
      }
      Buf xs = Buf.of(x, "conv2d's input");
      Buf outs = Buf.of(out, "conv2d's output");
      Workspace w = new Workspace(x.dataType(), d, buffers);
      INDArray kernel2d = kernel.reshape('c', d.f, d.rows());
      bind(() -> {
        d.im2col(xs, w.colsA);
        Nd4j.gemm(kernel2d, w.cols, w.rows, false, false, 1.0, 0.0);
        d.fromFilterRows(w.rowsA, outs);
      }, "im2col + gemm");
    }

    /** m, k, n of its gemm: filters, C kH kW, B Ho Wo. */
    public long[] gemmShape() {
      return new long[] {d.f, d.rows(), d.columns()};
    }
  }

  /**
   * out [B, C, H, W] = convT(g [B, F, Ho, Wo], k [F, C, kH, kW]), the transpose of conv2d in x: its
   * input gradient. One gemm, kᵀ @ g, then col2im; or ND4J's native {@code deconv2d} or oneDNN where
   * {@link NativeConvolutions} chooses it.
   */
  public static final class Conv2dTranspose extends ConvOp {
    /** Bound to its arrays, with scratch of its own (for use outside a generated trainer). */
    public Conv2dTranspose(INDArray g, INDArray kernel, INDArray out, Window win) {
      this(g, kernel, out, win, new Buffers());
    }

    /** Bound to its arrays, with its scratch shared with the other ops of {@code buffers}. */
    public Conv2dTranspose(INDArray g, INDArray kernel, INDArray out, Window win, Buffers buffers) {
      super(new Dims(out, (int) kernel.size(0), g, win));
      if (bindNative(NativeConvolutions.Kind.INPUT_GRADIENT, win, out, g,
          () -> DnnlConvolutions.inputGradient(g, kernel, out, win, buffers),
          "deconv2d", args -> new NativeConvolutions.Bound("deconv2d", new INDArray[] {g, kernel}, new INDArray[] {out}, args,
              buffers))) {
        return;
      }
      Buf gs = Buf.of(g, "conv2d_transpose's input");
      Buf outs = Buf.of(out, "conv2d_transpose's output");
      Workspace w = new Workspace(out.dataType(), d, buffers);
      INDArray kernel2d = kernel.reshape('c', d.f, d.rows());
      bind(() -> {
        d.filterRows(gs, w.rowsA);
        Nd4j.gemm(kernel2d, w.rows, w.cols, true, false, 1.0, 0.0);
        d.col2im(w.colsA, outs);
      }, "gemm + col2im");
    }
  }

  /**
   * out [F, C, kH, kW] = convW(x [B, C, H, W], g [B, F, Ho, Wo]), the filter gradient: g @ im2col(x)ᵀ;
   * or oneDNN, or ND4J's native {@code conv2d_bp}, where {@link NativeConvolutions} chooses it (that
   * one computes the input gradient too, into scratch: ND4J has no op for the filter gradient alone).
   */
  public static final class Conv2dFilter extends ConvOp {
    /** Bound to its arrays, with scratch of its own (for use outside a generated trainer). */
    public Conv2dFilter(INDArray x, INDArray g, INDArray out, Window win) {
      this(x, g, out, win, new Buffers());
    }

    /** Bound to its arrays, with its scratch shared with the other ops of {@code buffers}. */
    public Conv2dFilter(INDArray x, INDArray g, INDArray out, Window win, Buffers buffers) {
      super(new Dims(x, (int) g.size(1), g, win));
      Buf.of(out, "conv2d_filter's output");
      if (bindNative(NativeConvolutions.Kind.FILTER_GRADIENT, win, x, g,
          () -> DnnlConvolutions.filterGradient(x, g, out, win, buffers), "conv2d_bp", args -> {
            // conv2d_bp reads the kernel only for the input gradient, which goes to scratch: any
            // array of the kernel's shape will do (a scratch one, never written: zeros)
            INDArray dx = buffers.scratch(x.dataType(), "conv2d_bp input gradient", d.b, (long) d.c * d.h * d.w)
                .reshape('c', d.b, d.c, d.h, d.w);
            INDArray k = buffers.scratch(x.dataType(), "conv2d_bp kernel", d.f, d.rows())
                .reshape('c', d.f, d.c, win.kH(), win.kW());
            return new NativeConvolutions.Bound("conv2d_bp", new INDArray[] {x, k, g}, new INDArray[] {dx, out}, args, buffers);
          })) {
        return;
      }
      Buf xs = Buf.of(x, "conv2d_filter's input");
      Buf gs = Buf.of(g, "conv2d_filter's cotangent");
      Workspace w = new Workspace(x.dataType(), d, buffers);
      INDArray out2d = out.reshape('c', d.f, d.rows());
      bind(() -> {
        d.im2col(xs, w.colsA);
        d.filterRows(gs, w.rowsA);
        Nd4j.gemm(w.rows, w.cols, out2d, false, true, 1.0, 0.0);
      }, "im2col + gemm");
    }
  }

  /**
   * What a convolution's one gemm works between, made once per batch size: the im2col columns
   * [C kH kW, B Ho Wo] and the filter rows [F, B Ho Wo]. Both are scratch shared by every
   * convolution of a trainer ({@link Buffers#scratch}): each run writes every element of them
   * before reading any (im2col fills padding with zeros, the gemms overwrite), so they carry
   * nothing from one op to the next. One op's own would take, summed over plain-20's three passes,
   * gigabytes.
   */
  private static final class Workspace {
    final INDArray cols;
    final Buf colsA;
    final INDArray rows;
    final Buf rowsA;

    Workspace(DataType type, Dims d, Buffers buffers) {
      cols = buffers.scratch(type, "im2col columns", d.rows(), d.columns());
      colsA = Buf.of(cols, "columns");
      rows = buffers.scratch(type, "filter rows", d.f, d.columns());
      rowsA = Buf.of(rows, "rows");
    }
  }

  /**
   * The planes of a pooling: [B C] planes of H x W in, Ho x Wo out. The pooling ops run over
   * chunks of whole planes, so that a small plane (LeNet's are 28 x 28 and 10 x 10) costs a
   * share of one bulk copy, not a copy of its own; windows wholly inside the plane, nearly all
   * of them, take a loop without bounds checks.
   */
  private static final class Planes {
    /** Input elements per chunk (of whole planes, at least one): 128 KB of doubles, cache-sized with its outputs. */
    private static final int CHUNK = 1 << 14;
    final int planes;
    final int h;
    final int w;
    final int oh;
    final int ow;
    final Window win;
    /** Planes per chunk. */
    final int chunk;
    /** The windows wholly inside the plane: rows [yLo, yHi) and columns [zLo, zHi). */
    private final int yLo;
    private final int yHi;
    private final int zLo;
    private final int zHi;

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
      this.chunk = Math.max(1, Math.min(planes, CHUNK / Math.max(1, h * w)));
      this.yLo = lo(-win.padTop(), win.sH());
      this.yHi = Math.max(yLo, hi(-win.padTop() + (win.kH() - 1) * win.dH(), win.sH(), h, oh));
      this.zLo = lo(-win.padLeft(), win.sW());
      this.zHi = Math.max(zLo, hi(-win.padLeft() + (win.kW() - 1) * win.dW(), win.sW(), w, ow));
    }

    int in() {
      return h * w;
    }

    int out() {
      return oh * ow;
    }

    /** The planes of the chunk that starts at plane pl. */
    int count(int pl) {
      return Math.min(chunk, planes - pl);
    }

    /** The index of window (y, z)'s first element in plane k of a chunk; the window is wholly inside. */
    private int first(int k, int y, int z) {
      return k * in() + (y * win.sH() - win.padTop()) * w + z * win.sW() - win.padLeft();
    }

    private boolean inside(int y, int z) {
      return y >= yLo && y < yHi && z >= zLo && z < zHi;
    }

    /**
     * idx[k Ho Wo + q] = the index in s of the first maximum, in row-major order, of window q of
     * plane k, for the n planes of a chunk; -1 where the window holds no input element. NaN wins,
     * so that a NaN reaches the output rather than vanishing in the pool.
     */
    void argmaxes(double[] s, int n, int[] idx) {
      if (!finiteArgmaxes(s, n, idx)) {
        exactArgmaxes(s, n, idx);
      }
    }

    /** {@link #argmaxes} for any numbers, NaN and infinities included, one comparison after another. */
    private void exactArgmaxes(double[] s, int n, int[] idx) {
      int q = 0;
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++, q++) {
            if (!inside(y, z)) {
              idx[q] = border(s, k, y, z);
              continue;
            }
            int a = first(k, y, z);
            int best = a;
            double max = s[a];
            for (int i = 0; i < win.kH(); i++) {
              int row = a + i * win.dH() * w;
              for (int j = 0; j < win.kW(); j++) {
                double v = s[row + j * win.dW()];
                if (v > max || v != v && max == max) {
                  max = v;
                  best = row + j * win.dW();
                }
              }
            }
            idx[q] = best;
          }
        }
      }
    }

    /**
     * {@link #argmaxes} for finite numbers, without branches in the windows inside the plane:
     * which element of a window of ReLU outputs wins is a coin toss, and C2 compiles the
     * comparisons of {@link #exactArgmaxes} to jumps that mispredict half the time (2.3 ms
     * against 0.6 for LeNet's first pool). For finite x and y, x - y is negative exactly where
     * y > x (adding 0.0 first turns -0.0 into +0.0, which compare equal), so its sign bit moves
     * the argmax to a later element only where that one is strictly greater: the first maximum.
     * 2 x 2 windows, the common pool, take a tournament (left beats right, top beats bottom, on
     * ties): twice as fast as the loop, whose two-step inner loops cost more than their work.
     * False, with idx unspecified, if the chunk holds a NaN or an infinity (x - x is NaN then,
     * and so is the sum of them).
     */
    private boolean finiteArgmaxes(double[] s, int n, int[] idx) {
      boolean twoByTwo = win.kH() == 2 && win.kW() == 2 && win.dH() == 1 && win.dW() == 1;
      double finite = 0;
      int kH = win.kH();
      int kW = win.kW();
      int rowStep = win.dH() * w;
      int colStep = win.dW();
      int q = 0;
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < oh; y++) {
          boolean rowInside = y >= yLo && y < yHi;
          for (int z = 0; z < ow; z++, q++) {
            if (!rowInside || z < zLo || z >= zHi) {
              idx[q] = border(s, k, y, z);
            } else if (twoByTwo) {
              int a = first(k, y, z);
              double v0 = s[a] + 0.0;
              double v1 = s[a + 1] + 0.0;
              double v2 = s[a + w] + 0.0;
              double v3 = s[a + w + 1] + 0.0;
              finite += (v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3);
              int topAt = a + later(v0, v1);
              int bottomAt = a + w + later(v2, v3);
              idx[q] = topAt + later(Math.max(v0, v1), Math.max(v2, v3)) * (bottomAt - topAt);
            } else {
              int best = first(k, y, z);
              double max = s[best] + 0.0;
              finite += max - max;
              for (int i = 0, row = best; i < kH; i++, row += rowStep) {
                for (int j = i == 0 ? 1 : 0; j < kW; j++) {
                  int at = row + j * colStep;
                  double v = s[at] + 0.0;
                  finite += v - v;
                  best += later(max, v) * (at - best);
                  max = Math.max(max, v);
                }
              }
              idx[q] = best;
            }
          }
        }
      }
      return finite == 0;
    }

    /** 1 where y > x, else 0, for finite x and y that are not -0.0; without a branch. */
    private static int later(double x, double y) {
      return (int) (Double.doubleToRawLongBits(x - y) >>> 63);
    }

    /** True where every window lies wholly inside the plane (no padding read): the float32 loops' case. */
    boolean allInside() {
      return yLo == 0 && yHi == oh && zLo == 0 && zHi == ow;
    }

    /**
     * {@link #finiteArgmaxes} on float32 planes as read, for planes whose windows all lie inside
     * ({@link #allInside}): the same argmaxes (a float32 value compares as its exact double does)
     * without converting each element to double and back, which took most of the time of LeNet's
     * first pool's scatter. The same tricks: +0.0f turns -0.0 into +0.0, the sign of x - y (never
     * 0 for distinct finite floats, subnormals included) is the comparison. False, idx unspecified,
     * if the chunk holds a NaN or an infinity.
     */
    boolean finiteArgmaxes(float[] s, int n, int[] idx) {
      boolean twoByTwo = win.kH() == 2 && win.kW() == 2 && win.dH() == 1 && win.dW() == 1;
      float finite = 0;
      int rowStep = win.dH() * w;
      int colStep = win.dW();
      int q = 0;
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++, q++) {
            int a = first(k, y, z);
            if (twoByTwo) {
              float v0 = s[a] + 0f;
              float v1 = s[a + 1] + 0f;
              float v2 = s[a + w] + 0f;
              float v3 = s[a + w + 1] + 0f;
              finite += (v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3);
              int topAt = a + later(v0, v1);
              int bottomAt = a + w + later(v2, v3);
              idx[q] = topAt + later(Math.max(v0, v1), Math.max(v2, v3)) * (bottomAt - topAt);
              continue;
            }
            int best = a;
            float max = s[a] + 0f;
            finite += max - max;
            for (int i = 0, row = a; i < win.kH(); i++, row += rowStep) {
              for (int j = i == 0 ? 1 : 0; j < win.kW(); j++) {
                int at = row + j * colStep;
                float v = s[at] + 0f;
                finite += v - v;
                best += later(max, v) * (at - best);
                max = Math.max(max, v);
              }
            }
            idx[q] = best;
          }
        }
      }
      return finite == 0;
    }

    private static int later(float x, float y) {
      return Float.floatToRawIntBits(x - y) >>> 31;
    }

    /** argmax of a window that overlaps the padding: only its elements inside the plane compete. */
    private int border(double[] s, int k, int y, int z) {
      int best = -1;
      double max = Double.NEGATIVE_INFINITY;
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
          int at = k * in() + ih * w + iw;
          double v = s[at];
          if (best < 0 || v > max || v != v && max == max) {
            max = v;
            best = at;
          }
        }
      }
      return best;
    }

    /**
     * o[k Ho Wo + q] = the sum, in row-major order from 0, of window q of plane k of s, padding
     * read as zeros (average pooling scales it).
     */
    void windowSums(double[] s, int n, double[] o) {
      int q = 0;
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++, q++) {
            double sum = 0;
            if (inside(y, z)) {
              int a = first(k, y, z);
              for (int i = 0; i < win.kH(); i++) {
                int row = a + i * win.dH() * w;
                for (int j = 0; j < win.kW(); j++) {
                  sum += s[row + j * win.dW()];
                }
              }
            } else {
              for (int i = 0; i < win.kH(); i++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                for (int j = 0; ih >= 0 && ih < h && j < win.kW(); j++) {
                  int iw = z * win.sW() - win.padLeft() + j * win.dW();
                  if (iw >= 0 && iw < w) {
                    sum += s[k * in() + ih * w + iw];
                  }
                }
              }
            }
            o[q] = sum;
          }
        }
      }
    }

    /**
     * o[...] += g[k Ho Wo + q] at every element of window q of plane k inside the plane (o
     * holding the n planes of a chunk), each add rounded as the buffer rounds: the transpose of
     * {@link #windowSums}.
     */
    void spread(double[] g, int n, double scale, boolean single, double[] o) {
      int q = 0;
      for (int k = 0; k < n; k++) {
        for (int y = 0; y < oh; y++) {
          for (int z = 0; z < ow; z++, q++) {
            double v = g[q] * scale;
            if (inside(y, z)) {
              int a = first(k, y, z);
              for (int i = 0; i < win.kH(); i++) {
                int row = a + i * win.dH() * w;
                for (int j = 0; j < win.kW(); j++) {
                  int at = row + j * win.dW();
                  o[at] = Buf.sum(single, o[at], v);
                }
              }
            } else {
              for (int i = 0; i < win.kH(); i++) {
                int ih = y * win.sH() - win.padTop() + i * win.dH();
                for (int j = 0; ih >= 0 && ih < h && j < win.kW(); j++) {
                  int iw = z * win.sW() - win.padLeft() + j * win.dW();
                  if (iw >= 0 && iw < w) {
                    int at = k * in() + ih * w + iw;
                    o[at] = Buf.sum(single, o[at], v);
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** out = the mean of each window of x over kH kW elements, padding counted as zeros. */
  public static final class AvgPool {
    private final Planes p;
    private final Buf x;
    private final Buf out;

    public AvgPool(INDArray x, INDArray out, Window win) {
      this.p = new Planes(x, out, win);
      this.x = Buf.of(x, "avg_pool's input");
      this.out = Buf.of(out, "avg_pool's output");
    }

    public void run() {
      double scale = 1.0 / (p.win.kH() * p.win.kW());
      double[] in = Scratch.doubles(0, (long) p.chunk * p.in());
      double[] o = Scratch.doubles(1, (long) p.chunk * p.out());
      for (int pl = 0; pl < p.planes; pl += p.chunk) {
        int n = p.count(pl);
        x.read((long) pl * p.in(), in, 0, n * p.in());
        p.windowSums(in, n, o);
        for (int q = 0; q < n * p.out(); q++) {
          o[q] *= scale;
        }
        out.write((long) pl * p.out(), o, 0, n * p.out());
      }
    }
  }

  /** out [B, C, H, W] = the transpose of avg_pool applied to g: each g spread evenly over its window. */
  public static final class AvgPoolTranspose {
    private final Planes p;
    private final Buf g;
    private final Buf out;

    public AvgPoolTranspose(INDArray g, INDArray out, Window win) {
      this.p = new Planes(out, g, win);
      this.g = Buf.of(g, "avg_pool_transpose's input");
      this.out = Buf.of(out, "avg_pool_transpose's output");
    }

    public void run() {
      double scale = 1.0 / (p.win.kH() * p.win.kW());
      double[] o = Scratch.doubles(0, (long) p.chunk * p.in());
      double[] gs = Scratch.doubles(1, (long) p.chunk * p.out());
      boolean single = out.single();
      for (int pl = 0; pl < p.planes; pl += p.chunk) {
        int n = p.count(pl);
        g.read((long) pl * p.out(), gs, 0, n * p.out());
        java.util.Arrays.fill(o, 0, n * p.in(), 0.0);
        p.spread(gs, n, scale, single, o);
        out.write((long) pl * p.in(), o, 0, n * p.in());
      }
    }
  }

  /**
   * out [B, C, Ho, Wo] = v at the argmax of each window of s (both [B, C, H, W]). With s = v it is
   * max pooling; with v a cotangent, the VJP of the scatter below.
   */
  public static final class MaxPoolGather {
    private final Planes p;
    private final Buf s;
    private final Buf v;
    private final Buf out;

    private final DnnlConvolutions.Bound primitive;
    /** True for float32 arrays whose windows all lie inside: {@link #floatChunk}, else {@link #chunk}. */
    private final boolean float32;

    /** Bound to its arrays, in Java (for use outside a generated trainer). */
    public MaxPoolGather(INDArray s, INDArray v, INDArray out, Window win) {
      this(s, v, out, win, null);
    }

    /**
     * Bound to its arrays. Max pooling itself (v is s) of float32 host arrays binds oneDNN's
     * pooling primitive where it loads and the setting allows ({@code -Dbpnet.conv} auto or dnnl),
     * owned by {@code buffers}: a quarter of the Java loop's time on LeNet's first pool. It
     * computes only the maxima, which are the same values whatever the tie order (zeros' signs
     * aside; a window with a NaN gives oneDNN's choice, not the NaN); the argmax that the gathers at
     * another value's argmax and the scatters use stays the Java one. Windows made of padding
     * alone (padding of a kernel's extent or more) keep the Java loop, which gives them 0.
     */
    public MaxPoolGather(INDArray s, INDArray v, INDArray out, Window win, Buffers buffers) {
      this.p = new Planes(s, out, win);
      this.s = Buf.of(s, "max_pool's argmax source");
      // max pooling itself reads one buffer for both
      this.v = v == s ? null : Buf.of(v, "max_pool's values");
      this.out = Buf.of(out, "max_pool's output");
      boolean everyWindowReal = win.padTop() <= (win.kH() - 1) * win.dH() && win.padBottom() <= (win.kH() - 1) * win.dH()
          && win.padLeft() <= (win.kW() - 1) * win.dW() && win.padRight() <= (win.kW() - 1) * win.dW();
      this.primitive = v == s && buffers != null && everyWindowReal && NativeConvolutions.dnnlAllowed()
          ? DnnlConvolutions.maxPool(s, out, win, buffers) : null;
      this.float32 = this.s.single() && (this.v == null || this.v.single()) && this.out.single() && p.allInside();
    }

    /** What it runs: "oneDNN " and the pooling primitive's implementation, or "Java". */
    public String impl() {
      return primitive != null ? "oneDNN " + primitive.name() : "Java";
    }

    public void run() {
      if (primitive != null) {
        primitive.run();
        return;
      }
      for (int pl = 0; pl < p.planes; pl += p.chunk) {
        if (!float32 || !floatChunk(pl, p.count(pl))) {
          chunk(pl, p.count(pl));
        }
      }
    }

    /** The n planes from plane pl, through doubles. */
    private void chunk(int pl, int n) {
      double[] ss = Scratch.doubles(0, (long) p.chunk * p.in());
      double[] vs = v == null ? ss : Scratch.doubles(2, (long) p.chunk * p.in());
      double[] o = Scratch.doubles(1, (long) p.chunk * p.out());
      int[] idx = Scratch.ints((long) p.chunk * p.out());
      s.read((long) pl * p.in(), ss, 0, n * p.in());
      if (v != null) {
        v.read((long) pl * p.in(), vs, 0, n * p.in());
      }
      p.argmaxes(ss, n, idx);
      for (int q = 0; q < n * p.out(); q++) {
        o[q] = idx[q] < 0 ? 0.0 : vs[idx[q]];
      }
      out.write((long) pl * p.out(), o, 0, n * p.out());
    }

    /** The n planes from plane pl in float32 throughout (the same bits); false, nothing written, where a value is not finite. */
    private boolean floatChunk(int pl, int n) {
      float[] ss = Scratch.floats(1, (long) p.chunk * p.in());
      float[] vs = v == null ? ss : Scratch.floats(2, (long) p.chunk * p.in());
      float[] o = Scratch.floats(3, (long) p.chunk * p.out());
      int[] idx = Scratch.ints((long) p.chunk * p.out());
      s.floats().get(pl * p.in(), ss, 0, n * p.in());
      if (!p.finiteArgmaxes(ss, n, idx)) {
        return false;
      }
      if (v != null) {
        v.floats().get(pl * p.in(), vs, 0, n * p.in());
      }
      for (int q = 0; q < n * p.out(); q++) {
        o[q] = vs[idx[q]];
      }
      out.floats().put(pl * p.out(), o, 0, n * p.out());
      return true;
    }
  }

  /** out [B, C, H, W] = g [B, C, Ho, Wo] added at the argmax of each window of s, 0 elsewhere: max pooling's VJP. */
  public static final class MaxPoolScatter {
    private final Planes p;
    private final Buf s;
    private final Buf g;
    private final Buf out;

    /** True for float32 arrays whose windows all lie inside: {@link #floatChunk}, else {@link #chunk}. */
    private final boolean float32;

    public MaxPoolScatter(INDArray s, INDArray g, INDArray out, Window win) {
      this.p = new Planes(s, g, win);
      this.s = Buf.of(s, "max_pool's argmax source");
      this.g = Buf.of(g, "max_pool's cotangent");
      this.out = Buf.of(out, "max_pool_scatter's output");
      this.float32 = this.s.single() && this.g.single() && this.out.single() && p.allInside();
    }

    public void run() {
      for (int pl = 0; pl < p.planes; pl += p.chunk) {
        if (!float32 || !floatChunk(pl, p.count(pl))) {
          chunk(pl, p.count(pl));
        }
      }
    }

    /** The n planes from plane pl, through doubles. */
    private void chunk(int pl, int n) {
      double[] ss = Scratch.doubles(0, (long) p.chunk * p.in());
      double[] gs = Scratch.doubles(1, (long) p.chunk * p.out());
      double[] o = Scratch.doubles(2, (long) p.chunk * p.in());
      int[] idx = Scratch.ints((long) p.chunk * p.out());
      boolean single = out.single();
      s.read((long) pl * p.in(), ss, 0, n * p.in());
      g.read((long) pl * p.out(), gs, 0, n * p.out());
      p.argmaxes(ss, n, idx);
      java.util.Arrays.fill(o, 0, n * p.in(), 0.0);
      for (int q = 0; q < n * p.out(); q++) {
        if (idx[q] >= 0) {
          o[idx[q]] = Buf.sum(single, o[idx[q]], gs[q]);
        }
      }
      out.write((long) pl * p.in(), o, 0, n * p.in());
    }

    /**
     * The n planes from plane pl in float32 throughout, the same bits as {@link #chunk} (a float
     * sum is the double sum rounded to float); false, nothing written, where a value is not
     * finite (then {@link #chunk} gives NaN its place).
     */
    private boolean floatChunk(int pl, int n) {
      float[] ss = Scratch.floats(1, (long) p.chunk * p.in());
      float[] gs = Scratch.floats(2, (long) p.chunk * p.out());
      float[] o = Scratch.floats(3, (long) p.chunk * p.in());
      int[] idx = Scratch.ints((long) p.chunk * p.out());
      s.floats().get(pl * p.in(), ss, 0, n * p.in());
      if (!p.finiteArgmaxes(ss, n, idx)) {
        return false;
      }
      g.floats().get(pl * p.out(), gs, 0, n * p.out());
      java.util.Arrays.fill(o, 0, n * p.in(), 0f);
      for (int q = 0; q < n * p.out(); q++) {
        o[idx[q]] += gs[q];
      }
      out.floats().put(pl * p.in(), o, 0, n * p.in());
      return true;
    }
  }

  /**
   * The geometry of unfold and fold: an input x [B, C, H, W] and its columns [B, Ho Wo, C kH kW],
   * cols[b, y Wo + z, (c kH + i) kW + j] = x[b, c, y sH - padTop + i dH, z sW - padLeft + j dW].
   * Both run per example: its input planes and its block of columns as arrays.
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

    int input() {
      return c * h * w;
    }

    int block() {
      return oh * ow * c * win.kH() * win.kW();
    }

    /**
     * Visits every column element of one example in order: {@code v.at(q, i)} with q its index
     * in the block and i the index in the example's input that it reads, -1 where it reads padding.
     */
    void each(Visitor v) {
      int q = 0;
      for (int y = 0; y < oh; y++) {
        for (int z = 0; z < ow; z++) {
          for (int ci = 0; ci < c; ci++) {
            int plane = ci * h * w;
            for (int i = 0; i < win.kH(); i++) {
              int ih = y * win.sH() - win.padTop() + i * win.dH();
              boolean inH = ih >= 0 && ih < h;
              for (int j = 0; j < win.kW(); j++, q++) {
                int iw = z * win.sW() - win.padLeft() + j * win.dW();
                v.at(q, inH && iw >= 0 && iw < w ? plane + ih * w + iw : -1);
              }
            }
          }
        }
      }
    }

    interface Visitor {
      void at(int column, int input);
    }
  }

  /** out [B, Ho Wo, C kH kW] = unfold(x [B, C, H, W]) (im2col, one row per output position), zero where padding is read. */
  public static final class Unfold {
    private final Columns d;
    private final Buf x;
    private final Buf out;

    public Unfold(INDArray x, INDArray out, Window win) {
      this.d = new Columns(x, out, win);
      this.x = Buf.of(x, "unfold's input");
      this.out = Buf.of(out, "unfold's output");
    }

    public void run() {
      double[] in = Scratch.doubles(0, d.input());
      double[] cols = Scratch.doubles(1, d.block());
      for (int bi = 0; bi < d.b; bi++) {
        x.read((long) bi * d.input(), in, 0, d.input());
        d.each((q, i) -> cols[q] = i < 0 ? 0.0 : in[i]);
        out.write((long) bi * d.block(), cols, 0, d.block());
      }
    }
  }

  /** out [B, C, H, W] = fold(cols [B, Ho Wo, C kH kW]) (col2im), the transpose of unfold: each column element added where it was read. */
  public static final class Fold {
    private final Columns d;
    private final Buf cols;
    private final Buf out;

    public Fold(INDArray cols, INDArray out, Window win) {
      this.d = new Columns(out, cols, win);
      this.cols = Buf.of(cols, "fold's input");
      this.out = Buf.of(out, "fold's output");
    }

    public void run() {
      double[] x = Scratch.doubles(0, d.input());
      double[] cs = Scratch.doubles(1, d.block());
      boolean single = out.single();
      for (int bi = 0; bi < d.b; bi++) {
        cols.read((long) bi * d.block(), cs, 0, d.block());
        java.util.Arrays.fill(x, 0, d.input(), 0.0);
        d.each((q, i) -> {
          if (i >= 0) {
            x[i] = Buf.sum(single, x[i], cs[q]);
          }
        });
        out.write((long) bi * d.input(), x, 0, d.input());
      }
    }
  }
}
