package dev.bpnet.dsl.ir;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Convolution and pooling over NCHW batches, closed under differentiation (the transposes of
 * JAX's {@code conv_general_dilated} are the anchor). With the trilinear form
 * T(x, k, g) = Σ g[b, f, y, z] x[b, c, y sH - pT + i dH, z sW - pL + j dW] k[f, c, i, j],
 * the three primitives are its three partial derivatives: {@link Conv2d} = ∂T/∂g (the
 * convolution), {@link Conv2dTranspose} = ∂T/∂x (the input gradient: stride becomes input
 * dilation, channels swap, the kernel flips) and {@link Conv2dFilter} = ∂T/∂k (the filter
 * gradient). Each is linear in each argument, so each VJP is again one of the three with the
 * roles permuted, and the exact third pass works through any stack of convolutions.
 *
 * <p>Average pooling is linear: its VJP is {@link AvgPoolTranspose}, whose VJP is average
 * pooling. Max pooling is {@link MaxPoolGather} with the values equal to the argmax source
 * (max_pool(x) = gather(x, x)); the argmax is locally constant, so only the values get a
 * gradient, {@link MaxPoolScatter} through the same argmax, whose VJP is the gather again.
 *
 * <p>{@link Unfold} (im2col) and {@link Fold} (col2im) are each other's transposes, so each is
 * the other's VJP; untied convolutions are built from them and batched matmuls.
 *
 * <p>Kernels are stored [filters, channels, kH, kW] (PyTorch, ONNX). The code is the runtime's
 * {@code Convolutions} ops, bound to their buffers at allocation and run each step.
 */
public final class Convolutions {
  private Convolutions() {}

  private static final String RUNTIME = "dev.bpnet.runtime";
  private static final ClassName WINDOW = ClassName.get(RUNTIME, "Convolutions", "Window");

  /**
   * Kernel size, stride, padding before and after each spatial axis (explicit: {@code same} and
   * {@code valid} are resolved by the lowering) and dilation.
   */
  public record Window(int kH, int kW, int sH, int sW, int padTop, int padBottom, int padLeft, int padRight,
      int dH, int dW) {
    /** The output height for an input of height h (floor), below 1 when the kernel does not fit. */
    public int outH(int h) {
      return out(h, padTop + (long) padBottom, kH, sH, dH);
    }

    public int outW(int w) {
      return out(w, padLeft + (long) padRight, kW, sW, dW);
    }

    /** In long arithmetic: a dilated kernel's span can pass 2^31. */
    private static int out(int n, long pads, int k, int s, int d) {
      long o = Math.floorDiv(n + pads - (long) d * (k - 1) - 1, (long) s) + 1;
      return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, o));
    }

    /** Checks that the window fits an input of h x w; the error names the shape. */
    void check(Primitive p, Shape x, int h, int w) {
      if (kH < 1 || kW < 1 || sH < 1 || sW < 1 || dH < 1 || dW < 1 || padTop < 0 || padBottom < 0 || padLeft < 0
          || padRight < 0) {
        throw p.shapeError("kernel, stride and dilation must be positive and padding 0 or more, got " + this);
      }
      if (outH(h) < 1 || outW(w) < 1) {
        throw p.shapeError("the " + kH + "x" + kW + " kernel" + (dH > 1 || dW > 1 ? " (dilation " + dH + "x" + dW + ")" : "")
            + " is larger than the padded input " + x);
      }
    }

    /** kernel_shape, strides and pads (top, left, bottom, right) as ONNX's Conv and pooling take them. */
    Map<String, Object> onnx() {
      return Map.of("kernel_shape", new long[] {kH, kW}, "strides", new long[] {sH, sW},
          "pads", new long[] {padTop, padLeft, padBottom, padRight});
    }

    /** new Window(...) as Java source. */
    com.palantir.javapoet.CodeBlock java() {
      return com.palantir.javapoet.CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", WINDOW, kH, kW, sH, sW,
          padTop, padBottom, padLeft, padRight, dH, dW);
    }

    /** "kernel 3x3, stride 2, padding 1 1 1 1, dilation 1" for IR dumps. */
    String text() {
      return "kernel " + kH + "x" + kW + ", stride " + sH + (sW != sH ? "x" + sW : "") + ", padding " + padTop + " "
          + padBottom + " " + padLeft + " " + padRight + (dH != 1 || dW != 1 ? ", dilation " + dH + (dW != dH ? "x" + dW : "") : "");
    }
  }

  /** Shared by every primitive here: a rank-4 NCHW check and the bound runtime op. */
  private interface Windowed extends Primitive {
    Window window();

    /** The runtime's op class of the same name. */
    default ClassName runtimeOp() {
      return ClassName.get(RUNTIME, "Convolutions", getClass().getSimpleName());
    }

    default void requireRank4(Shape s, String what) {
      if (s.rank() != 4) {
        throw shapeError(what + " must be [B, C, H, W], got " + s);
      }
    }

    default String attributes() {
      return window().text();
    }

    /**
     * True for the runtime ops that need scratch arrays of the batch size (the im2col columns of
     * a convolution's gemm): the generated code passes its buffers' owner, which shares one
     * scratch among all of them.
     */
    default boolean scratch() {
      return false;
    }

    /** Binds the runtime op to the operands' buffers and the node's at allocation; runs it each step. */
    default void emit(Emission e, Node n) {
      String op = e.field(runtimeOp());
      List<Object> args = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      for (int in : n.inputs()) {
        f.append("$N, ");
        args.add(e.tensor(in));
      }
      f.append("$N, $L");
      args.add(e.out());
      args.add(window().java());
      if (scratch()) {
        f.append(", buffers");
      }
      e.alloc("$N = new $T($L)", op, runtimeOp(), CodeBlock.of(f.toString(), args.toArray()));
      e.step("$N.run()", op);
      if (convolution()) {
        e.convolution(op, n.inputs());
      }
    }

    /** True for the runtime's three convolution ops ({@code Convolutions.ConvOp}), which share layouts. */
    default boolean convolution() {
      return false;
    }
  }

  /** y [B, F, Ho, Wo] = conv(x [B, C, H, W], k [F, C, kH, kW]): cross-correlation, as PyTorch's conv2d. */
  public record Conv2d(Window window) implements Windowed {
    public boolean convolution() {
      return true;
    }

    public String name() {
      return "conv";
    }

    public boolean scratch() {
      return true;
    }

    public void export(Export x, Node n) {
      // ONNX's Conv takes the kernel as [filters, channels, kH, kW], as stored here
      Map<String, Object> a = new java.util.HashMap<>(window.onnx());
      a.put("dilations", new long[] {window.dH(), window.dW()});
      x.same(n, "Conv", a);
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      Shape k = in.get(1);
      requireRank4(x, "the input");
      if (k.rank() != 4 || k.batchDims() != 0) {
        throw shapeError("the kernel must be [filters, channels, kH, kW], got " + k);
      }
      if (k.dim(1) != x.dim(1)) {
        throw shapeError("the kernel " + k + " has " + k.dim(1) + " channels, the input " + x + " has " + x.dim(1));
      }
      if (k.dim(2) != window.kH() || k.dim(3) != window.kW()) {
        throw shapeError("the kernel " + k + " is not " + window.kH() + "x" + window.kW());
      }
      window.check(this, x, x.dim(2), x.dim(3));
      return Shape.of(x.dim(0), k.dim(0), window.outH(x.dim(2)), window.outW(x.dim(3)));
    }

    /** dx = convT(ct, k), dk = convW(x, ct). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      Shape x = o.shape(n.input(0));
      return Arrays.asList(o.apply(new Conv2dTranspose(window, x.dim(2), x.dim(3)), ct, n.input(1)),
          o.apply(new Conv2dFilter(window), n.input(0), ct));
    }

    public String math(List<String> a) {
      return "conv(" + a.get(0) + ", " + a.get(1) + ")";
    }

    /**
     * Binds the runtime's convolution of node {@code conv} with its layer's epilogue into the
     * buffer of the node being generated: out = relu(conv + bias), {@code bias} a [F] tensor node
     * or -1 for none, the ReLU if {@code relu} (code generation's fusion of a convolution, its
     * bias add along the channels and its ReLU, whose intermediate values nothing else reads).
     */
    public void emitFused(Emission e, Node conv, int bias, boolean relu) {
      ClassName cls = runtimeOp();
      String op = e.field(cls);
      e.alloc("$N = new $T($N, $N, $L, $L, $N, $L, buffers)", op, cls, e.tensor(conv.input(0)), e.tensor(conv.input(1)),
          bias < 0 ? "null" : e.tensor(bias), relu, e.out(), window.java());
      e.step("$N.run()", op);
      e.convolution(op, conv.inputs());
    }
  }

  /**
   * z [B, C, H, W] = convT(g [B, F, Ho, Wo], k [F, C, kH, kW]), the transpose of conv2d in its
   * input (its input gradient); H and W are attributes because the floor in conv2d's output size
   * loses them.
   */
  public record Conv2dTranspose(Window window, int height, int width) implements Windowed {
    public boolean convolution() {
      return true;
    }

    public String name() {
      return "conv_transpose";
    }

    public boolean scratch() {
      return true;
    }

    public Shape shape(List<Shape> in) {
      Shape g = in.get(0);
      Shape k = in.get(1);
      requireRank4(g, "the cotangent");
      if (k.rank() != 4 || k.batchDims() != 0 || k.dim(0) != g.dim(1) || k.dim(2) != window.kH() || k.dim(3) != window.kW()) {
        throw shapeError("the kernel " + k + " does not fit " + g + " (" + window.text() + ")");
      }
      window.check(this, g, height, width);
      if (window.outH(height) != g.dim(2) || window.outW(width) != g.dim(3)) {
        throw shapeError(g + " is not the output of a " + height + "x" + width + " input (" + window.text() + ")");
      }
      return Shape.of(g.dim(0), k.dim(1), height, width);
    }

    /** dg = conv(ct, k), dk = convW(ct, g). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return Arrays.asList(o.apply(new Conv2d(window), ct, n.input(1)), o.apply(new Conv2dFilter(window), ct, n.input(0)));
    }

    public String math(List<String> a) {
      return "conv_transpose(" + a.get(0) + ", " + a.get(1) + ")";
    }
  }

  /** dk [F, C, kH, kW] = convW(x [B, C, H, W], g [B, F, Ho, Wo]), the filter gradient, summed over the batch. */
  public record Conv2dFilter(Window window) implements Windowed {
    public boolean convolution() {
      return true;
    }

    public String name() {
      return "conv_filter";
    }

    public boolean scratch() {
      return true;
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      Shape g = in.get(1);
      requireRank4(x, "the input");
      requireRank4(g, "the cotangent");
      window.check(this, x, x.dim(2), x.dim(3));
      if (x.dim(0) != g.dim(0) || window.outH(x.dim(2)) != g.dim(2) || window.outW(x.dim(3)) != g.dim(3)) {
        throw shapeError(g + " is not the output for the input " + x + " (" + window.text() + ")");
      }
      return Shape.of(g.dim(1), x.dim(1), window.kH(), window.kW());
    }

    /** dx = convT(g, ct), dg = conv(x, ct). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      Shape x = o.shape(n.input(0));
      return Arrays.asList(o.apply(new Conv2dTranspose(window, x.dim(2), x.dim(3)), n.input(1), ct),
          o.apply(new Conv2d(window), n.input(0), ct));
    }

    public String math(List<String> a) {
      return "conv_filter(" + a.get(0) + ", " + a.get(1) + ")";
    }
  }

  /**
   * cols [B, Ho Wo, C kH kW] = unfold(x [B, C, H, W]) (im2col): row (y Wo + z) of example b holds
   * the window of output position (y, z), cols[b, y Wo + z, (c kH + i) kW + j] =
   * x[b, c, y sH - pT + i dH, z sW - pL + j dW], zero outside the input. Linear: its VJP is
   * {@link Fold}, whose VJP is unfold. An untied (locally connected) convolution is unfold and a
   * batched matmul with one weight matrix per output position.
   */
  public record Unfold(Window window) implements Windowed {
    public String name() {
      return "unfold";
    }

    public void export(Export x, Node n) {
      // a convolution with the one-hot kernel [C kH kW, C, kH, kW] (an identity matrix reshaped)
      // copies each window's elements into channels: [B, C kH kW, Ho, Wo], then to [B, Ho Wo, C kH kW]
      Shape in = x.shape(n.input(0));
      Shape out = x.shape(n.id());
      long k = out.dim(2);
      String zeros = x.node("ConstantOfShape", List.of(x.ints(k, k)), Map.of());
      String eye = x.node("EyeLike", List.of(zeros), Map.of("dtype", x.elementType()));
      String kernel = x.node("Reshape", List.of(eye, x.ints(k, in.dim(1), window.kH(), window.kW())), Map.of());
      Map<String, Object> a = new java.util.HashMap<>(window.onnx());
      a.put("dilations", new long[] {window.dH(), window.dW()});
      String conv = x.node("Conv", List.of(x.in(n, 0), kernel), a);
      String flat = x.node("Reshape", List.of(conv, x.shapeOf(Shape.of(Shape.BATCH, out.dim(2), out.dim(1)))), Map.of());
      x.node("Transpose", List.of(flat), x.out(n), Map.of("perm", new long[] {0, 2, 1}));
    }

    public Shape shape(List<Shape> in) {
      Shape x = in.get(0);
      requireRank4(x, "the input");
      window.check(this, x, x.dim(2), x.dim(3));
      long k = (long) x.dim(1) * window.kH() * window.kW();
      long p = (long) window.outH(x.dim(2)) * window.outW(x.dim(3));
      if (k > Integer.MAX_VALUE || p > Integer.MAX_VALUE) {
        throw shapeError("the columns of " + x + " (" + window.text() + ") have more than 2^31 rows or elements per row");
      }
      return Shape.of(x.dim(0), (int) p, (int) k);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Shape x = d.ops().shape(n.input(0));
      return List.of(d.ops().apply(new Fold(window, x.dim(2), x.dim(3)), ct));
    }

    public String math(List<String> a) {
      return "unfold(" + a.get(0) + ")";
    }
  }

  /**
   * x [B, C, H, W] = fold(cols [B, Ho Wo, C kH kW]) (col2im): the transpose of {@link Unfold}, each
   * column element added to the input element it was read from (overlapping windows accumulate,
   * elements read from padding are dropped). H and W are attributes because the floor in the
   * output size loses them; C is the row length over kH kW.
   */
  public record Fold(Window window, int height, int width) implements Windowed {
    public String name() {
      return "fold";
    }

    public Shape shape(List<Shape> in) {
      Shape g = in.get(0);
      if (g.rank() != 3) {
        throw shapeError("the columns must be [B, Ho Wo, C kH kW], got " + g);
      }
      int per = window.kH() * window.kW();
      if (per < 1 || g.dim(2) % per != 0) {
        throw shapeError("the columns " + g + " are not whole " + window.kH() + "x" + window.kW() + " windows");
      }
      Shape x = Shape.of(g.dim(0), g.dim(2) / per, height, width);
      window.check(this, x, height, width);
      if ((long) window.outH(height) * window.outW(width) != g.dim(1)) {
        throw shapeError(g + " is not the unfolding of a " + height + "x" + width + " input (" + window.text() + ")");
      }
      return x;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new Unfold(window), ct));
    }

    public String math(List<String> a) {
      return "fold(" + a.get(0) + ")";
    }
  }

  /** The pooled shape of x, after checking the window fits. */
  private static Shape pooled(Windowed p, Shape x) {
    p.requireRank4(x, "the input");
    p.window().check(p, x, x.dim(2), x.dim(3));
    return Shape.of(x.dim(0), x.dim(1), p.window().outH(x.dim(2)), p.window().outW(x.dim(3)));
  }

  /** The mean of each window, dividing by kH kW also where it overlaps padding (PyTorch's count_include_pad). */
  public record AvgPool(Window window) implements Windowed {
    public String name() {
      return "avg_pool";
    }

    public void export(Export x, Node n) {
      if (window.dH() != 1 || window.dW() != 1) {
        throw x.unsupported(n, "opset " + Export.OPSET + "'s AveragePool has no dilation");
      }
      Map<String, Object> a = new java.util.HashMap<>(window.onnx());
      a.put("count_include_pad", 1L);  // the mean over K^2, padding counted as zeros, as computed here
      x.same(n, "AveragePool", a);
    }

    public Shape shape(List<Shape> in) {
      return pooled(this, in.get(0));
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Shape x = d.ops().shape(n.input(0));
      return List.of(d.ops().apply(new AvgPoolTranspose(window, x.dim(2), x.dim(3)), ct));
    }

    public String math(List<String> a) {
      return "avg_pool(" + a.get(0) + ")";
    }
  }

  /** The transpose of avg_pool (its VJP): each element spread evenly over its window of an H x W plane. */
  public record AvgPoolTranspose(Window window, int height, int width) implements Windowed {
    public String name() {
      return "avg_pool_transpose";
    }

    public Shape shape(List<Shape> in) {
      Shape g = in.get(0);
      requireRank4(g, "the cotangent");
      window.check(this, g, height, width);
      if (window.outH(height) != g.dim(2) || window.outW(width) != g.dim(3)) {
        throw shapeError(g + " is not the pooling of a " + height + "x" + width + " input (" + window.text() + ")");
      }
      return Shape.of(g.dim(0), g.dim(1), height, width);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new AvgPool(window), ct));
    }

    public String math(List<String> a) {
      return "avg_pool_transpose(" + a.get(0) + ")";
    }
  }

  /**
   * v [B, C, H, W] read at the argmax of each window of s [B, C, H, W]: max_pool(x) is
   * gather(x, x). The argmax is locally constant, so s gets no gradient; v gets the scatter.
   */
  public record MaxPoolGather(Window window) implements Windowed {
    public String name() {
      return "max_pool";
    }

    public void export(Export x, Node n) {
      if (n.input(0) != n.input(1)) {
        throw x.unsupported(n, "only max_pool(x) itself, not a gather at another value's argmax, is ONNX's MaxPool");
      }
      Map<String, Object> a = new java.util.HashMap<>(window.onnx());
      a.put("dilations", new long[] {window.dH(), window.dW()});
      x.node("MaxPool", List.of(x.in(n, 0)), x.out(n), a);
    }

    public Shape shape(List<Shape> in) {
      if (!in.get(0).equals(in.get(1))) {
        throw shapeError("the argmax source " + in.get(0) + " and the values " + in.get(1) + " differ");
      }
      return pooled(this, in.get(0));
    }

    /** The buffers' owner: max_pool(x) itself binds oneDNN's pooling primitive, closed with them. */
    public boolean scratch() {
      return true;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(null, d.ops().apply(new MaxPoolScatter(window), n.input(0), ct));
    }

    public String math(List<String> a) {
      return a.get(0).equals(a.get(1)) ? "max_pool(" + a.get(0) + ")" : a.get(1) + " at argmax_pool(" + a.get(0) + ")";
    }
  }

  /** g [B, C, Ho, Wo] added at the argmax of each window of s [B, C, H, W], zero elsewhere: max pooling's VJP. */
  public record MaxPoolScatter(Window window) implements Windowed {
    public String name() {
      return "max_pool_scatter";
    }

    public Shape shape(List<Shape> in) {
      Shape s = in.get(0);
      Shape g = in.get(1);
      if (!pooled(this, s).equals(g)) {
        throw shapeError(g + " is not the pooling of " + s + " (" + window.text() + ")");
      }
      return s;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(null, d.ops().apply(new MaxPoolGather(window), n.input(0), ct));
    }

    public String math(List<String> a) {
      return a.get(1) + " scattered to argmax_pool(" + a.get(0) + ")";
    }
  }

  /**
   * The walk test's applications. Rank 2 (the plain cases): stride 1, no padding. Rank 4: strides
   * 2 and 3, symmetric and asymmetric padding, dilation 2, odd and non-square sizes, sizes the
   * stride does not divide (the floor), several channels and filters.
   */
  static List<Primitives.Sample> samples(int rank) {
    List<Primitives.Sample> l = new ArrayList<>();
    if (rank == 2) {
      conv(l, new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1), 1, 5, 5, 2);
      pools(l, new Window(2, 2, 2, 2, 0, 0, 0, 0, 1, 1), 2, 4, 4);
      folds(l, new Window(2, 2, 1, 1, 0, 0, 0, 0, 1, 1), 1, 3, 3);
      return l;
    }
    conv(l, new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 3, 5, 6, 2);     // strided, padded, odd and even sides
    conv(l, new Window(2, 3, 1, 2, 0, 1, 1, 0, 2, 1), 2, 5, 5, 3);     // asymmetric padding, dilation 2 in H
    conv(l, new Window(3, 2, 3, 1, 1, 2, 0, 1, 1, 2), 2, 7, 4, 1);     // stride 3 over 7 (the floor), dilation 2 in W
    folds(l, new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 2, 5, 6);      // strided, padded, odd and even sides
    folds(l, new Window(2, 3, 3, 1, 0, 1, 1, 2, 1, 2), 1, 7, 5);      // stride 3 over 7 (the floor), asymmetric padding, dilation
    folds(l, new Window(3, 3, 1, 1, 2, 2, 2, 2, 1, 1), 2, 3, 3);      // padding 2 around 3x3: corner windows hold one input element
    pools(l, new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), 2, 5, 5);          // overlapping windows, padding
    pools(l, new Window(2, 3, 2, 1, 0, 1, 1, 0, 1, 1), 3, 5, 4);          // asymmetric
    return l;
  }

  /** The three convolution primitives for one window: c channels, f filters, an h x w input. */
  private static void conv(List<Primitives.Sample> l, Window win, int c, int h, int w, int f) {
    int bt = Shape.BATCH;
    Shape x = Shape.of(bt, c, h, w);
    Shape k = Shape.of(f, c, win.kH(), win.kW());
    Shape g = Shape.of(bt, f, win.outH(h), win.outW(w));
    l.add(sample(new Conv2d(win), x, k));
    l.add(sample(new Conv2dTranspose(win, h, w), g, k));
    l.add(sample(new Conv2dFilter(win), x, g));
  }

  /** Unfold and fold for one window over c channels of h x w. */
  private static void folds(List<Primitives.Sample> l, Window win, int c, int h, int w) {
    int bt = Shape.BATCH;
    l.add(sample(new Unfold(win), Shape.of(bt, c, h, w)));
    l.add(sample(new Fold(win, h, w), Shape.of(bt, win.outH(h) * win.outW(w), c * win.kH() * win.kW())));
  }

  /** The pooling primitives for one window over c channels of h x w. */
  private static void pools(List<Primitives.Sample> l, Window win, int c, int h, int w) {
    int bt = Shape.BATCH;
    Shape x = Shape.of(bt, c, h, w);
    Shape g = Shape.of(bt, c, win.outH(h), win.outW(w));
    l.add(sample(new AvgPool(win), x));
    l.add(sample(new AvgPoolTranspose(win, h, w), g));
    l.add(sample(new MaxPoolGather(win), x, x));
    l.add(sample(new MaxPoolScatter(win), x, g));
  }

  private static Primitives.Sample sample(Primitive p, Shape... operands) {
    return new Primitives.Sample(p, Arrays.stream(operands).map(Primitives.Operand::of).toList(), Primitives.Expect.GRADIENT);
  }
}
