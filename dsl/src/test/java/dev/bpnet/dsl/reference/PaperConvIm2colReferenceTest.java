package dev.bpnet.dsl.reference;

import static dev.bpnet.dsl.reference.PaperConvReferenceTest.diff;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.flatten;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.gaussian;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.map;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.tensor4;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.times;
import static dev.bpnet.dsl.reference.PaperConvReferenceTest.unflatten;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Paper-mode g3 of strided convolutions against the im2col form Xiong and Yang fall back to for
 * stride > 1 (section 4): per example, cols = unfold(x), y = W cols; the backward pass ∇W = ∇y
 * colsᵀ, ∇cols = Wᵀ ∇y, ∇x = fold(∇cols); the third pass, with forward values held constant,
 * Δcols = unfold(Δx) (fold's transpose), ΔW = ∇y Δcolsᵀ, Δ∇y = W Δcols. Written here with plain
 * matrices, apart from the compiler and the runtime. Network: conv 3x3 stride 2 - tanh - conv
 * 2x2 stride 2 padding 1 - sigmoid - dense - softmax cross-entropy.
 */
class PaperConvIm2colReferenceTest {
  private static final String MODEL = """
      model PaperStrided {
        input x: [2, 7, 7]
        label y: [3]
        c1 = tanh(conv2d(x, 3, kernel = 3, stride = 2))
        c2 = sigmoid(conv2d(c1, 2, kernel = 2, stride = 2, padding = 1))
        logits = dense(flatten(c2), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 alpha = 0.5 third = paper dtype = float64 }
      }
      """;
  private static final int BATCH = 3;
  private static final int OUT = 3;

  /** One convolution's geometry: kernel k, stride s, padding p on every side, over c x h x w inputs. */
  private record Geometry(int c, int h, int w, int k, int s, int p) {
    int oh() {
      return (h + 2 * p - k) / s + 1;
    }

    int ow() {
      return (w + 2 * p - k) / s + 1;
    }

    /** cols[(ci k + i) k + j][y ow + z] = x[ci][y s - p + i][z s - p + j], 0 outside. */
    double[][] unfold(double[][][] x) {
      double[][] cols = new double[c * k * k][oh() * ow()];
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            for (int y = 0; y < oh(); y++) {
              for (int z = 0; z < ow(); z++) {
                int ih = y * s - p + i;
                int iw = z * s - p + j;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                  cols[(ci * k + i) * k + j][y * ow() + z] = x[ci][ih][iw];
                }
              }
            }
          }
        }
      }
      return cols;
    }

    /** The transpose of unfold: every column entry added back to the pixel it was read from. */
    double[][][] fold(double[][] cols) {
      double[][][] x = new double[c][h][w];
      for (int ci = 0; ci < c; ci++) {
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            for (int y = 0; y < oh(); y++) {
              for (int z = 0; z < ow(); z++) {
                int ih = y * s - p + i;
                int iw = z * s - p + j;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                  x[ci][ih][iw] += cols[(ci * k + i) * k + j][y * ow() + z];
                }
              }
            }
          }
        }
      }
      return x;
    }
  }

  @Test
  void paperThirdPassOfStridedConvolutionsMatchesTheIm2colForm() {
    Trainer tr = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("strided.bpnet", MODEL), null), DataType.DOUBLE, 5);
    Random r = new Random(12);
    for (INDArray p : tr.parameters().values()) {
      p.assign(gaussian(r, p.shape()).muli(0.5));
    }
    Geometry g1 = new Geometry(2, 7, 7, 3, 2, 0);
    Geometry g2 = new Geometry(3, g1.oh(), g1.ow(), 2, 2, 1);
    INDArray x = gaussian(r, new long[] {BATCH, 2 * 7 * 7});
    INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, OUT);
    for (int b = 0; b < BATCH; b++) {
      y.putScalar(b, r.nextInt(OUT), 1.0);
    }
    Gradients g = tr.gradients(Map.of("x", x, "y", y));
    double[][] w1 = matrix(tr.parameters().get("c1.W"));
    double[] b1 = tr.parameters().get("c1.b").toDoubleVector();
    double[][] w2 = matrix(tr.parameters().get("c2.W"));
    double[] b2 = tr.parameters().get("c2.b").toDoubleVector();
    double[][] v = tr.parameters().get("logits.W").toDoubleMatrix();
    double[] cb = tr.parameters().get("logits.b").toDoubleVector();

    double[][] g2w1 = new double[w1.length][w1[0].length];
    double[][] g2w2 = new double[w2.length][w2[0].length];
    double[][] g3w1 = new double[w1.length][w1[0].length];
    double[][] g3w2 = new double[w2.length][w2[0].length];
    double lx = 0;
    for (int b = 0; b < BATCH; b++) {
      double[][][] xb = unflatten(x.getRow(b).toDoubleVector(), 2, 7, 7);
      double[][] cols1 = g1.unfold(xb);
      double[][] z1 = bias(mul(w1, cols1), b1);
      double[][][] a1 = map(unflatten(flat(z1), 3, g1.oh(), g1.ow()), Math::tanh);
      double[][] cols2 = g2.unfold(a1);
      double[][] z2 = bias(mul(w2, cols2), b2);
      double[][][] a2 = map(unflatten(flat(z2), 2, g2.oh(), g2.ow()), t -> 1 / (1 + Math.exp(-t)));
      double[] f = flatten(a2);
      double[] logits = cb.clone();
      for (int i = 0; i < f.length; i++) {
        for (int o = 0; o < OUT; o++) {
          logits[o] += f[i] * v[i][o];
        }
      }
      double max = java.util.Arrays.stream(logits).max().orElseThrow();
      double sum = java.util.Arrays.stream(logits).map(l -> Math.exp(l - max)).sum();
      double[] delta = new double[OUT];
      for (int o = 0; o < OUT; o++) {
        delta[o] = Math.exp(logits[o] - max) / sum - y.getDouble(b, o);
      }
      double[] df = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        for (int o = 0; o < OUT; o++) {
          df[i] += v[i][o] * delta[o];
        }
      }
      double[][][] s2 = map(a2, a -> a * (1 - a));
      double[][] dz2 = rows(times(unflatten(df, 2, g2.oh(), g2.ow()), s2));
      add(g2w2, mul(dz2, transpose(cols2)));
      double[][][] da1 = g2.fold(mul(transpose(w2), dz2));
      double[][][] t1 = map(a1, a -> 1 - a * a);
      double[][] dz1 = rows(times(da1, t1));
      add(g2w1, mul(dz1, transpose(cols1)));
      double[][][] dx = g1.fold(mul(transpose(w1), dz1));
      for (double d : flatten(dx)) {
        lx += 0.5 * d * d;
      }
      // the third pass: Δx = ∇x, back through fold, the products and the frozen activation factors
      double[][] dcols1 = g1.unfold(dx);
      add(g3w1, mul(dz1, transpose(dcols1)));
      double[][] ddz1 = mul(w1, dcols1);
      double[][][] dda1 = times(unflatten(flat(ddz1), 3, g1.oh(), g1.ow()), t1);
      double[][] dcols2 = g2.unfold(dda1);
      add(g3w2, mul(dz2, transpose(dcols2)));
    }
    double inv = 1.0 / BATCH;
    double e2 = Math.max(diff(tensor(g2w1, 3, 2, 3), inv, g.pass2().get("c1.W")), diff(tensor(g2w2, 2, 3, 2), inv, g.pass2().get("c2.W")));
    double e3 = Math.max(diff(tensor(g3w1, 3, 2, 3), inv, g.pass3().get("c1.W")), diff(tensor(g3w2, 2, 3, 2), inv, g.pass3().get("c2.W")));
    double ex = Math.abs(lx * inv - g.inputLoss()) / Math.abs(lx * inv);
    System.out.printf("paper conv im2col reference (stride 2): g2 %.2e, paper g3 %.2e, l_x %.2e%n", e2, e3, ex);
    assertTrue(e2 < 1e-10, "g2 differs by " + e2);
    assertTrue(e3 < 1e-10, "paper g3 differs by " + e3);
    assertTrue(ex < 1e-10, "l_x differs by " + ex);
  }

  private static double[][] matrix(INDArray kernel) {
    return kernel.reshape(kernel.size(0), kernel.length() / kernel.size(0)).toDoubleMatrix();
  }

  private static double[][][][] tensor(double[][] m, int f, int c, int k) {
    double[][][][] t = new double[f][c][k][k];
    for (int i = 0; i < f; i++) {
      for (int r = 0; r < c * k * k; r++) {
        t[i][r / (k * k)][r / k % k][r % k] = m[i][r];
      }
    }
    return t;
  }

  private static double[][] mul(double[][] a, double[][] b) {
    double[][] o = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < b.length; k++) {
        for (int j = 0; j < b[0].length; j++) {
          o[i][j] += a[i][k] * b[k][j];
        }
      }
    }
    return o;
  }

  private static double[][] transpose(double[][] a) {
    double[][] o = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        o[j][i] = a[i][j];
      }
    }
    return o;
  }

  private static double[][] bias(double[][] z, double[] b) {
    for (int i = 0; i < z.length; i++) {
      for (int j = 0; j < z[0].length; j++) {
        z[i][j] += b[i];
      }
    }
    return z;
  }

  private static double[] flat(double[][] m) {
    return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  /** [C, H, W] as C rows of H W. */
  private static double[][] rows(double[][][] a) {
    double[][] o = new double[a.length][];
    for (int c = 0; c < a.length; c++) {
      o[c] = java.util.Arrays.stream(a[c]).flatMapToDouble(java.util.Arrays::stream).toArray();
    }
    return o;
  }

  private static void add(double[][] acc, double[][] a) {
    for (int i = 0; i < acc.length; i++) {
      for (int j = 0; j < acc[0].length; j++) {
        acc[i][j] += a[i][j];
      }
    }
  }
}
