package dev.bpnet.dsl.lower;

import dev.bpnet.api.Init;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Convolutions;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

/**
 * The image layers of the language: {@code conv2d}, {@code untied_conv2d}, {@code max_pool},
 * {@code avg_pool}, {@code global_avg_pool}. Each checks its options and its input's shape, resolves
 * {@code padding = same | valid | N} to explicit padding on each side, and lowers to the
 * primitives of {@link Convolutions}. A window that does not fit is a located E4 naming the
 * input's shape, the kernel's and the layer.
 */
final class ConvLayers {
  private final Builtins b;
  private final Scope s;

  private ConvLayers(Builtins b) {
    this.b = b;
    this.s = b.s;
  }

  /** Adds the layers to the built-ins' table. */
  static void register(Map<String, Builtins.Lowerer> t) {
    t.put("conv2d", (b, c) -> new ConvLayers(b).conv2d(c));
    t.put("untied_conv2d", (b, c) -> new ConvLayers(b).untiedConv2d(c));
    t.put("max_pool", (b, c) -> new ConvLayers(b).pool(c, true));
    t.put("avg_pool", (b, c) -> new ConvLayers(b).pool(c, false));
    t.put("global_avg_pool", (b, c) -> new ConvLayers(b).globalAvgPool(c));
  }

  /** What conv2d and untied_conv2d share: the input, its shape, the filters, the kernel size, the window, bias or not. */
  private record Layer(int x, Shape xs, int filters, int k, Convolutions.Window win, boolean bias) {
    int channels() {
      return xs.dim(1);
    }

    int fanIn() {
      return channels() * k * k;
    }

    int fanOut() {
      return filters * k * k;
    }
  }

  /**
   * The arguments of conv2d and untied_conv2d, (x, filters, kernel = K, stride = 1, padding = valid,
   * dilation = 1, bias = yes, feedback = ...), checked against the input's shape; null after
   * reporting what is wrong. {@code kernel} names the weights in errors.
   */
  private Layer layer(Expr.Call c, List<Integer> a, BiFunction<Integer, Integer, String> kernel) {
    int x = a.get(0);
    Shape xs = s.graph.shape(x);
    Integer filters = b.positiveInt(c, 1, "the number of filters");
    Integer k = size(c, "kernel", 2, null);
    Integer stride = size(c, "stride", -1, 1);
    Integer dilation = size(c, "dilation", -1, 1);
    Boolean bias = b.yesNo(c, "bias");
    if (filters == null || k == null || stride == null || dilation == null || bias == null || !images(c, xs)) {
      return null;
    }
    Convolutions.Window win = window(c, xs, kernel.apply(filters, k), k, stride, dilation, false);
    if (win == null) {
      return null;
    }
    long weights = (long) Math.max(xs.dim(1), filters) * k * k;
    if (weights > Integer.MAX_VALUE) {
      s.error(ErrorCode.E10, c.pos(), "2", c.fn(), "a layer with fewer than 2^31 weights per filter and channel, got kernel "
          + kernel.apply(filters, k));
      return null;
    }
    return new Layer(x, xs, filters, k, win, bias);
  }

  private static final Set<String> OPTIONS = Set.of("kernel", "stride", "padding", "dilation", "bias", "feedback", "g3");

  /**
   * conv2d(x, filters, kernel = K, stride = 1, padding = valid, dilation = 1, bias = yes): W
   * [filters, C, K, K] initialised from fan-in C K K (fan-out filters K K), and b [filters].
   * {@code feedback = random | random_updated}: the input gradient goes through a random kernel
   * B of W's shape in place of W, dL/dx = convT(G, B), as for dense.
   */
  private Integer conv2d(Expr.Call c) {
    return b.withArgs(c, 2, 3, OPTIONS, a -> {
      Shape xs = s.graph.shape(a.get(0));
      Layer l = layer(c, a, (f, k) -> "kernel " + Shape.of(f, xs.dim(1), k, k));  // called once xs is an image batch
      if (l == null) {
        return null;
      }
      Convolutions.Window win = l.win();
      Shape ws = Shape.of(l.filters(), l.channels(), l.k(), l.k());
      int x = l.x();
      int w = s.param("W", ws, s.train.init(), l.fanIn(), l.fanOut());
      return product(c, l, w, "conv", () -> s.ops.apply(new Convolutions.Conv2d(win), x, w),
          (ct, bm) -> s.ops.apply(new Convolutions.Conv2dTranspose(win, l.xs().dim(2), l.xs().dim(3)), ct, bm),
          Shape.of(l.filters()));
    });
  }

