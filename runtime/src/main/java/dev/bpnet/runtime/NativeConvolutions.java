package dev.bpnet.runtime;

import dev.bpnet.runtime.Convolutions.Window;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The one place that decides whether the convolution ops of {@link Convolutions} run oneDNN
 * called directly ({@link DnnlConvolutions}), ND4J's native ops ({@code conv2d}, {@code deconv2d},
 * {@code conv2d_bp}) or the runtime's im2col + gemm over Java arrays, and the bound native ops
 * themselves.
 *
 * <p>Why: libnd4j built with oneDNN (the {@code nd4j-native} classifiers {@code linux-x86_64-onednn}
 * and {@code -onednn-avx2}/{@code -avx512}) runs these ops as oneDNN's direct convolutions, which
 * are several times faster than im2col + OpenBLAS on one thread (BENCHMARKS.md); without oneDNN,
 * libnd4j's own native convolution is 2-18 times slower than the runtime's. So by default the
 * native ops are used only when the loaded libnd4j reports oneDNN in its build information.
 *
 * <p>The choice, read once per JVM: the system property {@value #PROPERTY} or else the
 * environment variable {@value #ENV}, {@code auto} (the default: oneDNN called directly,
 * {@link DnnlConvolutions}, for float32 host arrays where it loads; else native where libnd4j has
 * oneDNN, the geometry can be expressed and the measured per-shape rule of {@link #worthIt} says it
 * is faster), {@code java} (im2col + gemm always), {@code dnnl} (oneDNN called directly wherever
 * it loads, else Java) or {@code native} (ND4J's ops wherever the geometry can be expressed,
 * whatever the backend and shape: for tests and benchmarks). {@link Convolutions#use} changes it
 * for ops bound afterwards.
 *
 * <p>What can be expressed: float32 only (oneDNN's ops here take no float64; the float64 trainers
 * of the gradient checks keep the Java ops), dilation 1 (the oneDNN glue of ND4J 1.0.0-M2.1
 * derives the right padding ignoring dilation), and a padding that ND4J's VALID mode (one padding
 * per axis, both sides) or SAME mode (TensorFlow's: the odd pixel after) reproduces, output size
 * included; {@code deconv2d} runs in oneDNN in VALID mode only. Everything else binds the Java op.
 */
final class NativeConvolutions {
  static final String PROPERTY = "bpnet.conv";
  static final String ENV = "BPNET_CONV";

  private NativeConvolutions() {}

  /** The four settings; see the class comment. */
  enum Mode {
    AUTO, JAVA, NATIVE, DNNL;

    static Mode parse(String s, String where) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + " must be auto, java, native or dnnl, got '" + s + "'");
      }
    }
  }

  private static volatile Mode mode;
  private static volatile Boolean oneDnn;

  /** The setting now: {@link Convolutions#use}'s if called, else the property's or the variable's, else auto. */
  static Mode mode() {
    Mode m = mode;
    if (m == null) {
      String p = System.getProperty(PROPERTY);
      String e = System.getenv(ENV);
      m = p != null ? Mode.parse(p, "-D" + PROPERTY) : e != null ? Mode.parse(e, ENV) : Mode.AUTO;
      mode = m;
    }
    return m;
  }

  static void mode(Mode m) {
    mode = m;
  }

  /**
   * True when the loaded libnd4j was built with oneDNN and may use it: its build information
   * names {@code HAVE_ONEDNN} and platform helpers are allowed. Asked once.
   */
  static boolean oneDnn() {
    Boolean b = oneDnn;
    if (b == null) {
      Nd4j.getEnvironment();  // loads the backend: NativeOpsHolder needs its properties
      String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
      b = info != null && info.contains("HAVE_ONEDNN") && Nd4j.getEnvironment().helpersAllowed();
      oneDnn = b;
    }
    return b;
  }

  /** The three convolution primitives, by the native op that computes each. */
  enum Kind {
    /** y = conv(x, k): {@code conv2d}. */
    FORWARD,
    /** dx = convT(g, k): {@code deconv2d} (oneDNN's backward-data convolution). */
    INPUT_GRADIENT,
    /** dk = convW(x, g): {@code conv2d_bp}, whose input gradient goes to scratch. */
    FILTER_GRADIENT
  }

  /**
   * ND4J's integer arguments for a convolution of an h x w input to oh x ow: kH, kW, sH, sW, pH,
   * pW, dH, dW, padding mode (0 VALID, 1 SAME), data format (0 NCHW), weight format; or null if
   * ND4J cannot express this window. {@code weightFormat} 1 is [oC, iC, kH, kW] for conv2d and
   * conv2d_bp and [iC, oC, kH, kW] for deconv2d: in both, the runtime's [F, C, kH, kW].
   */
  static int[] arguments(Kind kind, Window win, int h, int w, int oh, int ow) {
    if (win.dH() != 1 || win.dW() != 1) {
      return null;
    }
    // deconv2d runs in oneDNN only in VALID mode (its SAME mode falls back to libnd4j's own loops)
    for (int same = 0; same <= (kind == Kind.INPUT_GRADIENT ? 0 : 1); same++) {
      int pH = same == 1 ? samePadding(h, oh, win.kH(), win.sH()) : win.padTop();
      int pW = same == 1 ? samePadding(w, ow, win.kW(), win.sW()) : win.padLeft();
      boolean sizes = kind == Kind.INPUT_GRADIENT
          ? win.sH() * (oh - 1) + win.kH() - 2 * pH == h && win.sW() * (ow - 1) + win.kW() - 2 * pW == w
          : outSize(h, win.kH(), win.sH(), pH, same) == oh && outSize(w, win.kW(), win.sW(), pW, same) == ow;
      // oneDNN's right padding, derived by ND4J from the sizes: the runtime's may be larger (it
      // only decides the output count), never smaller than 0
      boolean right = (oh - 1) * win.sH() - h + win.kH() - pH >= 0 && (ow - 1) * win.sW() - w + win.kW() - pW >= 0;
      if (sizes && right && pH == win.padTop() && pW == win.padLeft()) {
        return new int[] {win.kH(), win.kW(), win.sH(), win.sW(), pH, pW, 1, 1, same, 0, 1};
      }
    }
    return null;
  }

  /** libnd4j's ConvolutionUtils::calcOutSizePool2D for dilation 1: VALID floor((n - k + 2p) / s) + 1, SAME ceil(n / s). */
  private static int outSize(int n, int k, int s, int p, int same) {
    return same == 1 ? (n + s - 1) / s : (n - k + 2 * p) / s + 1;
  }

  /** libnd4j's ConvolutionUtils::calcPadding2D for SAME and dilation 1: the padding before (C's truncating division). */
  private static int samePadding(int n, int out, int k, int s) {
    return ((out - 1) * s + k - n) / 2;
  }

  /**
   * Whether {@code auto} binds the native op for this primitive and shape, from single-layer
   * timings with oneDNN loaded ({@code bench/run.sh --conv-ops --nd4j linux-x86_64-onednn}, BENCHMARKS.md), where the
   * input x has c channels of h x w:
   *
   * <ul>
   *   <li>the forward convolution: always (2.5-5 times faster on every layer measured);
   *   <li>the input gradient ({@code deconv2d}): unless x has one channel (LeNet's first layer:
   *       oneDNN's kernel for one output channel took 7.5 ms against 3.9 for gemm + col2im; with
   *       three channels it is already twice as fast);
   *   <li>the filter gradient ({@code conv2d_bp}): only where its wasted input gradient is cheap.
   *       ND4J asks oneDNN for {@code convolution_auto}, which takes Winograd for 3x3 stride-1
   *       layers, and Winograd's backward-data pass over 32 x 32 planes took 160 ms of conv2d_bp's
   *       165 (the weights pass 6-8 ms; im2col + gemm 16-46 ms); one channel at 28 x 28 took 7 ms
   *       (im2col + gemm 3.6). At 16 x 16 and below, and at stride 2, it was 1.5-3 times faster
   *       than im2col + gemm. So: strided, or planes of at most 16 x 16.
   * </ul>
   */
  static boolean worthIt(Kind kind, Window win, int c, int h, int w) {
    return switch (kind) {
      case FORWARD -> true;
      case INPUT_GRADIENT -> c > 1;
      case FILTER_GRADIENT -> win.sH() > 1 || win.sW() > 1 || (long) h * w <= 16 * 16;
    };
  }

  /**
   * Whether {@code kind} should bind oneDNN called directly ({@link DnnlConvolutions}) for these
   * arrays: under {@code dnnl}, and under {@code auto}, for float32 host arrays where oneDNN loaded.
   * The op binds Java (or ND4J's native op, by {@link #choose}) where oneDNN then declines.
   */
  static boolean dnnl(Kind kind, Window win, INDArray x, INDArray g) {
    return dnnlAllowed() && x.dataType() == DataType.FLOAT && g.dataType() == DataType.FLOAT
        && DnnlConvolutions.available();
  }

  /** Whether the setting lets oneDNN called directly bind ({@code auto} or {@code dnnl}): also for the ReLU's VJP. */
  static boolean dnnlAllowed() {
    Mode m = mode();
    return m == Mode.DNNL || m == Mode.AUTO;
  }

  /**
   * Which implementation binds {@code kind} for these arrays when oneDNN called directly does not:
   * the native op's arguments, or null for the Java op.
   */
  static int[] choose(Kind kind, Window win, INDArray x, INDArray g) {
    Mode m = mode();
    if (m == Mode.JAVA || m == Mode.DNNL || x.dataType() != DataType.FLOAT || g.dataType() != DataType.FLOAT) {
      return null;
    }
    int[] args = arguments(kind, win, (int) x.size(2), (int) x.size(3), (int) g.size(2), (int) g.size(3));
    if (args == null || m == Mode.NATIVE) {
      return args;
    }
    return oneDnn() && worthIt(kind, win, (int) x.size(1), (int) x.size(2), (int) x.size(3)) ? args : null;
  }

  /**
   * A native op bound to its arrays once, with its own op context (inputs, outputs, arguments set
   * once), run each step without allocating an INDArray; the context is freed with the buffers
   * the ops are bound to.
   */
  static final class Bound implements AutoCloseable {
    private final String name;
    private final DynamicCustomOp op;
    private final OpContext context;

    Bound(String name, INDArray[] inputs, INDArray[] outputs, int[] args, Buffers buffers) {
      this.name = name;
      long[] iargs = new long[args.length];
      for (int i = 0; i < args.length; i++) {
        iargs[i] = args[i];
      }
      this.op = DynamicCustomOp.builder(name).addInputs(inputs).addOutputs(outputs).addIntegerArguments(args).build();
      this.context = Nd4j.getExecutioner().buildContext();
      context.setInputArrays(inputs);
      context.setOutputArrays(outputs);
      context.setIArguments(iargs);
      buffers.own(this);
    }

    void run() {
      Nd4j.getExecutioner().exec(op, context);
    }

    String name() {
      return name;
    }

    @Override
    public void close() throws Exception {
      context.close();
    }
  }
}
