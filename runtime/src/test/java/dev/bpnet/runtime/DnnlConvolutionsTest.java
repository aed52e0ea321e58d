package dev.bpnet.runtime;

import static dev.bpnet.runtime.ConvolutionsTest.array;
import static dev.bpnet.runtime.ConvolutionsTest.assertClose;
import static dev.bpnet.runtime.ConvolutionsTest.definition;
import static dev.bpnet.runtime.ConvolutionsTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Convolutions.Window;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolution ops bound to oneDNN called directly ({@link DnnlConvolutions}), in both layouts
 * ({@code plain} nchw/oihw on the arrays themselves, {@code blocked} through reorders), against
 * the definition written as loops (ConvolutionsTest's, in double) and against the Java ops, over
 * windows of every kind: strides 1-3, symmetric and asymmetric padding ({@code same} for even
 * kernels at stride 1 and 2: the odd pixel after), dilation, non-square kernels, odd sizes, one
 * channel and several.
 *
 * <p>Tolerance: float32 to 2e-5 of the largest |value| (at least 1). The sums here have at most
 * C kH kW = 3 x 4 x 4 = 48 terms for y and dx, and B Ho Wo (about 170) for dk, of products of
 * unit Gaussians; float32 rounding (2^-24 = 6e-8 per operation) accumulates to about
 * sqrt(n) * 6e-8 * |terms| in the worst order, i.e. below 1e-5 of the scale, and oneDNN's order
 * of summation (blocked, vectorised) differs from both the definition's and the Java op's. A
 * wrong padding, stride or dilation moves results by O(1).
 */
class DnnlConvolutionsTest {
  private final Convolutions.Impl before = Convolutions.impl();
  private final String layoutBefore = System.getProperty(DnnlConvolutions.LAYOUT_PROPERTY);

  @AfterEach
  void restore() {
    Convolutions.use(before);
    if (layoutBefore == null) {
      System.clearProperty(DnnlConvolutions.LAYOUT_PROPERTY);
    } else {
      System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, layoutBefore);
    }
  }

  /** oneDNN's presets ship for this platform: the tests below must not pass by falling back to Java. */
  @Test
  void oneDnnLoads() {
    assertTrue(DnnlConvolutions.available(), "oneDNN did not load: " + DnnlConvolutions.failure());
    assertNull(DnnlConvolutions.failure());
  }

  /** A geometry: input B x C x H x W, F filters, the window. */
  record Case(int b, int c, int h, int w, int f, Window win) {
    @Override
    public String toString() {
      return b + "x" + c + "x" + h + "x" + w + " F" + f + " " + win;
    }
  }

  static List<Case> cases() {
    return List.of(
        // plain valid 3x3; 5x5 padded 2 (LeNet's first layer, one channel)
        new Case(3, 2, 8, 7, 4, new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1)),
        new Case(2, 1, 9, 9, 3, new Window(5, 5, 1, 1, 2, 2, 2, 2, 1, 1)),
        // stride 2 symmetric; stride 2 'same' on an even size (0 before, 1 after: ND4J's deconv could not)
        new Case(3, 3, 8, 7, 4, new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1)),
        new Case(2, 3, 8, 8, 5, new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1)),
        // even kernels, 'same': 4x4 stride 1 (1 before, 2 after), 2x2 stride 2 on odd sizes
        new Case(2, 2, 7, 9, 3, new Window(4, 4, 1, 1, 1, 2, 1, 2, 1, 1)),
        new Case(2, 3, 9, 7, 2, new Window(2, 2, 2, 2, 0, 1, 0, 1, 1, 1)),
        // dilation, with and without padding; non-square, uneven stride and dilation
        new Case(2, 2, 9, 8, 3, new Window(3, 3, 1, 1, 2, 2, 2, 2, 2, 2)),
        new Case(2, 2, 7, 6, 4, new Window(2, 3, 1, 2, 0, 1, 1, 0, 2, 1)),
        new Case(3, 2, 7, 6, 4, new Window(3, 2, 3, 1, 1, 2, 0, 1, 1, 2)),
        new Case(3, 2, 7, 6, 4, new Window(4, 4, 2, 2, 1, 2, 1, 2, 1, 1)),
        // 1x1 at stride 2 (odd size: the last row and column unread); one input and one output channel
        new Case(2, 3, 7, 7, 4, new Window(1, 1, 2, 2, 0, 0, 0, 0, 1, 1)),
        new Case(1, 1, 5, 6, 1, new Window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1)),
        // a right padding larger than needed (it only decides the output count) and one that drops a row
        new Case(2, 2, 6, 6, 3, new Window(3, 3, 2, 2, 1, 2, 1, 2, 1, 1)),
        new Case(2, 2, 8, 8, 3, new Window(3, 3, 2, 2, 0, 0, 0, 0, 1, 1)),
        // 16 channels: oneDNN's blocked kernels take this path
        new Case(2, 16, 8, 8, 16, new Window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
  }

  static List<Arguments> casesAndLayouts() {
    List<Arguments> all = new ArrayList<>();
    for (String layout : new String[] {"plain", "blocked"}) {
      for (Case c : cases()) {
        all.add(Arguments.of(layout, c));
      }
    }
    return all;
  }

  /**
   * Each op through oneDNN (forced): float32 results against the definition and the Java ops,
   * stale outputs overwritten, a second run the same, the adjoint identities <g, conv(x, k)> =
   * <convT(g, k), x> = <convW(x, g), k>. The three ops share one Buffers, after an op of another
   * shape has filled the shared scratch with other values, as in a trainer.
   */
  @ParameterizedTest
  @MethodSource("casesAndLayouts")
  void oneDnnMatchesTheDefinitionAndTheJavaOps(String layout, Case cs) {
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, layout);
    Window win = cs.win();
    Random r = new Random(cs.hashCode());
    int oh = win.outH(cs.h());
    int ow = win.outW(cs.w());
    double[][][][] x = random(r, cs.b(), cs.c(), cs.h(), cs.w());
    double[][][][] k = random(r, cs.f(), cs.c(), win.kH(), win.kW());
    double[][][][] g = random(r, cs.b(), cs.f(), oh, ow);
    double[][][][][] want = definition(win, x, k, g);
    INDArray xa = array(x, DataType.FLOAT);
    INDArray ka = array(k, DataType.FLOAT);
    INDArray ga = array(g, DataType.FLOAT);
    INDArray[][] got = new INDArray[2][];
    String[][] impls = new String[2][];
    Convolutions.Impl[] both = {Convolutions.Impl.DNNL, Convolutions.Impl.JAVA};
    for (int i = 0; i < 2; i++) {
      Convolutions.use(both[i]);
      Buffers buffers = new Buffers();
      scribble(buffers);
      INDArray ya = Nd4j.create(DataType.FLOAT, cs.b(), cs.f(), oh, ow).assign(7);
      INDArray dxa = Nd4j.create(DataType.FLOAT, cs.b(), cs.c(), cs.h(), cs.w()).assign(7);
      INDArray dka = Nd4j.create(DataType.FLOAT, cs.f(), cs.c(), win.kH(), win.kW()).assign(7);
      Convolutions.Conv2d conv = new Convolutions.Conv2d(xa, ka, ya, win, buffers);
      Convolutions.Conv2dTranspose tr = new Convolutions.Conv2dTranspose(ga, ka, dxa, win, buffers);
      Convolutions.Conv2dFilter fi = new Convolutions.Conv2dFilter(xa, ga, dka, win, buffers);
      for (int rep = 0; rep < 2; rep++) {
        conv.run();
        tr.run();
        fi.run();
      }
      got[i] = new INDArray[] {ya, dxa, dka};
      impls[i] = new String[] {conv.impl(), tr.impl(), fi.impl()};
      buffers.release();
    }
    String[] names = {"conv", "input gradient", "filter gradient"};
    for (int j = 0; j < 3; j++) {
      String what = names[j] + " " + cs + " " + layout + " (" + impls[0][j] + ")";
      assertTrue(impls[0][j].startsWith("oneDNN"), what + ": not bound to oneDNN");
      assertTrue(!impls[1][j].startsWith("oneDNN"), impls[1][j] + " with the Java ops forced");
      assertClose(want[j], got[0][j], 2e-5, what + " against the definition");
      double diff = got[0][j].sub(got[1][j]).amaxNumber().doubleValue();
      assertTrue(diff <= 2e-5 * Math.max(1, got[1][j].amaxNumber().doubleValue()), what + " against Java: off by " + diff);
    }
    double gy = dot(ga, got[0][0]);
    double scale = Math.max(1, Math.abs(gy));
    assertEquals(gy, dot(got[0][1], xa), 1e-4 * scale, "<g, conv(x, k)> = <convT(g, k), x> for " + cs);
    assertEquals(gy, dot(got[0][2], ka), 1e-4 * scale, "<g, conv(x, k)> = <convW(x, g), k> for " + cs);
  }

  /**
   * The convolution with its bias and ReLU as oneDNN post-ops (both, either) equals the convolution
   * alone followed by ND4J's BiasAdd and RectifiedLinear to the bit (zeros' signs aside), in both layouts, on every
   * geometry (the post-ops apply to each finished sum as it is stored); the same op with the Java
   * convolution forced (conv, then the two ND4J ops in place) equals them to float32 rounding.
   * Half the outputs are negative, so the ReLU's zeros are exercised.
   */
  @ParameterizedTest
  @MethodSource("casesAndLayouts")
  void biasAndReluPostOpsEqualTheSeparateOps(String layout, Case cs) {
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, layout);
    Window win = cs.win();
    Random r = new Random(cs.hashCode() + 1);
    int oh = win.outH(cs.h());
    int ow = win.outW(cs.w());
    INDArray xa = array(random(r, cs.b(), cs.c(), cs.h(), cs.w()), DataType.FLOAT);
    INDArray ka = array(random(r, cs.f(), cs.c(), win.kH(), win.kW()), DataType.FLOAT);
    INDArray bias = Nd4j.create(DataType.FLOAT, cs.f());
    for (int i = 0; i < cs.f(); i++) {
      bias.putScalar(i, r.nextGaussian());
    }
    for (int variant = 0; variant < 3; variant++) {
      INDArray b = variant == 1 ? null : bias;
      boolean relu = variant != 2;
      Convolutions.use(Convolutions.Impl.DNNL);
      Buffers buffers = new Buffers();
      scribble(buffers);
      INDArray want = Nd4j.create(DataType.FLOAT, cs.b(), cs.f(), oh, ow);
      new Convolutions.Conv2d(xa, ka, want, win, buffers).run();
      if (b != null) {
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd(want, b, want, true));
      }
      if (relu) {
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(want, want, 0.0));
      }
      INDArray got = Nd4j.create(DataType.FLOAT, cs.b(), cs.f(), oh, ow).assign(7);
      Convolutions.Conv2d fused = new Convolutions.Conv2d(xa, ka, b, relu, got, win, buffers);
      fused.run();
      fused.run();
      String what = cs + " " + layout + (b != null ? " bias" : "") + (relu ? " relu" : "") + " (" + fused.impl() + ")";
      assertTrue(fused.impl().startsWith("oneDNN"), what + ": not bound to oneDNN");
      assertEquals(relu, fused.impl().endsWith("+ relu"), what);
      assertBitsEqual(want, got, what + ": post-ops against the separate ops");
      if (relu) {
        assertTrue(want.lt(0).any() == false && want.eq(0).any(), what + ": no ReLU zeros exercised");
      }
      Convolutions.use(Convolutions.Impl.JAVA);
      INDArray java = Nd4j.create(DataType.FLOAT, cs.b(), cs.f(), oh, ow).assign(7);
      Convolutions.Conv2d epilogue = new Convolutions.Conv2d(xa, ka, b, relu, java, win, buffers);
      epilogue.run();
      epilogue.run();
      double diff = java.sub(want).amaxNumber().doubleValue();
      assertTrue(diff <= 2e-5 * Math.max(1, want.amaxNumber().doubleValue()),
          what + " against the Java convolution and ND4J's ops (" + epilogue.impl() + "): off by " + diff);
      buffers.release();
    }
  }

  /**
   * The ReLU's VJP from its output, out = g * [a > 0]: oneDNN's eltwise backward against the
   * definition, exactly (it selects, it does not round), on ReLU outputs with many zeros; and the
   * mask-and-multiply fallback (oneDNN not allowed, and float64) the same, also exactly. A stale
   * output is overwritten.
   */
  @Test
  void reluVjpSelectsTheGradientWhereTheOutputIsPositive() {
    Random r = new Random(5);
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (Convolutions.Impl impl : new Convolutions.Impl[] {Convolutions.Impl.AUTO, Convolutions.Impl.JAVA}) {
        Convolutions.use(impl);
        for (long[] shape : new long[][] {{3, 5, 7, 6}, {128, 10}, {1}}) {
          INDArray a = Nd4j.create(dt, shape);
          INDArray g = Nd4j.create(dt, shape);
          INDArray want = Nd4j.create(dt, shape);
          for (long i = 0; i < a.length(); i++) {
            double z = r.nextGaussian();
            double gi = r.nextGaussian();
            a.putScalar(i, Math.max(z, 0));
            g.putScalar(i, gi);
            want.putScalar(i, z > 0 ? gi : 0);
          }
          Buffers buffers = new Buffers();
          INDArray out = Nd4j.create(dt, shape).assign(7);
          Kernels.ReluVjp vjp = new Kernels.ReluVjp(a, g, out, buffers);
          vjp.run();
          vjp.run();
          String what = dt + " " + impl + " " + java.util.Arrays.toString(shape) + " (" + vjp.impl() + ")";
          assertEquals(dt == DataType.FLOAT && impl == Convolutions.Impl.AUTO, vjp.impl().startsWith("oneDNN"), what);
          assertEquals(want, out, what);
          buffers.release();
        }
      }
    }
  }

  /**
   * Max pooling itself through oneDNN's pooling primitive gives the Java op's maxima, bit for bit
   * (zeros' signs aside), on values with many ties (a few levels, both zeros) and on Gaussians:
   * LeNet's 2 x 2 / 2, Poggio's 3 x 3 / 2 'same' (padding 0 before, 1 after, and 1 and 1), padding
   * up to the kernel's extent less one, dilation, non-square windows, odd sizes. A gather at another
   * value's argmax, the Java setting, float64 and windows of padding alone keep the Java loop.
   */
  @Test
  void maxPoolingThroughOneDnnGivesTheJavaMaxima() {
    Window[] wins = {new Window(2, 2, 2, 2, 0, 0, 0, 0, 1, 1), new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1),
        new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new Window(3, 3, 1, 1, 2, 2, 2, 2, 1, 1),
        new Window(2, 3, 1, 2, 1, 0, 2, 1, 2, 1), new Window(3, 2, 3, 1, 0, 2, 1, 0, 1, 2)};
    int[][] sizes = {{3, 6, 9, 9}, {2, 16, 10, 11}, {1, 3, 7, 6}};
    Random r = new Random(11);
    for (Window win : wins) {
      for (int[] sz : sizes) {
        for (boolean ties : new boolean[] {true, false}) {
          INDArray x = Nd4j.create(DataType.FLOAT, sz[0], sz[1], sz[2], sz[3]);
          for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, ties ? (r.nextInt(4) - 1) * 0.5 * (r.nextBoolean() ? 1 : -1) : r.nextGaussian());
          }
          long[] out = {sz[0], sz[1], win.outH(sz[2]), win.outW(sz[3])};
          Convolutions.use(Convolutions.Impl.JAVA);
          INDArray want = Nd4j.create(DataType.FLOAT, out);
          new Convolutions.MaxPoolGather(x, x, want, win, new Buffers()).run();
          Convolutions.use(Convolutions.Impl.AUTO);
          Buffers buffers = new Buffers();
          INDArray got = Nd4j.create(DataType.FLOAT, out).assign(7);
          Convolutions.MaxPoolGather pool = new Convolutions.MaxPoolGather(x, x, got, win, buffers);
          pool.run();
          pool.run();
          String what = java.util.Arrays.toString(sz) + " " + win + (ties ? " ties" : "") + " (" + pool.impl() + ")";
          assertTrue(pool.impl().startsWith("oneDNN"), what + ": not bound to oneDNN");
          assertBitsEqual(want, got, what);
          buffers.release();
        }
      }
    }
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 6, 6);
    INDArray y = Nd4j.create(DataType.FLOAT, 2, 3, 3, 3);
    Window w = new Window(2, 2, 2, 2, 0, 0, 0, 0, 1, 1);
    Buffers buffers = new Buffers();
    assertEquals("Java", new Convolutions.MaxPoolGather(x, x.dup(), y, w, buffers).impl(), "a gather at another's argmax");
    INDArray xd = x.castTo(DataType.DOUBLE);
    assertEquals("Java", new Convolutions.MaxPoolGather(xd, xd, y.castTo(DataType.DOUBLE), w, buffers).impl(), "float64");
    assertEquals("Java", new Convolutions.MaxPoolGather(x, x, Nd4j.create(DataType.FLOAT, 2, 3, 4, 4),
        new Window(2, 2, 2, 2, 2, 0, 2, 0, 1, 1), buffers).impl(), "windows of padding alone");
    Convolutions.use(Convolutions.Impl.JAVA);
    assertEquals("Java", new Convolutions.MaxPoolGather(x, x, y, w, buffers).impl(), "-Dbpnet.conv=java");
    buffers.release();
  }

  /** Equal bit for bit but for the sign of zero (oneDNN's ReLU gives 0 * x = -0.0 for x < 0, ND4J's +0.0). */
  private static void assertBitsEqual(INDArray want, INDArray got, String what) {
    float[] w = want.data().asFloat();
    float[] g = got.data().asFloat();
    assertEquals(w.length, g.length, what);
    for (int i = 0; i < w.length; i++) {
      if (Float.floatToIntBits(w[i] + 0f) != Float.floatToIntBits(g[i] + 0f)) {
        throw new AssertionError(what + ": element " + i + " is " + g[i] + ", want " + w[i]);
      }
    }
  }

  /** Fills the shared scratch slots oneDNN's ops use with NaNs, through a bound op of another shape. */
  private static void scribble(Buffers buffers) {
    for (String slot : new String[] {"oneDNN scratchpad", "oneDNN layout 0", "oneDNN layout 1", "oneDNN layout 2"}) {
      buffers.scratch(DataType.FLOAT, slot, 1, 1 << 16).assign(Double.NaN);
    }
  }

  /** The layout rule on the layers it was measured on (BENCHMARKS.md, --conv-ops with AVX-512 and with AVX2). */
  @Test
  void autoLayoutsAreTheMeasuredFastest() {
    System.clearProperty(DnnlConvolutions.LAYOUT_PROPERTY);
    NativeConvolutions.Kind fwd = NativeConvolutions.Kind.FORWARD;
    NativeConvolutions.Kind dx = NativeConvolutions.Kind.INPUT_GRADIENT;
    NativeConvolutions.Kind dw = NativeConvolutions.Kind.FILTER_GRADIENT;
    for (int c : new int[] {6, 16, 32, 64}) {
      for (NativeConvolutions.Kind k : NativeConvolutions.Kind.values()) {
        assertTrue(DnnlConvolutions.blocked(k, c), k + " with " + c + " channels");
      }
    }
    assertTrue(DnnlConvolutions.blocked(fwd, 1) && DnnlConvolutions.blocked(fwd, 3));
    assertTrue(!DnnlConvolutions.blocked(dx, 1) && !DnnlConvolutions.blocked(dx, 3), "the first layer's input gradient");
    assertTrue(DnnlConvolutions.blocked(dw, 3));
    // one channel's filter gradient: blocked with AVX-512 kernels only (which a forced blocked op shows)
    Convolutions.use(Convolutions.Impl.DNNL);
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, "blocked");
    boolean avx512 = new Convolutions.Conv2dFilter(Nd4j.create(DataType.FLOAT, 2, 1, 8, 8), Nd4j.create(DataType.FLOAT, 2, 2, 6, 6),
        Nd4j.create(DataType.FLOAT, 2, 1, 3, 3), new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1)).impl().contains("avx512");
    System.clearProperty(DnnlConvolutions.LAYOUT_PROPERTY);
    assertEquals(avx512, DnnlConvolutions.blocked(dw, 1), "LeNet c1's filter gradient");
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, "plain");
    assertTrue(!DnnlConvolutions.blocked(fwd, 64));
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, "blocked");
    assertTrue(DnnlConvolutions.blocked(dx, 1));
  }

  /** auto binds oneDNN for float32 host arrays; float64 keeps the Java ops, whatever the setting. */
  @Test
  void autoBindsOneDnnForFloat32AndJavaForFloat64() {
    Window win = new Window(5, 5, 1, 1, 0, 0, 0, 0, 1, 1);
    INDArray x = Nd4j.create(DataType.FLOAT, 4, 6, 14, 14);
    INDArray k = Nd4j.create(DataType.FLOAT, 16, 6, 5, 5);
    INDArray y = Nd4j.create(DataType.FLOAT, 4, 16, 10, 10);
    for (Convolutions.Impl impl : new Convolutions.Impl[] {Convolutions.Impl.AUTO, Convolutions.Impl.DNNL}) {
      Convolutions.use(impl);
      assertTrue(new Convolutions.Conv2d(x, k, y, win).impl().startsWith("oneDNN"), impl.toString());
      assertTrue(new Convolutions.Conv2dTranspose(y, k, x, win).impl().startsWith("oneDNN"), impl.toString());
      assertTrue(new Convolutions.Conv2dFilter(x, y, k, win).impl().startsWith("oneDNN"), impl.toString());
      INDArray x64 = x.castTo(DataType.DOUBLE);
      INDArray k64 = k.castTo(DataType.DOUBLE);
      INDArray y64 = y.castTo(DataType.DOUBLE);
      assertEquals("im2col + gemm", new Convolutions.Conv2d(x64, k64, y64, win).impl());
      assertEquals("gemm + col2im", new Convolutions.Conv2dTranspose(y64, k64, x64, win).impl());
      assertEquals("im2col + gemm", new Convolutions.Conv2dFilter(x64, y64, k64, win).impl());
    }
    Convolutions.use(Convolutions.Impl.JAVA);
    assertEquals("im2col + gemm", new Convolutions.Conv2d(x, k, y, win).impl());
  }

  /** A run allocates no INDArray: the scratch is bound with the op. */
  @Test
  void aRunAllocatesNoArrays() {
    Convolutions.use(Convolutions.Impl.DNNL);
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, "blocked");
    Window win = new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 16, 16, 16);
    INDArray k = Nd4j.rand(DataType.FLOAT, 32, 16, 3, 3);
    INDArray y = Nd4j.create(DataType.FLOAT, 8, 32, 8, 8);
    Buffers buffers = new Buffers();
    Convolutions.Conv2d conv = new Convolutions.Conv2d(x, k, y, win, buffers);
    Convolutions.Conv2dTranspose tr = new Convolutions.Conv2dTranspose(y, k, x.dup(), win, buffers);
    Convolutions.Conv2dFilter fi = new Convolutions.Conv2dFilter(x, y, k.dup(), win, buffers);
    conv.run();
    long bytes = buffers.bytes();
    org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration counting =
        org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().initialSize(0)
            .policyAllocation(org.nd4j.linalg.api.memory.enums.AllocationPolicy.STRICT)
            .policyLearning(org.nd4j.linalg.api.memory.enums.LearningPolicy.NONE)
            .policySpill(org.nd4j.linalg.api.memory.enums.SpillPolicy.EXTERNAL).build();
    try (org.nd4j.linalg.api.memory.MemoryWorkspace ws =
        Nd4j.getWorkspaceManager().getAndActivateWorkspace(counting, "dnnl-count")) {
      org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace counted = (org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace) ws;
      for (int i = 0; i < 5; i++) {
        conv.run();
        tr.run();
        fi.run();
      }
      assertEquals(0L, counted.getThisCycleAllocations(), "bytes ND4J allocated in 5 runs of the three ops");
      x.mul(2.0);  // the control: one allocation must be seen
      assertTrue(counted.getThisCycleAllocations() > 0, "the workspace counts allocations");
    }
    assertEquals(bytes, buffers.bytes(), "scratch grew while running");
    buffers.release();
  }

  /**
   * One thread means one: with {@link Backend#setThreads}(1), oneDNN's OpenMP regions use one
   * thread, so the process's CPU time over a run of convolutions is not more than its wall time
   * (2 threads on 2 free cores would take about twice). And the process maps one OpenMP runtime,
   * libnd4j's: the presets' own libgomp.so.1 resolves to it, which is why setThreads reaches oneDNN.
   */
  @Test
  void oneThreadUsesOneCore() throws java.io.IOException {
    int threads = Backend.threads();
    Backend.setThreads(1);
    try {
      Convolutions.use(Convolutions.Impl.DNNL);
      Window win = new Window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
      INDArray x = Nd4j.rand(DataType.FLOAT, 32, 16, 32, 32);
      INDArray k = Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3);
      INDArray y = Nd4j.create(DataType.FLOAT, 32, 16, 32, 32);
      Convolutions.Conv2d conv = new Convolutions.Conv2d(x, k, y, win);
      conv.run();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      long wall;
      int runs = 0;
      do {
        conv.run();
        runs++;
        wall = System.nanoTime() - wall0;
      } while (wall < 400_000_000L);
      long cpu = os.getProcessCpuTime() - cpu0;
      // the JVM's own threads (JIT, GC) add a little; a second compute thread would add ~100%
      assertTrue(cpu < 1.3 * wall, "CPU " + cpu / 1e6 + " ms over " + wall / 1e6 + " ms wall in " + runs + " runs");
      List<String> gomp = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
          .filter(l -> l.endsWith("/libgomp.so.1")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().toList();
      assertEquals(1, gomp.size(), "OpenMP runtimes mapped: " + gomp);
    } finally {
      Backend.setThreads(threads);
    }
  }

  /**
   * Two layers and the second one's gradients, with the copies shared ({@link
   * Convolutions.ConvOp#reuse}: the second layer reads the first one's output from its blocked
   * copy, the filter gradient reads its input from the second layer's copy and its cotangent from
   * the input gradient's) and without: the same bits, over three steps with new inputs each (the
   * shared copies are remade every step, not kept from the first), while shared scratch is
   * overwritten between the ops by another op, as in a trainer. At 16 channels every shared array
   * is blocked the same way, so each reuse drops reorders; the plain layout has none to drop.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"blocked", "plain", "auto"})
  void sharedCopiesGiveTheSameBitsAsOwnReorders(String layout) {
    System.setProperty(DnnlConvolutions.LAYOUT_PROPERTY, layout);
    Convolutions.use(Convolutions.Impl.DNNL);
    Window same = new Window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    Window strided = new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
    Random r = new Random(7);
    INDArray k1 = array(random(r, 16, 16, 3, 3), DataType.FLOAT);
    INDArray k2 = array(random(r, 32, 16, 3, 3), DataType.FLOAT);
    INDArray[] shared = new INDArray[6];
    INDArray[] own = new INDArray[6];
    Runnable[] sharedSteps = twoLayers(shared, k1, k2, same, strided, true, layout);
    Runnable[] ownSteps = twoLayers(own, k1, k2, same, strided, false, layout);
    for (int step = 0; step < 3; step++) {
      INDArray x = array(random(r, 2, 16, 9, 8), DataType.FLOAT);
      INDArray g2 = array(random(r, 2, 32, 5, 4), DataType.FLOAT);
      shared[0].assign(x);
      own[0].assign(x);
      shared[3].assign(g2);
      own[3].assign(g2);
      for (int i = 0; i < sharedSteps.length; i++) {
        sharedSteps[i].run();
        ownSteps[i].run();
      }
      for (int i : new int[] {1, 2, 4, 5}) {
        assertEquals(own[i], shared[i], "step " + step + ", array " + i);
      }
    }
  }

  /**
   * arrays = {x, y1 = conv(x, k1), y2 = conv(y1, k2), g2, dy1 = convT(g2, k2), dk2 = convW(y1, g2)}
   * bound to oneDNN; their runs in order, with a Java op of another shape between them that
   * writes the shared scratch.
   */
  private static Runnable[] twoLayers(INDArray[] a, INDArray k1, INDArray k2, Window same, Window strided,
      boolean share, String layout) {
    Buffers buffers = new Buffers();
    a[0] = buffers.zeros(DataType.FLOAT, 2, 16, 9, 8);
    a[1] = buffers.zeros(DataType.FLOAT, 2, 16, 9, 8);
    a[2] = buffers.zeros(DataType.FLOAT, 2, 32, 5, 4);
    a[3] = buffers.zeros(DataType.FLOAT, 2, 32, 5, 4);
    a[4] = buffers.zeros(DataType.FLOAT, 2, 16, 9, 8);
    a[5] = buffers.zeros(DataType.FLOAT, 32, 16, 3, 3);
    Convolutions.Conv2d layer1 = new Convolutions.Conv2d(a[0], k1, null, true, a[1], same, buffers);
    Convolutions.Conv2d layer2 = new Convolutions.Conv2d(a[1], k2, a[2], strided, buffers);
    Convolutions.Conv2dTranspose dx = new Convolutions.Conv2dTranspose(a[3], k2, a[4], strided, buffers);
    Convolutions.Conv2dFilter dk = new Convolutions.Conv2dFilter(a[1], a[3], a[5], strided, buffers);
    INDArray ox = Nd4j.rand(DataType.FLOAT, 3, 16, 6, 6);
    Convolutions.Conv2d other = new Convolutions.Conv2d(ox, Nd4j.rand(DataType.FLOAT, 16, 16, 3, 3),
        Nd4j.create(DataType.FLOAT, 3, 16, 6, 6), same, buffers);
    assertTrue(layer1.impl().startsWith("oneDNN") && dk.impl().startsWith("oneDNN"), layer1.impl() + ", " + dk.impl());
    if (share) {
      int dropped = layer2.reuse(layer1) + dk.reuse(layer2, dx);
      assertEquals(layout.equals("plain") ? 0 : 3, dropped, "reorders dropped, layout " + layout);
      assertEquals(0, layer1.reuse(other), "another op's arrays are not layer1's");
    }
    return new Runnable[] {layer1::run, other::run, layer2::run, other::run, dx::run, other::run, dk::run};
  }

  private static double dot(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
  }
}