  /**
   * untied_conv2d(x, filters, kernel = K, ...), conv2d's arguments: a locally connected layer, one
   * kernel per output position. W [Ho Wo, filters, C K K] (row y Wo + z the kernel of output
   * position (y, z), flattened as conv2d's [filters, C, K, K]) and b [filters, Ho, Wo]; z =
   * reshape(transpose(unfold(x), P first) @ W^T per position). The feedback option as conv2d's,
   * with the input gradient fold(G @ B per position).
   */
  private Integer untiedConv2d(Expr.Call c) {
    return b.withArgs(c, 2, 3, OPTIONS, a -> {
      Layer l = layer(c, a, (f, k) -> "kernel " + k + "x" + k + " (" + f + " filters per position)");
      if (l == null) {
        return null;
      }
      Convolutions.Window win = l.win();
      int oh = win.outH(l.xs().dim(2));
      int ow = win.outW(l.xs().dim(3));
      long weights = (long) oh * ow * l.filters() * l.fanIn();
      if (weights > Integer.MAX_VALUE) {
        s.error(ErrorCode.E10, c.pos(), "2", c.fn(), "a layer with fewer than 2^31 weights, got " + oh * ow + " positions x "
            + l.filters() + " filters x " + l.fanIn() + " weights (C K K) = " + weights);
        return null;
      }
      Shape ws = Shape.of(oh * ow, l.filters(), l.fanIn());
      int x = l.x();
      int w = s.param("W", ws, s.train.init(), l.fanIn(), l.fanOut());
      Shape out = Shape.of(Shape.BATCH, l.filters(), oh, ow);
      return product(c, l, w, "untied", () -> untied(x, w, win, out), (ct, bm) -> untiedInputGradient(ct, bm, win, l.xs(), out),
          Shape.of(l.filters(), oh, ow));
    });
  }

  /** unfold(x) [B, P, K] as [P, B, K], times W [P, F, K] transposed per position, to [B, F, Ho, Wo]. */
  private int untied(int x, int w, Convolutions.Window win, Shape out) {
    int cols = s.ops.transpose(s.ops.apply(new Convolutions.Unfold(win), x), List.of(1, 0, 2));
    int y = s.ops.matmul(cols, w, false, true);
    return s.ops.reshape(s.ops.transpose(y, List.of(1, 2, 0)), out);
  }

  /** fold(G B) per position: G [B, F, Ho, Wo] as [P, B, F], times B [P, F, K], as [B, P, K], folded. */
  private int untiedInputGradient(int ct, int bm, Convolutions.Window win, Shape xs, Shape out) {
    Shape rows = Shape.of(Shape.BATCH, out.dim(1), out.dim(2) * out.dim(3));
    int g = s.ops.transpose(s.ops.reshape(ct, rows), List.of(2, 0, 1));
    int cols = s.ops.transpose(s.ops.matmul(g, bm, false, false), List.of(1, 0, 2));
    return s.ops.apply(new Convolutions.Fold(win, xs.dim(2), xs.dim(3)), cols);
  }

