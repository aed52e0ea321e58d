package dev.bpnet.runtime;

import static org.bytedeco.dnnl.global.dnnl.*;

import dev.bpnet.runtime.Convolutions.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_v2_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The three convolution ops as oneDNN primitives called directly (its C API through the JavaCPP
 * presets {@code org.bytedeco:dnnl}), bound to their arrays once and run each step without
 * allocating.
 *
 * <p>Why: oneDNN's direct convolutions (JIT kernels picked per CPU when the library loads: AVX2,
 * AVX-512, ...) are what PyTorch runs on a CPU, several times faster than the runtime's im2col +
 * gemm over Java arrays; ND4J reaches them only in its oneDNN builds, through glue that cannot
 * express asymmetric padding, dilation, a stride-2 {@code same} input gradient, or a filter
 * gradient alone. Calling oneDNN directly covers every window of {@link Window}: padding before and
 * after each axis, stride, dilation (oneDNN counts the gaps: ours minus one), any kernel size.
 *
 * <p>What binds here: float32 host arrays (oneDNN has no float64 convolution; the float64 trainers
 * of the gradient checks keep the Java ops; CUDA arrays live on the device), dense and c-ordered,
 * where the library loads. Each op is one primitive over the arrays' own memory in the plain
 * layouts (activations {@code nchw}, kernels {@code oihw}) or, where {@link #blocked} says so
 * (most ops: measured faster), the primitive oneDNN prefers for {@code format_tag any} with
 * reorders to and from the plain arrays around it (through shared scratch). The primitive's scratchpad is user-managed: shared
 * scratch of {@link Buffers}, like the Java ops' columns, so a run allocates nothing.
 *
 * <p>Threads: the presets bring their own OpenMP runtime ({@code libgomp.so.1}), which reads
 * {@code OMP_NUM_THREADS} as it loads; in one process with libnd4j both resolve to one libgomp,
 * so {@link Backend#setThreads} applies to oneDNN too (DnnlConvolutionsTest checks CPU time).
 */
final class DnnlConvolutions {
  private DnnlConvolutions() {}

  /** The system property choosing the layouts oneDNN computes in: {@code auto} (the default), {@code plain} or {@code blocked}. */
  static final String LAYOUT_PROPERTY = "bpnet.dnnl.layout";

  /** The CPU engine, made once; null if the library could not load. */
  private static final class Library {
    static final dnnl_engine ENGINE;
    static final String FAILURE;
    /** Whether oneDNN runs AVX-512 kernels here (the CPU has them and {@code DNNL_MAX_CPU_ISA} allows them). */
    static final boolean AVX512;

    static {
      dnnl_engine engine = null;
      String failure = null;
      boolean avx512 = false;
      try {
        Loader.load(org.bytedeco.dnnl.global.dnnl.class);
        engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine_create");
        avx512 = (dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
      } catch (Throwable t) {  // UnsatisfiedLinkError, NoClassDefFoundError, ...: the Java ops run instead
        failure = t.toString();
        engine = null;
      }
      ENGINE = engine;
      FAILURE = failure;
      AVX512 = avx512;
      if (failure != null && Boolean.getBoolean("bpnet.verbose")) {
        System.err.println("bpnet: oneDNN did not load, convolutions run in Java: " + failure);
      }
    }
  }

  /**
   * One stream per thread: a oneDNN stream is not to be shared between threads, and models
   * predict from several (each with its own buffers, so the primitives' scratch is theirs). Its own
   * class, touched only by ops already bound: where the presets' classes are missing, loading it
   * would fail, and {@link Library} must fail inside its guard.
   */
  private static final class Streams {
    static final ThreadLocal<dnnl_stream> STREAM = ThreadLocal.withInitial(() -> {
      dnnl_stream stream = new dnnl_stream();
      check(dnnl_stream_create(stream, Library.ENGINE, dnnl_stream_default_flags), "stream_create");
      return stream;
    });
  }

  /**
   * True when oneDNN loaded and made its CPU engine (asked once; a failure is remembered, noted on
   * stderr only with {@code -Dbpnet.verbose=true}) and ND4J's arrays are host memory.
   */
  static boolean available() {
    // host arrays first: with the CUDA backend the library is not even loaded
    return Nd4j.getEnvironment().isCPU() && Library.ENGINE != null;
  }

  /** Why oneDNN is not available, or null. */
  static String failure() {
    return Library.FAILURE;
  }

  /**
   * Whether an op computes in oneDNN's preferred layouts (blocked, e.g. {@code nChw16c}, with
   * reorders from and to the arrays) rather than on the arrays' plain ones (where oneDNN runs its
   * gemm-based convolution, {@code gemm:jit}): {@code -Dbpnet.dnnl.layout=blocked} or
   * {@code plain} force either; {@code auto} (the default) is the rule measured on single layers of
   * LeNet and plain-20, float32, batch 128, one thread, with AVX-512 and with
   * {@code DNNL_MAX_CPU_ISA=AVX2} ({@code bench/run.sh --conv-ops}, BENCHMARKS.md). Blocked,
   * reorders included, was 1.15-4.4 times faster than plain for every op of every layer with at
   * least 4 input channels, and for the forward convolution of all; with fewer channels (the
   * first layer) the input gradient was slower blocked (one channel: 8.1 ms against 2.4 with
   * AVX-512, 4.2 against 2.1 with AVX2; three: 5.4 against 5.0, 5.3 against 3.9), and so was the
   * filter gradient of one channel with AVX2 only (4.2 against 2.8; with AVX-512 0.8 against 3.5).
   */
  static boolean blocked(NativeConvolutions.Kind kind, int channels) {
    String s = System.getProperty(LAYOUT_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "auto" -> channels >= 4 || switch (kind) {
        case FORWARD -> true;
        case INPUT_GRADIENT -> false;
        case FILTER_GRADIENT -> channels > 1 || Library.AVX512;
      };
      case "plain" -> false;
      case "blocked" -> true;
      default -> throw new IllegalArgumentException("-D" + LAYOUT_PROPERTY + " must be auto, plain or blocked, got '" + s + "'");
    };
  }

  /**
   * out = g * [a > 0], the ReLU's VJP from its output a (a > 0 exactly where its input is): one
   * oneDNN eltwise backward primitive ({@code relu_use_dst_for_bwd}) in place of a mask and a
   * multiply, one pass instead of two. Float32 arrays of one shape, dense, from the start of their
   * buffers; null otherwise, or where oneDNN is not available.
   */
  static Bound reluBackward(INDArray a, INDArray g, INDArray out, Buffers buffers) {
    if (!available() || !flat(a) || !flat(g) || !flat(out) || !a.equalShapes(g) || !a.equalShapes(out)) {
      return null;
    }
    return built(buffers, b -> b.buildReluBackward(a, g, out, buffers));
  }

  /**
   * y = max_pool(x) over the window (padding ignored, as the Java op), oneDNN's pooling forward
   * (inference: the maxima only, no argmax) on the arrays' plain NCHW layout; null where oneDNN is
   * not available, an array does not fit, or oneDNN declines.
   */
  static Bound maxPool(INDArray x, INDArray y, Window win, Buffers buffers) {
    if (!available() || !fits(x) || !fits(y)) {
      return null;
    }
    return built(buffers, b -> b.buildMaxPool(x, y, win, buffers));
  }

  private static boolean flat(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && a.offset() == 0 && a.data().offset() == 0
        && a.elementWiseStride() == 1 && a.length() > 0;
  }

  /** A float32 vector of n elements oneDNN can read in place (a bias). */
  static boolean fitsVector(INDArray v, long n) {
    return flat(v) && v.length() == n;
  }

  /** True for arrays oneDNN can compute on in place: float32, dense, c-ordered, from the start of their buffer. */
  static boolean fits(INDArray a) {
    return flat(a) && a.rank() == 4;
  }

  private static void check(int status, String what) {
    if (status != dnnl_success) {
      throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }
  }

  /** y = conv(x, k), or null if oneDNN cannot bind it. */
  static Bound forward(INDArray x, INDArray k, INDArray y, Window win, Buffers buffers) {
    return bind(NativeConvolutions.Kind.FORWARD, x, k, y, win, buffers, null, false);
  }

  /**
   * y = relu(conv(x, k) + bias), the bias ([F], along the channels; null for none) and the ReLU
   * (if {@code relu}) as post-ops of the convolution: applied to each output as it is stored, after
   * its sum is complete, so the result equals the three ops one after another to the bit (but for
   * the sign of zero: oneDNN's ReLU gives -0.0 for negative sums), without two more passes over y. The bias is a binary add, not the primitive's own bias argument, which
   * some kernels add before the sum is complete (other rounding). Null if oneDNN cannot bind it.
   */
  static Bound forward(INDArray x, INDArray k, INDArray bias, boolean relu, INDArray y, Window win, Buffers buffers) {
    if (bias != null && !fitsVector(bias, y.size(1))) {
      return null;
    }
    return bind(NativeConvolutions.Kind.FORWARD, x, k, y, win, buffers, bias, relu);
  }

  /** dx = convT(g, k): the input gradient; x's shape is dx's. Null if oneDNN cannot bind it. */
  static Bound inputGradient(INDArray g, INDArray k, INDArray dx, Window win, Buffers buffers) {
    return bind(NativeConvolutions.Kind.INPUT_GRADIENT, dx, k, g, win, buffers, null, false);
  }

  /** dk = convW(x, g): the filter gradient, no bias. Null if oneDNN cannot bind it. */
  static Bound filterGradient(INDArray x, INDArray g, INDArray dk, Window win, Buffers buffers) {
    return bind(NativeConvolutions.Kind.FILTER_GRADIENT, x, dk, g, win, buffers, null, false);
  }

  /**
   * Binds one of the three primitives of the convolution x [B, C, H, W] * k [F, C, kH, kW] = y
   * [B, F, Ho, Wo]; for each kind two of the arrays are read and the third written. Null where
   * oneDNN is not available, an array does not fit, or oneDNN declines the descriptor.
   */
  private static Bound bind(NativeConvolutions.Kind kind, INDArray x, INDArray k, INDArray y, Window win,
      Buffers buffers, INDArray bias, boolean relu) {
    if (!available() || !fits(x) || !fits(k) || !fits(y)) {
      return null;
    }
    return built(buffers, b -> b.build(kind, x, k, y, win, blocked(kind, (int) x.size(1)), buffers, bias, relu));
  }

  /** How a new Bound is built; may decline. */
  private interface Builder {
    void build(Bound b) throws Declined;
  }

  /** A Bound built by {@code how} and owned by {@code buffers}; null where oneDNN declined, closed on any failure. */
  private static Bound built(Buffers buffers, Builder how) {
    Bound b = new Bound();
    b.owner = buffers;
    try {
      how.build(b);
    } catch (Declined d) {
      b.close();
      return null;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
    return buffers.own(b);
  }

  /** oneDNN rejected a descriptor (status {@code unimplemented} or {@code invalid_arguments}): the Java op binds. */
  private static final class Declined extends Exception {
    Declined(String what, int status) {
      super(what + ": " + status, null, false, false);
    }
  }

  /** One primitive and its arguments, executed in order by {@link Bound#run}. */
  private record Step(dnnl_primitive primitive, dnnl_exec_arg_t args, int count) {}

  /**
   * An array in the layout a primitive computes in ({@code md}), held in {@code memory}: in shared
   * scratch while only its own op reads it, in memory of its own ({@link #own}) once another op
   * reads it too ({@link Bound#reuse}).
   */
  private static final class Copy {
    final dnnl_memory memory;
    final dnnl_memory_desc_t md;
    final long bytes;
    private boolean owned;

    Copy(dnnl_memory memory, dnnl_memory_desc_t md, long bytes) {
      this.memory = memory;
      this.md = md;
      this.bytes = bytes;
    }

    /** Moves the copy out of shared scratch (where the next op would overwrite it) into an array of its own. */
    void own(Buffers buffers) {
      if (!owned) {
        INDArray mine = buffers.zeros(DataType.FLOAT, Math.max(1, (bytes + 3) / 4));
        check(dnnl_memory_set_data_handle(memory, mine.data().addressPointer()), "memory_set_data_handle");
        owned = true;
      }
    }
  }

  /**
   * One array argument of a bound convolution: the user's array, and where the primitive wants
   * another layout, the copy it computes on and the reorder that makes it (null once the copy
   * comes from another op) or, for the output, writes it back.
   */
  private static final class Arg {
    final int id;
    final INDArray user;
    final boolean write;
    Copy copy;
    Step reorder;

    Arg(int id, INDArray user, boolean write) {
      this.id = id;
      this.user = user;
      this.write = write;
    }

    /** True if {@code other} holds the same array (the same memory and shape) in the same layout as this one wants. */
    boolean sameAs(Arg other) {
      return copy != null && other.copy != null && user.data().addressPointer().address()
          == other.user.data().addressPointer().address() && java.util.Arrays.equals(user.shape(), other.user.shape())
          && dnnl_memory_desc_equal(copy.md, other.copy.md) == 1;
    }
  }

  /** A bound op: its primitives (reorders in, the convolution, reorders out) and what they own. */
  static final class Bound implements AutoCloseable {
    private final List<Step> steps = new ArrayList<>();
    private final List<dnnl_primitive_desc> descs = new ArrayList<>();
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final List<Pointer> keep = new ArrayList<>();
    private final List<dnnl_primitive_attr> attrs = new ArrayList<>();
    /** A convolution's array arguments, for {@link #reuse}; empty for the other primitives. */
    private final List<Arg> args = new ArrayList<>();
    /** Reorders no longer run (their copies come from other ops), destroyed with the rest. */
    private final List<Step> dropped = new ArrayList<>();
    /** The convolution's own step, whose arguments {@link #reuse} re-points. */
    private Step main;
    /** The buffers that own this op, and the copies it lends to others. */
    private Buffers owner;
    /** The attr of the reorders and of primitives without post-ops. */
    private dnnl_primitive_attr attr;
    private String name = "";
    private int slots;

    /** The primitive's implementation as oneDNN names it, e.g. {@code convolution_forward jit:avx2}. */
    String name() {
      return name;
    }

    void run() {
      dnnl_stream stream = Streams.STREAM.get();
      for (Step s : steps) {
        check(dnnl_primitive_execute(s.primitive(), stream, s.count(), s.args()), "primitive_execute");
      }
      check(dnnl_stream_wait(stream), "stream_wait");
    }

    private void build(NativeConvolutions.Kind kind, INDArray x, INDArray k, INDArray y, Window win, boolean blocked,
        Buffers buffers, INDArray bias, boolean relu) throws Declined {
      attr = newAttr();
      dnnl_memory biasMem = null;
      dnnl_primitive_attr convAttr = attr;
      if (bias != null || relu) {
        // post-ops: an attr of their own for the forward descriptor (the reorders take the plain one)
        convAttr = newAttr();
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "post_ops_create");
        try {
          if (bias != null) {
            dnnl_memory_desc_t bMd = keep(new dnnl_memory_desc_t());
            check(dnnl_memory_desc_init_by_tag(bMd, 4, new long[] {1, bias.length(), 1, 1}, dnnl_f32, dnnl_nchw),
                "memory_desc_init_by_tag");
            check(dnnl_post_ops_append_binary(ops, dnnl_binary_add, bMd), "post_ops_append_binary");
            biasMem = memory(bMd, bias.data().addressPointer());
          }
          if (relu) {
            check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "post_ops_append_eltwise");
          }
          check(dnnl_primitive_attr_set_post_ops(convAttr, ops), "primitive_attr_set_post_ops");
        } finally {
          dnnl_post_ops_destroy(ops);
        }
      }
      dnnl_memory_desc_t xPlain = plain(x, dnnl_nchw);
      dnnl_memory_desc_t kPlain = plain(k, dnnl_oihw);
      dnnl_memory_desc_t yPlain = plain(y, dnnl_nchw);
      dnnl_memory_desc_t xMd = blocked ? any(x) : xPlain;
      dnnl_memory_desc_t kMd = blocked ? any(k) : kPlain;
      dnnl_memory_desc_t yMd = blocked ? any(y) : yPlain;
      long[] strides = {win.sH(), win.sW()};
      long[] dilates = {win.dH() - 1, win.dW() - 1};
      long[] padL = {win.padTop(), win.padLeft()};
      long[] padR = {win.padBottom(), win.padRight()};
      // the forward descriptor: the primitive itself, or the hint the backward ones require
      dnnl_convolution_desc_t fwd = keep(new dnnl_convolution_desc_t());
      declined(dnnl_dilated_convolution_forward_desc_init(fwd, dnnl_forward_training, dnnl_convolution_direct, xMd,
          kMd, null, yMd, strides, dilates, padL, padR), "convolution_forward_desc_init");
      dnnl_primitive_desc fwdPd = desc(new const_dnnl_op_desc_t(fwd), null, convAttr);
      dnnl_primitive_desc pd;
      int[] reads;
      int write;
      switch (kind) {
        case FORWARD -> {
          pd = fwdPd;
          reads = new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS};
          write = DNNL_ARG_DST;
        }
        case INPUT_GRADIENT -> {
          dnnl_convolution_desc_t bwd = keep(new dnnl_convolution_desc_t());
          declined(dnnl_dilated_convolution_backward_data_desc_init(bwd, dnnl_convolution_direct, xMd, kMd, yMd,
              strides, dilates, padL, padR), "convolution_backward_data_desc_init");
          pd = desc(new const_dnnl_op_desc_t(bwd), fwdPd, attr);
          reads = new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS};
          write = DNNL_ARG_DIFF_SRC;
        }
        case FILTER_GRADIENT -> {
          dnnl_convolution_desc_t bwd = keep(new dnnl_convolution_desc_t());
          declined(dnnl_dilated_convolution_backward_weights_desc_init(bwd, dnnl_convolution_direct, xMd, kMd, null,
              yMd, strides, dilates, padL, padR), "convolution_backward_weights_desc_init");
          pd = desc(new const_dnnl_op_desc_t(bwd), fwdPd, attr);
          reads = new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST};
          write = DNNL_ARG_DIFF_WEIGHTS;
        }
        default -> throw new AssertionError(kind);
      }
      name = info(pd);
      // each argument: the user's array, reordered through scratch where the primitive wants another layout
      List<Integer> argIds = new ArrayList<>();
      List<dnnl_memory> argMems = new ArrayList<>();
      List<Runnable> after = new ArrayList<>();
      int[] all = {reads[0], reads[1], write};
      for (int arg : all) {
        INDArray user = arrayOf(arg, x, k, y);
        Arg a = new Arg(arg, user, arg == write);
        args.add(a);
        dnnl_memory_desc_t userMd = plainOf(arg, xPlain, kPlain, yPlain);
        dnnl_memory userMem = memory(userMd, user.data().addressPointer());
        dnnl_memory_desc_t want = dnnl_primitive_desc_query_md(pd, queryOf(arg), 0);
        if (dnnl_memory_desc_equal(want, userMd) == 1) {
          argIds.add(arg);
          argMems.add(userMem);
          continue;
        }
        long bytes = dnnl_memory_desc_get_size(want);
        INDArray tmp = scratch(buffers, "oneDNN layout " + (slots++), bytes);
        dnnl_memory tmpMem = memory(want, tmp.data().addressPointer());
        a.copy = new Copy(tmpMem, want, bytes);
        argIds.add(arg);
        argMems.add(tmpMem);
        if (arg == write) {
          after.add(() -> a.reorder = reorder(want, tmpMem, userMd, userMem, buffers));
        } else {
          a.reorder = reorder(userMd, userMem, want, tmpMem, buffers);
        }
      }
      if (biasMem != null) {  // the binary post-op's second operand: post-op 0
        argIds.add(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1);
        argMems.add(biasMem);
      }
      main = step(pd, argIds, argMems, buffers);
      after.forEach(Runnable::run);
      if (relu) {
        name += " + relu";
      }
    }

    /** out = g * [a > 0] for a ReLU's output a: one eltwise backward primitive over the arrays, flat. */
    private void buildReluBackward(INDArray a, INDArray g, INDArray out, Buffers buffers) throws Declined {
      attr = newAttr();
      dnnl_memory_desc_t md = keep(new dnnl_memory_desc_t());
      check(dnnl_memory_desc_init_by_tag(md, 1, new long[] {a.length()}, dnnl_f32, dnnl_a), "memory_desc_init_by_tag");
      dnnl_eltwise_desc_t fwd = keep(new dnnl_eltwise_desc_t());
      declined(dnnl_eltwise_forward_desc_init(fwd, dnnl_forward_training, dnnl_eltwise_relu_use_dst_for_bwd, md, 0f, 0f),
          "eltwise_forward_desc_init");
      dnnl_primitive_desc fwdPd = desc(new const_dnnl_op_desc_t(fwd), null, attr);
      dnnl_eltwise_desc_t bwd = keep(new dnnl_eltwise_desc_t());
      declined(dnnl_eltwise_backward_desc_init(bwd, dnnl_eltwise_relu_use_dst_for_bwd, md, md, 0f, 0f),
          "eltwise_backward_desc_init");
      dnnl_primitive_desc pd = desc(new const_dnnl_op_desc_t(bwd), fwdPd, attr);
      name = info(pd);
      step(pd, List.of(DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC), List.of(memory(md,
          a.data().addressPointer()), memory(md, g.data().addressPointer()), memory(md, out.data().addressPointer())),
          buffers);
    }

    private void buildMaxPool(INDArray x, INDArray y, Window win, Buffers buffers) throws Declined {
      attr = newAttr();
      dnnl_memory_desc_t xMd = plain(x, dnnl_nchw);
      dnnl_memory_desc_t yMd = plain(y, dnnl_nchw);
      dnnl_pooling_v2_desc_t pool = keep(new dnnl_pooling_v2_desc_t());
      declined(dnnl_pooling_v2_forward_desc_init(pool, dnnl_forward_inference, dnnl_pooling_max, xMd, yMd,
          new long[] {win.sH(), win.sW()}, new long[] {win.kH(), win.kW()}, new long[] {win.dH() - 1, win.dW() - 1},
          new long[] {win.padTop(), win.padLeft()}, new long[] {win.padBottom(), win.padRight()}),
          "pooling_v2_forward_desc_init");
      dnnl_primitive_desc pd = desc(new const_dnnl_op_desc_t(pool), null, attr);
      name = info(pd);
      step(pd, List.of(DNNL_ARG_SRC, DNNL_ARG_DST), List.of(memory(xMd, x.data().addressPointer()),
          memory(yMd, y.data().addressPointer())), buffers);
    }

    /** A new attr with a user-managed scratchpad (shared scratch): destroyed by {@link #close}. */
    private dnnl_primitive_attr newAttr() {
      dnnl_primitive_attr a = new dnnl_primitive_attr();
      check(dnnl_primitive_attr_create(a), "primitive_attr_create");
      attrs.add(a);
      check(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), "set_scratchpad_mode");
      return a;
    }

    /** A reorder from one memory to another, appended as a step. */
    private Step reorder(dnnl_memory_desc_t fromMd, dnnl_memory from, dnnl_memory_desc_t toMd, dnnl_memory to,
        Buffers buffers) {
      dnnl_primitive_desc pd = new dnnl_primitive_desc();
      check(dnnl_reorder_primitive_desc_create(pd, fromMd, Library.ENGINE, toMd, Library.ENGINE, attr),
          "reorder_primitive_desc_create");
      descs.add(pd);
      return step(pd, List.of(DNNL_ARG_FROM, DNNL_ARG_TO), List.of(from, to), buffers);
    }

    /**
     * Takes, from {@code earlier}, each input that it holds in the layout this convolution wants
     * (its copy of an input it reordered, or of the output it computed), in place of this one's own
     * reorder of the same array; that copy moves into memory of its own. The caller promises that
     * whenever this runs, {@code earlier} ran after the array was last written. Returns how many
     * reorders this dropped.
     */
    int reuse(Bound earlier) {
      int n = 0;
      for (Arg a : args) {
        if (a.write || a.reorder == null) {
          continue;
        }
        for (Arg e : earlier.args) {
          if (!a.sameAs(e)) {
            continue;
          }
          e.copy.own(earlier.owner);
          steps.remove(a.reorder);
          this.dropped.add(a.reorder);
          a.reorder = null;
          a.copy = e.copy;
          for (int i = 0; i < main.count(); i++) {
            if (main.args().position(i).arg() == a.id) {
              main.args().memory(e.copy.memory);
            }
          }
          main.args().position(0);
          n++;
          break;
        }
      }
      return n;
    }

    /** The primitive of pd with these arguments, plus its scratchpad (shared scratch), as the next step. */
    private Step step(dnnl_primitive_desc pd, List<Integer> ids, List<dnnl_memory> mems, Buffers buffers) {
      dnnl_memory_desc_t padMd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
      long padBytes = padMd == null || padMd.isNull() ? 0 : dnnl_memory_desc_get_size(padMd);
      int n = ids.size() + (padBytes > 0 ? 1 : 0);
      dnnl_exec_arg_t exec = keep(new dnnl_exec_arg_t(n));
      for (int i = 0; i < ids.size(); i++) {
        exec.position(i).arg(ids.get(i)).memory(mems.get(i));
      }
      if (padBytes > 0) {
        INDArray pad = scratch(buffers, "oneDNN scratchpad", padBytes);
        exec.position(n - 1).arg(DNNL_ARG_SCRATCHPAD).memory(memory(padMd, pad.data().addressPointer()));
      }
      exec.position(0);
      dnnl_primitive p = new dnnl_primitive();
      check(dnnl_primitive_create(p, pd), "primitive_create");
      Step s = new Step(p, exec, n);
      steps.add(s);
      return s;
    }

    private dnnl_primitive_desc desc(const_dnnl_op_desc_t op, dnnl_primitive_desc hint, dnnl_primitive_attr with)
        throws Declined {
      dnnl_primitive_desc pd = new dnnl_primitive_desc();
      declined(dnnl_primitive_desc_create(pd, op, with, Library.ENGINE, hint),
          "primitive_desc_create");
      descs.add(pd);
      return pd;
    }

    private dnnl_memory memory(dnnl_memory_desc_t md, Pointer handle) {
      dnnl_memory m = new dnnl_memory();
      check(dnnl_memory_create(m, md, Library.ENGINE, handle), "memory_create");
      memories.add(m);
      return m;
    }

    private <T extends Pointer> T keep(T p) {
      keep.add(p);
      return p;
    }

    private dnnl_memory_desc_t plain(INDArray a, int tag) {
      dnnl_memory_desc_t md = keep(new dnnl_memory_desc_t());
      check(dnnl_memory_desc_init_by_tag(md, 4, a.shape(), dnnl_f32, tag), "memory_desc_init_by_tag");
      return md;
    }

    private dnnl_memory_desc_t any(INDArray a) {
      return plain(a, dnnl_format_tag_any);
    }

    @Override
    public void close() {
      for (Step s : steps) {
        dnnl_primitive_destroy(s.primitive());
      }
      steps.clear();
      for (Step s : dropped) {
        dnnl_primitive_destroy(s.primitive());
      }
      dropped.clear();
      args.clear();
      main = null;
      for (dnnl_primitive_desc pd : descs) {
        dnnl_primitive_desc_destroy(pd);
      }
      descs.clear();
      for (dnnl_memory m : memories) {
        dnnl_memory_destroy(m);
      }
      memories.clear();
      attrs.forEach(a -> dnnl_primitive_attr_destroy(a));
      attrs.clear();
      attr = null;
      keep.forEach(Pointer::close);
      keep.clear();
    }
  }

  private static void declined(int status, String what) throws Declined {
    if (status == dnnl_unimplemented || status == dnnl_invalid_arguments) {
      throw new Declined(what, status);
    }
    check(status, what);
  }

  /** A float scratch array of Buffers' slot, at least {@code bytes} long. */
  private static INDArray scratch(Buffers buffers, String slot, long bytes) {
    return buffers.scratch(DataType.FLOAT, slot, 1, Math.max(1, (bytes + 3) / 4));
  }

  private static INDArray arrayOf(int arg, INDArray x, INDArray k, INDArray y) {
    if (arg == DNNL_ARG_SRC || arg == DNNL_ARG_DIFF_SRC) {
      return x;
    }
    return arg == DNNL_ARG_WEIGHTS || arg == DNNL_ARG_DIFF_WEIGHTS ? k : y;
  }

  private static dnnl_memory_desc_t plainOf(int arg, dnnl_memory_desc_t x, dnnl_memory_desc_t k, dnnl_memory_desc_t y) {
    if (arg == DNNL_ARG_SRC || arg == DNNL_ARG_DIFF_SRC) {
      return x;
    }
    return arg == DNNL_ARG_WEIGHTS || arg == DNNL_ARG_DIFF_WEIGHTS ? k : y;
  }

  private static int queryOf(int arg) {
    if (arg == DNNL_ARG_SRC) {
      return dnnl_query_src_md;
    }
    if (arg == DNNL_ARG_DIFF_SRC) {
      return dnnl_query_diff_src_md;
    }
    if (arg == DNNL_ARG_WEIGHTS) {
      return dnnl_query_weights_md;
    }
    if (arg == DNNL_ARG_DIFF_WEIGHTS) {
      return dnnl_query_diff_weights_md;
    }
    return arg == DNNL_ARG_DST ? dnnl_query_dst_md : dnnl_query_diff_dst_md;
  }

  /** The implementation oneDNN chose for pd, e.g. {@code jit:avx2}. */
  private static String info(dnnl_primitive_desc pd) {
    try (PointerPointer<BytePointer> out = new PointerPointer<>(1)) {
      if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, out) != dnnl_success) {
        return "?";
      }
      BytePointer s = out.get(BytePointer.class, 0);
      return s == null || s.isNull() ? "?" : s.getString();
    }
  }
}
