package dev.bpnet.runtime;

import static dev.bpnet.runtime.ConvolutionsTest.array;
import static dev.bpnet.runtime.ConvolutionsTest.assertClose;
import static dev.bpnet.runtime.ConvolutionsTest.definition;
import static dev.bpnet.runtime.ConvolutionsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Convolutions.Window;
import dev.bpnet.runtime.NativeConvolutions.Kind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolution ops bound to ND4J's native ops: which windows they take (on every build), and
 * their results against the definition, the Java ops and each other's adjoints. The results are
 * checked with the native ops forced ({@code Convolutions.use(NATIVE)}): on the default
 * {@code linux-x86_64} build that is libnd4j's own loops, with
 * {@code -Dnd4j.classifier=linux-x86_64-onednn} oneDNN's kernels, the ones {@code auto} uses.
 */
class NativeConvolutionsTest {
  private final Convolutions.Impl before = Convolutions.impl();

  @AfterEach
  void restore() {
    Convolutions.use(before);
  }

  /** ND4J's padding modes, reproduced: VALID takes one padding per axis, SAME TensorFlow's (the odd pixel after). */
  @Test
  void theWindowsNd4jCanExpress() {
    Window sym = new Window(5, 5, 1, 1, 2, 2, 2, 2, 1, 1);
    assertArrayEquals(new int[] {5, 5, 1, 1, 2, 2, 1, 1, 0, 0, 1}, NativeConvolutions.arguments(Kind.FORWARD, sym, 28, 28, 28, 28));
    assertArrayEquals(new int[] {5, 5, 1, 1, 2, 2, 1, 1, 0, 0, 1},
        NativeConvolutions.arguments(Kind.INPUT_GRADIENT, sym, 28, 28, 28, 28));
    // stride 2, padding = same on 32: 0 before, 1 after; SAME mode for conv2d and conv2d_bp, not
    // for deconv2d (its oneDNN version is VALID only)
    Window tf = new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1);
    assertArrayEquals(new int[] {3, 3, 2, 2, 0, 0, 1, 1, 1, 0, 1}, NativeConvolutions.arguments(Kind.FORWARD, tf, 32, 32, 16, 16));
    assertArrayEquals(new int[] {3, 3, 2, 2, 0, 0, 1, 1, 1, 0, 1},
        NativeConvolutions.arguments(Kind.FILTER_GRADIENT, tf, 32, 32, 16, 16));
    assertNull(NativeConvolutions.arguments(Kind.INPUT_GRADIENT, tf, 32, 32, 16, 16));
    // stride 2 with 1 on each side over 14: VALID; the floor drops nothing
    Window s2 = new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
    assertArrayEquals(new int[] {3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 1}, NativeConvolutions.arguments(Kind.FORWARD, s2, 14, 14, 7, 7));
    // the runtime's bottom padding only decides the output count: 2 before and 0 after over 6 is
    // not ND4J's (VALID would make 7 outputs, SAME pads 1 before)
    assertNull(NativeConvolutions.arguments(Kind.FORWARD, new Window(3, 3, 1, 1, 2, 0, 2, 0, 1, 1), 6, 6, 6, 6));
    // dilation: the oneDNN glue of ND4J 1.0.0-M2.1 gets its right padding wrong
    assertNull(NativeConvolutions.arguments(Kind.FORWARD, new Window(3, 3, 1, 1, 2, 2, 2, 2, 2, 2), 6, 6, 6, 6));
  }

  /**
   * Over 8 x 7: windows the native ops take (symmetric; strided; SAME with the odd pixel after in
   * H; non-square) and ones they do not (padding 0/1 in W where SAME pads 1/1; 1x1 at stride 2,
   * whose right padding would be negative; dilation).
   */
  static List<Window> windows() {
    return List.of(new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1), new Window(5, 5, 1, 1, 2, 2, 2, 2, 1, 1),
        new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), new Window(3, 3, 2, 2, 0, 1, 1, 1, 1, 1),
        new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1),
        new Window(2, 3, 1, 2, 0, 1, 1, 1, 1, 1), new Window(1, 1, 2, 2, 0, 0, 0, 0, 1, 1),
        new Window(2, 3, 1, 2, 0, 1, 1, 0, 2, 1));
  }

  private static final int B = 3;
  private static final int C = 2;
  private static final int H = 8;
  private static final int W = 7;
  private static final int F = 4;

  /**
   * Each op bound with the native ops forced: float32 results against the definition (in double)
   * and against the Java ops, the adjoint identities <g, conv(x, k)> = <convT(g, k), x> =
   * <convW(x, g), k> (the three are each other's VJPs, which the exact third pass relies on), and
   * stale outputs overwritten.
   */
  @ParameterizedTest
  @MethodSource("windows")
  void nativeOpsMatchTheDefinitionAndTheJavaOps(Window win) {
    Random r = new Random(win.hashCode());
    int oh = win.outH(H);
    int ow = win.outW(W);
    double[][][][] x = random(r, B, C, H, W);
    double[][][][] k = random(r, F, C, win.kH(), win.kW());
    double[][][][] g = random(r, B, F, oh, ow);
    double[][][][][] want = definition(win, x, k, g);
    INDArray xa = array(x, DataType.FLOAT);
    INDArray ka = array(k, DataType.FLOAT);
    INDArray ga = array(g, DataType.FLOAT);
    INDArray[][] got = new INDArray[2][];
    String[][] impls = new String[2][];
    Convolutions.Impl[] both = {Convolutions.Impl.NATIVE, Convolutions.Impl.JAVA};
    for (int i = 0; i < 2; i++) {
      Convolutions.use(both[i]);
      INDArray ya = Nd4j.create(DataType.FLOAT, B, F, oh, ow).assign(7);
      INDArray dxa = Nd4j.create(DataType.FLOAT, B, C, H, W).assign(7);
      INDArray dka = Nd4j.create(DataType.FLOAT, F, C, win.kH(), win.kW()).assign(7);
      Buffers buffers = new Buffers();
      Convolutions.Conv2d conv = new Convolutions.Conv2d(xa, ka, ya, win, buffers);
      Convolutions.Conv2dTranspose tr = new Convolutions.Conv2dTranspose(ga, ka, dxa, win, buffers);
      Convolutions.Conv2dFilter fi = new Convolutions.Conv2dFilter(xa, ga, dka, win, buffers);
      for (int rep = 0; rep < 2; rep++) {  // a second run over its own outputs must give the same
        conv.run();
        tr.run();
        fi.run();
      }
      got[i] = new INDArray[] {ya, dxa, dka};
      impls[i] = new String[] {conv.impl(), tr.impl(), fi.impl()};
    }
    String[] names = {"conv", "input gradient", "filter gradient"};
    for (int j = 0; j < 3; j++) {
      String what = names[j] + " " + win + " (" + impls[0][j] + ")";
      assertClose(want[j], got[0][j], 1e-5, what + " against the definition");
      assertClose(want[j], got[1][j], 1e-5, names[j] + " (" + impls[1][j] + ") against the definition");
      double diff = got[0][j].sub(got[1][j]).amaxNumber().doubleValue();
      assertTrue(diff <= 1e-5 * Math.max(1, got[1][j].amaxNumber().doubleValue()), what + " against Java: off by " + diff);
    }
    // native exactly where ND4J expresses the window, and at least for the plain windows
    Kind[] kinds = {Kind.FORWARD, Kind.INPUT_GRADIENT, Kind.FILTER_GRADIENT};
    for (int j = 0; j < 3; j++) {
      boolean expressible = NativeConvolutions.arguments(kinds[j], win, H, W, oh, ow) != null;
      assertEquals(expressible, impls[0][j].startsWith("native"), impls[0][j] + " for " + win);
      assertTrue(!impls[1][j].startsWith("native"), impls[1][j] + " with the Java ops forced");
    }
    if (windows().indexOf(win) < 2) {
      assertTrue(List.of(impls[0]).stream().allMatch(i -> i.startsWith("native")), List.of(impls[0]) + " for " + win);
    }
    double gy = dot(ga, got[0][0]);
    double dxx = dot(got[0][1], xa);
    double dkk = dot(got[0][2], ka);
    double scale = Math.max(1, Math.abs(gy));
    assertEquals(gy, dxx, 1e-4 * scale, "<g, conv(x, k)> = <convT(g, k), x> for " + win);
    assertEquals(gy, dkk, 1e-4 * scale, "<g, conv(x, k)> = <convW(x, g), k> for " + win);
  }

  /**
   * Finite differences of L(x, k) = Σ g conv(x, k) along random directions, all through the native
   * forward op: (L(x + h d) - L(x - h d)) / 2h against <convT(g, k), d> and <convW(x, g), e>.
   */
  @Test
  void nativeGradientsMatchFiniteDifferences() {
    Convolutions.use(Convolutions.Impl.NATIVE);
    Window win = new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
    Random r = new Random(5);
    int oh = win.outH(H);
    int ow = win.outW(W);
    INDArray x = array(random(r, B, C, H, W), DataType.FLOAT);
    INDArray k = array(random(r, F, C, 3, 3), DataType.FLOAT);
    INDArray g = array(random(r, B, F, oh, ow), DataType.FLOAT);
    INDArray d = array(random(r, B, C, H, W), DataType.FLOAT);
    INDArray e = array(random(r, F, C, 3, 3), DataType.FLOAT);
    INDArray dx = Nd4j.create(DataType.FLOAT, B, C, H, W);
    INDArray dk = Nd4j.create(DataType.FLOAT, F, C, 3, 3);
    new Convolutions.Conv2dTranspose(g, k, dx, win).run();
    new Convolutions.Conv2dFilter(x, g, dk, win).run();
    double h = 1e-2;
    double fdX = (loss(x.add(d.mul(h)), k, g, win) - loss(x.sub(d.mul(h)), k, g, win)) / (2 * h);
    double fdK = (loss(x, k.add(e.mul(h)), g, win) - loss(x, k.sub(e.mul(h)), g, win)) / (2 * h);
    assertEquals(dot(dx, d), fdX, 1e-3 * Math.max(1, Math.abs(fdX)), "dL/dx along d");
    assertEquals(dot(dk, e), fdK, 1e-3 * Math.max(1, Math.abs(fdK)), "dL/dk along e");
  }

  /** auto's per-shape rule on the layers it was measured on (BENCHMARKS.md, --conv-ops --nd4j linux-x86_64-onednn). */
  @Test
  void autoTakesTheNativeOpWhereItWasMeasuredFaster() {
    Window lenet1 = new Window(5, 5, 1, 1, 2, 2, 2, 2, 1, 1);
    Window lenet2 = new Window(5, 5, 1, 1, 0, 0, 0, 0, 1, 1);
    Window same3 = new Window(3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    Window entry = new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1);
    assertTrue(NativeConvolutions.worthIt(Kind.FORWARD, lenet1, 1, 28, 28));
    assertTrue(!NativeConvolutions.worthIt(Kind.INPUT_GRADIENT, lenet1, 1, 28, 28), "one channel: gemm + col2im");
    assertTrue(NativeConvolutions.worthIt(Kind.INPUT_GRADIENT, same3, 3, 32, 32));
    assertTrue(!NativeConvolutions.worthIt(Kind.FILTER_GRADIENT, lenet1, 1, 28, 28));
    assertTrue(NativeConvolutions.worthIt(Kind.FILTER_GRADIENT, lenet2, 6, 14, 14));
    assertTrue(!NativeConvolutions.worthIt(Kind.FILTER_GRADIENT, same3, 16, 32, 32), "Winograd's backward data at 32 x 32");
    assertTrue(NativeConvolutions.worthIt(Kind.FILTER_GRADIENT, entry, 16, 32, 32), "stride 2");
    assertTrue(NativeConvolutions.worthIt(Kind.FILTER_GRADIENT, same3, 32, 16, 16));
  }

  /**
   * {@code auto} binds oneDNN called directly where it loads (DnnlConvolutionsTest); where it does
   * not, the native ops for LeNet's layers with oneDNN in libnd4j, else the Java ones.
   */
  @Test
  void autoBindsNativeOpsExactlyWhenOneDnnIsLoaded() {
    Convolutions.use(Convolutions.Impl.AUTO);
    Window win = new Window(5, 5, 1, 1, 0, 0, 0, 0, 1, 1);
    INDArray x = Nd4j.create(DataType.FLOAT, 4, 6, 14, 14);
    INDArray k = Nd4j.create(DataType.FLOAT, 16, 6, 5, 5);
    INDArray y = Nd4j.create(DataType.FLOAT, 4, 16, 10, 10);
    Convolutions.Conv2d conv = new Convolutions.Conv2d(x, k, y, win);
    String want = DnnlConvolutions.available() ? "oneDNN" : Convolutions.oneDnn() ? "native conv2d" : "im2col + gemm";
    assertTrue(conv.impl().startsWith(want), conv.impl() + ", expected " + want);
    // float64 always runs in Java: the native ops take float32
    Convolutions.Conv2d conv64 = new Convolutions.Conv2d(x.castTo(DataType.DOUBLE), k.castTo(DataType.DOUBLE),
        y.castTo(DataType.DOUBLE), win);
    assertEquals("im2col + gemm", conv64.impl());
  }

  /** The build information is read as it should be: oneDNN exactly when the onednn jar of nd4j-native is loaded. */
  @Test
  void theOneDnnBuildIsRecognised() {
    boolean onednnJar = NativeConvolutionsTest.class.getClassLoader()
        .getResource("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/libnd4jcpu.so") != null;
    assertEquals(onednnJar, Convolutions.oneDnn(), "oneDNN detected; the onednn classifier's jar on the class path: " + onednnJar);
  }

  private static double loss(INDArray x, INDArray k, INDArray g, Window win) {
    INDArray y = Nd4j.create(DataType.FLOAT, g.shape());
    new Convolutions.Conv2d(x, k, y, win).run();
    return dot(g, y);
  }

  private static double dot(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
  }
}