  /**
   * The layer's product with W (plain, or through feedback alignment when {@code feedback} is
   * given, with {@code inputGradient}(G, B) the input gradient), plus the bias b of
   * {@code biasShape} when the layer has one: [filters] along axis 1 for conv2d, [filters, Ho, Wo]
   * element-wise (broadcast over the batch) for untied_conv2d.
   */
  private Integer product(Expr.Call c, Layer l, int w, String label, IntSupplier product,
      IntBinaryOperator inputGradient, Shape biasShape) {
    int wIndex = s.params.size() - 1;
    Expr fb = c.named().get("feedback");
    BuiltinRules.warnUnusedThirdTo(s, c);
    int z;
    if (fb == null) {
      z = s.graph.label(product.getAsInt(), s.owner + "." + label);
    } else {
      Integer fa = new BuiltinRules(s).feedback(c, l.x(), w, l.fanIn(), l.fanOut(), label, product, inputGradient);
      if (fa == null) {
        return null;
      }
      z = fa;
    }
    if (l.bias()) {
      int bb = s.param("b", biasShape, Init.ZEROS, l.fanIn(), l.fanOut());
      z = biasShape.rank() == 1 ? s.ops.biasAdd(z, bb, 1) : s.ops.add(z, bb);
    }
    s.denseWeight.put(z, wIndex);  // a following activation sets W's gain, as after dense
    return s.graph.label(z, s.owner + ".z");
  }

