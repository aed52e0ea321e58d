package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Convolutions.Window;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime's convolution and pooling ops against plain loops written from the definitions,
 * float64 to 1e-12 and float32 to 1e-5: y[b, f, y, z] = Σ_{c, i, j} x[b, c, y sH - pT + i dH,
 * z sW - pL + j dW] k[f, c, i, j] (zero outside x); the input gradient dx = ∂/∂x Σ g y and the
 * filter gradient dk = ∂/∂k Σ g y, each accumulated term by term; the pools window by window;
 * unfold (im2col) element by element and fold (col2im) as its transpose.
 */
class ConvolutionsTest {
  private static Convolutions.Impl before;

  /** These check the Java ops on every build; NativeConvolutionsTest checks the native ones. */
  @BeforeAll
  static void javaOps() {
    before = Convolutions.use(Convolutions.Impl.JAVA);
  }

  @AfterAll
  static void restore() {
    Convolutions.use(before);
  }

  /** Windows with every kind of geometry: strides, symmetric and asymmetric padding, dilation, non-square kernels. */
  static List<Window> windows() {
    return List.of(new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1), new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        new Window(2, 3, 1, 2, 0, 1, 1, 0, 2, 1), new Window(3, 2, 3, 1, 1, 2, 0, 1, 1, 2),
        new Window(4, 4, 2, 2, 1, 2, 1, 2, 1, 1), new Window(1, 1, 2, 2, 0, 0, 0, 0, 1, 1));
  }

  private static final int B = 3;
  private static final int C = 2;
  private static final int H = 7;
  private static final int W = 6;
  private static final int F = 4;

  @ParameterizedTest
  @MethodSource("windows")
  void convolutionAndItsGradientsMatchTheDefinition(Window win) {
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
      Random r = new Random(win.hashCode());
      int oh = win.outH(H);
      int ow = win.outW(W);
      double[][][][] x = random(r, B, C, H, W);
      double[][][][] k = random(r, F, C, win.kH(), win.kW());
      double[][][][] g = random(r, B, F, oh, ow);
      double[][][][][] want = definition(win, x, k, g);
      double[][][][] y = want[0];
      double[][][][] dx = want[1];
      double[][][][] dk = want[2];
      INDArray xa = array(x, dt);
      INDArray ka = array(k, dt);
      INDArray ga = array(g, dt);
      INDArray ya = Nd4j.create(dt, B, F, oh, ow);
      INDArray dxa = Nd4j.create(dt, B, C, H, W).assign(7);  // stale values must be overwritten
      INDArray dka = Nd4j.create(dt, F, C, win.kH(), win.kW()).assign(7);
      new Convolutions.Conv2d(xa, ka, ya, win).run();
      new Convolutions.Conv2dTranspose(ga, ka, dxa, win).run();
      new Convolutions.Conv2dFilter(xa, ga, dka, win).run();
      assertClose(y, ya, tol, "conv " + win + " " + dt);
      assertClose(dx, dxa, tol, "input gradient " + win + " " + dt);
      assertClose(dk, dka, tol, "filter gradient " + win + " " + dt);
    }
  }

  /**
   * y, dx and dk of the definition, term by term, in double: y = conv(x, k), dx = ∂/∂x Σ g y,
   * dk = ∂/∂k Σ g y.
   */
  static double[][][][][] definition(Window win, double[][][][] x, double[][][][] k, double[][][][] g) {
    int nb = x.length;
    int nc = x[0].length;
    int h = x[0][0].length;
    int w = x[0][0][0].length;
    int nf = k.length;
    int oh = g[0][0].length;
    int ow = g[0][0][0].length;
    double[][][][] y = new double[nb][nf][oh][ow];
    double[][][][] dx = new double[nb][nc][h][w];
    double[][][][] dk = new double[nf][nc][win.kH()][win.kW()];
    for (int b = 0; b < nb; b++) {
      for (int f = 0; f < nf; f++) {
        for (int yy = 0; yy < oh; yy++) {
          for (int zz = 0; zz < ow; zz++) {
            for (int c = 0; c < nc; c++) {
              for (int i = 0; i < win.kH(); i++) {
                for (int j = 0; j < win.kW(); j++) {
                  int ih = yy * win.sH() - win.padTop() + i * win.dH();
                  int iw = zz * win.sW() - win.padLeft() + j * win.dW();
                  if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                    continue;
                  }
                  y[b][f][yy][zz] += x[b][c][ih][iw] * k[f][c][i][j];
                  dx[b][c][ih][iw] += g[b][f][yy][zz] * k[f][c][i][j];
                  dk[f][c][i][j] += g[b][f][yy][zz] * x[b][c][ih][iw];
                }
              }
            }
          }
        }
      }
    }
    return new double[][][][][] {y, dx, dk};
  }

  @ParameterizedTest
  @MethodSource("windows")
  void poolingAndItsGradientsMatchTheDefinition(Window win) {
    if (win.padTop() >= win.kH() || win.padBottom() >= win.kH() || win.padLeft() >= win.kW() || win.padRight() >= win.kW()) {
      return;
    }
    Random r = new Random(win.hashCode() + 1);
    int oh = win.outH(H);
    int ow = win.outW(W);
    double[][][][] x = random(r, B, C, H, W);
    double[][][][] g = random(r, B, C, oh, ow);
    double[][][][] avg = new double[B][C][oh][ow];
    double[][][][] max = new double[B][C][oh][ow];
    double[][][][] avgT = new double[B][C][H][W];
    double[][][][] scatter = new double[B][C][H][W];
    for (int b = 0; b < B; b++) {
      for (int c = 0; c < C; c++) {
        for (int yy = 0; yy < oh; yy++) {
          for (int zz = 0; zz < ow; zz++) {
            double best = Double.NEGATIVE_INFINITY;
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < win.kH(); i++) {
              for (int j = 0; j < win.kW(); j++) {
                int ih = yy * win.sH() - win.padTop() + i * win.dH();
                int iw = zz * win.sW() - win.padLeft() + j * win.dW();
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                  continue;
                }
                avg[b][c][yy][zz] += x[b][c][ih][iw] / (win.kH() * win.kW());
                avgT[b][c][ih][iw] += g[b][c][yy][zz] / (win.kH() * win.kW());
                if (x[b][c][ih][iw] > best) {
                  best = x[b][c][ih][iw];
                  bi = ih;
                  bj = iw;
                }
              }
            }
            max[b][c][yy][zz] = best;
            scatter[b][c][bi][bj] += g[b][c][yy][zz];
          }
        }
      }
    }
    // float as well: the ops run their loops in double and convert at the buffer
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
      INDArray xa = array(x, dt);
      INDArray ga = array(g, dt);
      INDArray out = Nd4j.create(dt, B, C, oh, ow);
      INDArray back = Nd4j.create(dt, B, C, H, W).assign(7);
      new Convolutions.AvgPool(xa, out, win).run();
      assertClose(avg, out, tol, "avg_pool " + win);
      new Convolutions.AvgPoolTranspose(ga, back, win).run();
      assertClose(avgT, back, tol, "avg_pool transpose " + win);
      new Convolutions.MaxPoolGather(xa, xa, out, win).run();
      assertClose(max, out, dt == DataType.DOUBLE ? 0 : tol, "max_pool " + win);
      back.assign(7);
      new Convolutions.MaxPoolScatter(xa, ga, back, win).run();
      assertClose(scatter, back, tol, "max_pool scatter " + win);
      // the gather of a cotangent through x's argmax is the scatter's transpose: <gather(x, v), g> = <v, scatter(x, g)>
      INDArray v = array(random(r, B, C, H, W), dt);
      new Convolutions.MaxPoolGather(xa, v, out, win).run();
      assertEquals(out.mul(ga).sumNumber().doubleValue(), v.mul(back).sumNumber().doubleValue(), dt == DataType.DOUBLE ? 1e-12 : 1e-4);
    }
  }

  /**
   * unfold writes cols[b, y Wo + z, (c kH + i) kW + j] = x[b, c, y sH - pT + i dH, z sW - pL + j dW]
   * (0 in the padding, overwriting stale values); fold adds every column element back where it was
   * read, so that <unfold(x), g> = <x, fold(g)>.
   */
  @ParameterizedTest
  @MethodSource("windows")
  void unfoldAndFoldMatchTheDefinition(Window win) {
    for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
      Random r = new Random(win.hashCode() + 2);
      int oh = win.outH(H);
      int ow = win.outW(W);
      int k = C * win.kH() * win.kW();
      double[][][][] x = random(r, B, C, H, W);
      double[][][][] g = random(r, 1, B, oh * ow, k);
      double[][][][] cols = new double[1][B][oh * ow][k];
      double[][][][] folded = new double[B][C][H][W];
      for (int b = 0; b < B; b++) {
        for (int yy = 0; yy < oh; yy++) {
          for (int zz = 0; zz < ow; zz++) {
            for (int c = 0; c < C; c++) {
              for (int i = 0; i < win.kH(); i++) {
                for (int j = 0; j < win.kW(); j++) {
                  int ih = yy * win.sH() - win.padTop() + i * win.dH();
                  int iw = zz * win.sW() - win.padLeft() + j * win.dW();
                  if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                    int q = (c * win.kH() + i) * win.kW() + j;
                    cols[0][b][yy * ow + zz][q] = x[b][c][ih][iw];
                    folded[b][c][ih][iw] += g[0][b][yy * ow + zz][q];
                  }
                }
              }
            }
          }
        }
      }
      INDArray xa = array(x, dt);
      INDArray ga = array(g, dt).reshape(B, oh * ow, k);
      INDArray ca = Nd4j.create(dt, B, oh * ow, k).assign(7);
      INDArray fa = Nd4j.create(dt, B, C, H, W).assign(7);
      new Convolutions.Unfold(xa, ca, win).run();
      new Convolutions.Fold(ga, fa, win).run();
      assertClose(cols, ca.reshape(1, B, oh * ow, k), tol, "unfold " + win + " " + dt);
      assertClose(folded, fa, tol, "fold " + win + " " + dt);
      double lhs = ca.castTo(DataType.DOUBLE).mul(ga.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
      double rhs = xa.castTo(DataType.DOUBLE).mul(fa.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
      assertEquals(lhs, rhs, tol * Math.max(1, Math.abs(lhs)), "fold is unfold's transpose " + win + " " + dt);
    }
  }

  /** The benchmarks' FLOP rates rest on these: 2 m k n of the one gemm, m k n = F, C kH kW, B Ho Wo. */
  @Test
  void flopsAreThoseOfTheOneGemm() {
    Window win = new Window(3, 3, 2, 2, 1, 0, 1, 0, 1, 1);
    INDArray x = Nd4j.create(DataType.FLOAT, 2, 3, 6, 6);
    INDArray k = Nd4j.create(DataType.FLOAT, 4, 3, 3, 3);
    INDArray y = Nd4j.create(DataType.FLOAT, 2, 4, 3, 3);
    long want = 2L * 4 * (3 * 3 * 3) * (2 * 3 * 3);
    Convolutions.Conv2d conv = new Convolutions.Conv2d(x, k, y, win);
    assertEquals(want, conv.flops());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {4, 27, 18}, conv.gemmShape());
    assertEquals(want, new Convolutions.Conv2dTranspose(y, k, x, win).flops());
    assertEquals(want, new Convolutions.Conv2dFilter(x, y, k, win).flops());
  }

  /**
   * Max pooling's argmax, element for element, where it is easiest to get wrong: 2 x 2 windows
   * (the branch-free path), 3 x 3 ones and an overlapping dilated one, in float64 and float32
   * (whose windows inside the plane take float loops of their own: the same bits as the
   * definition's sums rounded to float), over more planes than one chunk holds (35 planes of
   * 30 x 31, the last chunk partial), on values drawn from a handful of levels so that most
   * windows tie (-0.0 and 0.0 among them, which compare equal), with a NaN in one plane and
   * infinities in another. The definition: the first maximum in row-major order of the window's
   * elements inside the plane, a NaN beating every number.
   */
  @Test
  void maxPoolingTakesTheFirstMaximumOfEachWindowAcrossChunks() {
    int b = 5;
    int c = 7;
    int h = 30;
    int w = 31;
    double[] levels = {-1, -0.0, 0.0, 0.5, 2};
    // the first and the last two lie inside the plane: float32 takes its own loops there
    List<Window> wins = List.of(new Window(2, 2, 2, 2, 0, 0, 0, 0, 1, 1), new Window(2, 2, 1, 1, 1, 0, 0, 1, 1, 1),
        new Window(2, 2, 2, 2, 1, 1, 1, 1, 1, 1), new Window(3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        new Window(3, 3, 2, 2, 0, 0, 0, 0, 1, 1), new Window(2, 3, 1, 2, 0, 0, 0, 0, 2, 1));
    for (boolean special : new boolean[] {false, true}) {
      for (Window win : wins) {
        Random r = new Random(31 * win.hashCode() + (special ? 1 : 0));
        double[][][][] x = new double[b][c][h][w];
        for (double[][][] e : x) {
          for (double[][] p : e) {
            for (double[] row : p) {
              for (int i = 0; i < w; i++) {
                row[i] = levels[r.nextInt(levels.length)];
              }
            }
          }
        }
        if (special) {
          x[1][2][5][6] = Double.NaN;
          x[4][0][9][9] = Double.POSITIVE_INFINITY;
          x[4][0][10][9] = Double.NEGATIVE_INFINITY;
        }
        int oh = win.outH(h);
        int ow = win.outW(w);
        double[][][][] g = random(r, b, c, oh, ow);
        double[][][][] v = random(r, b, c, h, w);
        double[][][][] max = new double[b][c][oh][ow];
        double[][][][] gather = new double[b][c][oh][ow];
        double[][][][] scatter = new double[b][c][h][w];
        // the scatter's sums rounded to float32 after each add, in the op's order: its float32 bits
        double[][][][] scatter32 = new double[b][c][h][w];
        for (int e = 0; e < b; e++) {
          for (int p = 0; p < c; p++) {
            for (int y = 0; y < oh; y++) {
              for (int z = 0; z < ow; z++) {
                int bi = -1;
                int bj = -1;
                for (int i = 0; i < win.kH(); i++) {
                  for (int j = 0; j < win.kW(); j++) {
                    int ih = y * win.sH() - win.padTop() + i * win.dH();
                    int iw = z * win.sW() - win.padLeft() + j * win.dW();
                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                      continue;
                    }
                    double now = x[e][p][ih][iw];
                    boolean beats = bi < 0 || Double.isNaN(now) && !Double.isNaN(x[e][p][bi][bj])
                        || !Double.isNaN(x[e][p][bi][bj]) && now > x[e][p][bi][bj];
                    if (beats) {
                      bi = ih;
                      bj = iw;
                    }
                  }
                }
                max[e][p][y][z] = x[e][p][bi][bj];
                gather[e][p][y][z] = v[e][p][bi][bj];
                scatter[e][p][bi][bj] += g[e][p][y][z];
                scatter32[e][p][bi][bj] = (float) (scatter32[e][p][bi][bj] + (float) g[e][p][y][z]);
              }
            }
          }
        }
        for (DataType dt : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
          String what = win + " " + dt + (special ? " with NaN and infinities" : "");
          INDArray xa = array(x, dt);
          INDArray va = array(v, dt);
          INDArray ga = array(g, dt);
          INDArray out = Nd4j.create(dt, b, c, oh, ow).assign(7);
          new Convolutions.MaxPoolGather(xa, xa, out, win).run();
          assertSame(max, out, what + ": max_pool");
          new Convolutions.MaxPoolGather(xa, va, out.assign(7), win).run();
          assertSame(array(gather, dt), out, what + ": gather");
          INDArray back = Nd4j.create(dt, b, c, h, w).assign(7);
          new Convolutions.MaxPoolScatter(xa, ga, back, win).run();
          assertClose(scatter, back, dt == DataType.DOUBLE ? 1e-12 : 1e-6, what + ": scatter");
          if (dt == DataType.FLOAT) {
            assertSame(scatter32, back, what + ": scatter's float32 sums");
          }
          assertTrue(java.util.Arrays.stream(back.data().asDouble()).noneMatch(e -> e == 7), what + ": scatter wrote every element");
        }
      }
    }
  }

  /** want == got element for element, NaN matching NaN and the sign of zero ignored. */
  private static void assertSame(double[][][][] want, INDArray got, String what) {
    assertSame(array(want, got.dataType()), got, what);
  }

  private static void assertSame(INDArray want, INDArray got, String what) {
    double[] a = want.data().asDouble();
    double[] b = got.data().asDouble();
    for (int i = 0; i < a.length; i++) {
      if (!(a[i] == b[i] || Double.isNaN(a[i]) && Double.isNaN(b[i]))) {
        org.junit.jupiter.api.Assertions.fail(what + ": element " + i + " is " + b[i] + ", want " + a[i]);
      }
    }
  }

  @Test
  void aBufferThatDoesNotFitTheWindowIsRefused() {
    Window win = new Window(3, 3, 1, 1, 0, 0, 0, 0, 1, 1);
    INDArray x = Nd4j.create(DataType.DOUBLE, 1, 1, 5, 5);
    INDArray k = Nd4j.create(DataType.DOUBLE, 2, 1, 3, 3);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Convolutions.Conv2d(x, k, Nd4j.create(DataType.DOUBLE, 1, 2, 4, 4), win));
    assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
  }

  static double[][][][] random(Random r, int a, int b, int c, int d) {
    double[][][][] v = new double[a][b][c][d];
    for (double[][][] x : v) {
      for (double[][] y : x) {
        for (double[] z : y) {
          for (int i = 0; i < z.length; i++) {
            z[i] = r.nextGaussian();
          }
        }
      }
    }
    return v;
  }

  static INDArray array(double[][][][] v, DataType dt) {
    return Nd4j.createFromArray(v).castTo(dt);
  }

  static void assertClose(double[][][][] want, INDArray got, double tol, String what) {
    double worst = 0;
    double scale = 1;
    for (int a = 0; a < want.length; a++) {
      for (int b = 0; b < want[a].length; b++) {
        for (int c = 0; c < want[a][b].length; c++) {
          for (int d = 0; d < want[a][b][c].length; d++) {
            worst = Math.max(worst, Math.abs(want[a][b][c][d] - got.getDouble(a, b, c, d)));
            scale = Math.max(scale, Math.abs(want[a][b][c][d]));
          }
        }
      }
    }
    assertTrue(worst <= tol * scale, what + ": off by " + worst);
  }
}