  /** max_pool(x, K, stride = K, padding = valid) and avg_pool(...). */
  private Integer pool(Expr.Call c, boolean max) {
    return b.withArgs(c, 1, 2, Set.of("kernel", "stride", "padding"), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      Integer k = size(c, "kernel", 1, null);
      Integer stride = k == null ? null : size(c, "stride", -1, k);
      if (k == null || stride == null || !images(c, xs)) {
        return null;
      }
      Convolutions.Window win = window(c, xs, "window " + k + "x" + k, k, stride, 1, true);
      if (win == null) {
        return null;
      }
      return max ? s.ops.apply(new Convolutions.MaxPoolGather(win), x, x) : s.ops.apply(new Convolutions.AvgPool(win), x);
    });
  }

  /** global_avg_pool(x): the mean of each channel, [B, C, H, W] to [B, C]. */
  private Integer globalAvgPool(Expr.Call c) {
    return b.withArgs(c, 1, 1, Set.of(), a -> images(c, s.graph.shape(a.get(0)))
        ? s.ops.mean(a.get(0), List.of(2, 3), false) : null);
  }

  /** The input of an image layer must be a batch of images [B, C, H, W]. */
  private boolean images(Expr.Call c, Shape xs) {
    if (xs.rank() == 4 && xs.dim(0) == Shape.BATCH) {
      return true;
    }
    String hint = xs.rank() == 3 && xs.dim(0) == Shape.BATCH
        ? "give each example a channel axis: declare the input as [1, " + xs.dim(1) + ", " + xs.dim(2) + "], or reshape(x, 1, "
            + xs.dim(1) + ", " + xs.dim(2) + ")"
        : "declare the input as [channels, height, width], or reshape(x, C, H, W)";
    s.diag.add(new Diagnostic(ErrorCode.E4, c.pos(), ErrorCode.E4.format(c.fn(), "layer '" + s.owner
        + "' needs a batch of images [B, C, H, W], got " + xs), hint));
    return false;
  }

  /**
   * The window over both spatial axes with padding resolved: {@code valid} (none; the span must
   * fit a whole number of strides), {@code same} (ceil(n / stride) outputs, the odd pixel of
   * padding after, as TensorFlow), or N on every side. Null after reporting why not.
   */
  private Convolutions.Window window(Expr.Call c, Shape xs, String kernel, int k, int stride, int dilation, boolean pool) {
    Expr p = c.named().get("padding");
    String mode = "valid";
    int n = 0;
    if (p instanceof Expr.Ref r) {
      mode = r.name();
      if (!mode.equals("same") && !mode.equals("valid")) {
        s.diag.unknown(ErrorCode.E7, p.pos(), mode, List.of("same", "valid"), "padding",
            "expected same, valid or a number of pixels");
        return null;
      }
    } else if (p != null) {
      double v = b.number(c, "padding", -1, 0);
      if (Double.isNaN(v)) {
        return null;
      }
      if (v < 0 || v != Math.rint(v) || v > 1 << 16) {
        s.error(ErrorCode.E7, p.pos(), "padding", "expected same, valid or a number of pixels (0 or more), got " + Shape.number(v));
        return null;
      }
      mode = "explicit";
      n = (int) v;
      if (pool && 2 * n > k) {
        // a max-pool window of padding alone has no element to take
        s.error(ErrorCode.E7, p.pos(), "padding", "a pool's padding is at most half its window (" + k + "), got " + n);
        return null;
      }
    }
    int[] h = axis(c, xs, kernel, mode, n, xs.dim(2), "height", k, stride, dilation);
    int[] w = h == null ? null : axis(c, xs, kernel, mode, n, xs.dim(3), "width", k, stride, dilation);
    if (w == null) {
      return null;
    }
    return new Convolutions.Window(k, k, stride, stride, h[0], h[1], w[0], w[1], dilation, dilation);
  }

  /** Padding before and after one axis of size {@code size}, or null after an error. */
  private int[] axis(Expr.Call c, Shape xs, String kernel, String mode, int n, int size, String axis, int k, int stride,
      int dilation) {
    long span = (long) dilation * (k - 1) + 1;  // long: a fuzzed kernel 65536 at dilation 65536 overflows an int
    String spanText = dilation > 1 ? " (" + span + " pixels dilated)" : "";
    int before = n;
    int after = n;
    if (mode.equals("same")) {
      long out = ((long) size + stride - 1) / stride;
      long total = Math.max(0, (out - 1) * stride + span - size);
      if (total > 1 << 16) {
        shapeError(c, "padding = same would pad the input " + xs + " of layer '" + s.owner + "' by " + total + " pixels in " + axis,
            "use a smaller kernel or dilation");
        return null;
      }
      before = (int) total / 2;
      after = (int) total - before;
    }
    if ((long) size + before + after < span) {
      shapeError(c, "the " + kernel + spanText + " of layer '" + s.owner + "' is larger than its input " + xs
          + (before + after > 0 ? " padded by " + before + (after != before ? " and " + after : "") : "")
          + " in " + axis, "use a smaller kernel, padding = same, or a larger input");
      return null;
    }
    if (mode.equals("valid") && (size - span) % stride != 0) {
      shapeError(c, "with padding = valid, the " + kernel + spanText + " of layer '" + s.owner + "' at stride " + stride
          + " does not cover the " + axis + " of its input " + xs + " in whole steps: (" + size + " - " + span + ") / "
          + stride + " + 1 = " + Shape.number((size - span) / (double) stride + 1) + " outputs",
          "use padding = same, or an explicit padding = N, which drops the rest as PyTorch does");
      return null;
    }
    return new int[] {before, after};
  }

  private void shapeError(Expr.Call c, String detail, String hint) {
    s.diag.add(new Diagnostic(ErrorCode.E4, c.pos(), ErrorCode.E4.format(c.fn(), detail), hint));
  }

  /**
   * A positive whole option given by {@code name} or positionally at {@code index}, else
   * {@code dflt}; a missing one without a default is reported. Null after an error.
   */
  private Integer size(Expr.Call c, String name, int index, Integer dflt) {
    Expr e = c.named().get(name);
    if (e == null && index >= 0 && index < c.args().size()) {
      e = c.args().get(index);
    }
    if (e == null) {
      if (dflt == null) {
        s.error(ErrorCode.E10, c.pos(), String.valueOf(index + 1), c.fn(), "given: the " + name + " size, as in "
            + c.fn() + "(x, " + (c.fn().endsWith("conv2d") ? "16, " : "") + name + " = 3)");
      }
      return dflt;
    }
    double v = b.number(c, name, index, Double.NaN);
    if (Double.isNaN(v)) {
      return null;
    }
    if (v < 1 || v != Math.rint(v) || v > 1 << 16) {
      if (c.named().containsKey(name)) {
        s.error(ErrorCode.E7, e.pos(), name, "must be a positive integer, got " + Shape.number(v));
      } else {
        s.error(ErrorCode.E10, e.pos(), String.valueOf(index + 1), c.fn(), "the " + name + " size (a positive integer), got "
            + Shape.number(v));
      }
      return null;
    }
    return (int) v;
  }
}
