package dev.bpnet.dsl.reference;

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
 * Paper-mode g3 of a convolutional network against a plain-Java implementation of Weiming Xiong
 * and Ruoyu Yang's section 4, written from its equations alone (stride 1, no padding): the
 * forward convolution (eq. 4), its backward pass (eq. 5 for ∇w, eq. 6 for ∇x through the
 * 0-padded ∇y₀ and the flipped kernel), and the third pass ABP (eq. 7 for Δw, eq. 8 for Δy₀
 * through the 0-padded Δx₀), with every forward value held constant and the biases getting
 * nothing. The network: conv 3x3 - tanh - conv 2x2 - sigmoid - dense - softmax cross-entropy,
 * per example, averaged over the batch (l_x = (1/B) Σ_b ½ ||dl_b/dx_b||², the paper's eq. 1).
 */
class PaperConvReferenceTest {
  private static final String MODEL = """
      model PaperConv {
        input x: [2, 6, 5]
        label y: [3]
        c1 = tanh(conv2d(x, 3, kernel = 3))
        c2 = sigmoid(conv2d(c1, 2, kernel = 2))
        logits = dense(flatten(c2), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 alpha = 0.5 third = paper dtype = float64 }
      }
      """;
  private static final int C0 = 2;
  private static final int H0 = 6;
  private static final int W0 = 5;
  private static final int C1 = 3;
  private static final int K1 = 3;
  private static final int C2 = 2;
  private static final int K2 = 2;
  private static final int OUT = 3;
  private static final int BATCH = 4;

  @Test
  void paperThirdPassOfConvolutionsMatchesSection4() {
    Trainer tr = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("paper.bpnet", MODEL), null), DataType.DOUBLE, 5);
    Random r = new Random(11);
    for (INDArray p : tr.parameters().values()) {
      p.assign(gaussian(r, p.shape()).muli(0.5));  // biases too, so that a wrong bias term would show
    }
    INDArray x = gaussian(r, new long[] {BATCH, C0 * H0 * W0});
    INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, OUT);
    for (int b = 0; b < BATCH; b++) {
      y.putScalar(b, r.nextInt(OUT), 1.0);
    }
    Gradients g = tr.gradients(Map.of("x", x, "y", y));

    double[][][][] w1 = tensor4(tr.parameters().get("c1.W"));
    double[] b1 = tr.parameters().get("c1.b").toDoubleVector();
    double[][][][] w2 = tensor4(tr.parameters().get("c2.W"));
    double[] b2 = tr.parameters().get("c2.b").toDoubleVector();
    double[][] v = tr.parameters().get("logits.W").toDoubleMatrix();
    double[] c = tr.parameters().get("logits.b").toDoubleVector();
    int h1 = H0 - K1 + 1;
    int wd1 = W0 - K1 + 1;
    int h2 = h1 - K2 + 1;
    int wd2 = wd1 - K2 + 1;

    double[][][][] g2w1 = new double[C1][C0][K1][K1];
    double[][][][] g2w2 = new double[C2][C1][K2][K2];
    double[][][][] g3w1 = new double[C1][C0][K1][K1];
    double[][][][] g3w2 = new double[C2][C1][K2][K2];
    double[][] g3v = new double[v.length][OUT];
    double lx = 0;
    for (int b = 0; b < BATCH; b++) {
      double[][][] xb = new double[C0][H0][W0];
      for (int ci = 0; ci < C0; ci++) {
        for (int i = 0; i < H0; i++) {
          for (int j = 0; j < W0; j++) {
            xb[ci][i][j] = x.getDouble(b, (ci * H0 + i) * W0 + j);
          }
        }
      }
      // forward, eq. 4 with a bias per output channel
      double[][][] z1 = addBias(conv(w1, xb), b1);
      double[][][] a1 = map(z1, Math::tanh);
      double[][][] z2 = addBias(conv(w2, a1), b2);
      double[][][] a2 = map(z2, t -> 1 / (1 + Math.exp(-t)));
      double[] flat = flatten(a2);
      double[] logits = c.clone();
      for (int i = 0; i < flat.length; i++) {
        for (int o = 0; o < OUT; o++) {
          logits[o] += flat[i] * v[i][o];
        }
      }
      double max = Double.NEGATIVE_INFINITY;
      for (double l : logits) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (double l : logits) {
        sum += Math.exp(l - max);
      }
      double[] delta = new double[OUT];
      for (int o = 0; o < OUT; o++) {
        delta[o] = Math.exp(logits[o] - max) / sum - y.getDouble(b, o);
      }
      // backward: dense, then eq. 5 and eq. 6 for each convolution
      double[] dFlat = new double[flat.length];
      for (int i = 0; i < flat.length; i++) {
        for (int o = 0; o < OUT; o++) {
          dFlat[i] += v[i][o] * delta[o];
        }
      }
      double[][][] sig2 = map(z2, t -> 1 / (1 + Math.exp(-t)));
      double[][][] dz2 = unflatten(dFlat, C2, h2, wd2);
      double[][][] s2 = new double[C2][h2][wd2];   // the frozen factor sigmoid'(z2)
      for (int ci = 0; ci < C2; ci++) {
        for (int i = 0; i < h2; i++) {
          for (int j = 0; j < wd2; j++) {
            s2[ci][i][j] = sig2[ci][i][j] * (1 - sig2[ci][i][j]);
            dz2[ci][i][j] *= s2[ci][i][j];
          }
        }
      }
      add(g2w2, eq5(a1, dz2, K2));
      double[][][] da1 = eq6(dz2, w2, h1, wd1);
      double[][][] t1 = map(z1, t -> 1 - Math.tanh(t) * Math.tanh(t));   // the frozen factor tanh'(z1)
      double[][][] dz1 = times(da1, t1);
      add(g2w1, eq5(xb, dz1, K1));
      double[][][] dx = eq6(dz1, w1, H0, W0);
      for (double[][] p : dx) {
        for (double[] row : p) {
          for (double d : row) {
            lx += 0.5 * d * d;
          }
        }
      }
      // ABP: Δx = dl_x/d(∇x) = ∇x; eq. 7 and eq. 8 back through each convolution, the frozen
      // activation derivatives in between, and the dense layer; biases get nothing
      double[][][] deltaX = dx;
      add(g3w1, eq7(pad(dz1, K1 - 1), deltaX, K1));
      double[][][] dDz1 = crop(eq8(w1, pad(deltaX, K1 - 1)), K1 - 1, h1, wd1);
      double[][][] dDa1 = times(dDz1, t1);
      add(g3w2, eq7(pad(dz2, K2 - 1), dDa1, K2));
      double[][][] dDz2 = crop(eq8(w2, pad(dDa1, K2 - 1)), K2 - 1, h2, wd2);
      double[] dDflat = flatten(times(dDz2, s2));
      for (int i = 0; i < flat.length; i++) {
        for (int o = 0; o < OUT; o++) {
          g3v[i][o] += dDflat[i] * delta[o];   // ∇flat = V δ with δ held constant
        }
      }
    }
    double inv = 1.0 / BATCH;
    double worst = 0;
    worst = Math.max(worst, diff(g2w1, inv, g.pass2().get("c1.W")));
    worst = Math.max(worst, diff(g2w2, inv, g.pass2().get("c2.W")));
    double worst3 = 0;
    worst3 = Math.max(worst3, diff(g3w1, inv, g.pass3().get("c1.W")));
    worst3 = Math.max(worst3, diff(g3w2, inv, g.pass3().get("c2.W")));
    double[][] got = g.pass3().get("logits.W").toDoubleMatrix();
    double scale = 1e-300;
    double err = 0;
    for (int i = 0; i < g3v.length; i++) {
      for (int o = 0; o < OUT; o++) {
        err = Math.max(err, Math.abs(g3v[i][o] * inv - got[i][o]));
        scale = Math.max(scale, Math.abs(g3v[i][o] * inv));
      }
    }
    worst3 = Math.max(worst3, err / scale);
    double biases = 0;
    for (String name : new String[] {"c1.b", "c2.b", "logits.b"}) {
      INDArray gb = g.pass3().get(name);
      biases = Math.max(biases, gb == null ? 0 : gb.amaxNumber().doubleValue());
    }
    double lxErr = Math.abs(lx * inv - g.inputLoss()) / Math.abs(lx * inv);
    System.out.printf("paper conv reference: g2 %.2e, paper g3 %.2e, l_x %.2e, bias g3 max %.1e%n", worst, worst3, lxErr, biases);
    assertTrue(worst < 1e-10, "g2 differs by " + worst);
    assertTrue(worst3 < 1e-10, "paper g3 differs by " + worst3);
    assertTrue(lxErr < 1e-10, "l_x differs by " + lxErr);
    assertTrue(biases == 0, "biases get nothing in the paper's third pass, got " + biases);
  }

  /** Eq. 4: y(i, j, k) = Σ_c Σ_h Σ_w w(i, c, h, w) x(c, j + h, k + w). */
  static double[][][] conv(double[][][][] w, double[][][] x) {
    int ks = w[0][0].length;
    int oh = x[0].length - ks + 1;
    int ow = x[0][0].length - ks + 1;
    double[][][] y = new double[w.length][oh][ow];
    for (int i = 0; i < w.length; i++) {
      for (int j = 0; j < oh; j++) {
        for (int k = 0; k < ow; k++) {
          for (int c = 0; c < x.length; c++) {
            for (int h = 0; h < ks; h++) {
              for (int ww = 0; ww < ks; ww++) {
                y[i][j][k] += w[i][c][h][ww] * x[c][j + h][k + ww];
              }
            }
          }
        }
      }
    }
    return y;
  }

  /** Eq. 5: ∇w(i, j, k, l) = Σ_h Σ_w x(j, k + h, l + w) ∇y(i, h, w). */
  static double[][][][] eq5(double[][][] x, double[][][] dy, int ks) {
    double[][][][] dw = new double[dy.length][x.length][ks][ks];
    for (int i = 0; i < dy.length; i++) {
      for (int j = 0; j < x.length; j++) {
        for (int k = 0; k < ks; k++) {
          for (int l = 0; l < ks; l++) {
            for (int h = 0; h < dy[0].length; h++) {
              for (int w = 0; w < dy[0][0].length; w++) {
                dw[i][j][k][l] += x[j][k + h][l + w] * dy[i][h][w];
              }
            }
          }
        }
      }
    }
    return dw;
  }

  /** Eq. 6: ∇x(i, j, k) = Σ_c Σ_h Σ_w ∇y₀(c, j + h, k + w) w(c, i, ks - h - 1, ks - w - 1), ∇y₀ padded by ks - 1. */
  static double[][][] eq6(double[][][] dy, double[][][][] w, int xh, int xw) {
    int ks = w[0][0].length;
    double[][][] dy0 = pad(dy, ks - 1);
    double[][][] dx = new double[w[0].length][xh][xw];
    for (int i = 0; i < dx.length; i++) {
      for (int j = 0; j < xh; j++) {
        for (int k = 0; k < xw; k++) {
          for (int c = 0; c < w.length; c++) {
            for (int h = 0; h < ks; h++) {
              for (int ww = 0; ww < ks; ww++) {
                dx[i][j][k] += dy0[c][j + h][k + ww] * w[c][i][ks - h - 1][ks - ww - 1];
              }
            }
          }
        }
      }
    }
    return dx;
  }

  /** Eq. 7: Δw(i, j, ks - k - 1, ks - l - 1) = Σ_h Σ_w ∇y₀(i, k + h, l + w) Δx(j, h, w). */
  static double[][][][] eq7(double[][][] dy0, double[][][] deltaX, int ks) {
    double[][][][] dw = new double[dy0.length][deltaX.length][ks][ks];
    for (int i = 0; i < dy0.length; i++) {
      for (int j = 0; j < deltaX.length; j++) {
        for (int k = 0; k < ks; k++) {
          for (int l = 0; l < ks; l++) {
            for (int h = 0; h < deltaX[0].length; h++) {
              for (int w = 0; w < deltaX[0][0].length; w++) {
                dw[i][j][ks - k - 1][ks - l - 1] += dy0[i][k + h][l + w] * deltaX[j][h][w];
              }
            }
          }
        }
      }
    }
    return dw;
  }

  /** Eq. 8: Δy₀(i, j, k) = Σ_c Σ_h Σ_w w(i, c, h, w) Δx₀(c, j + h, k + w), the forward convolution of Δx₀. */
  static double[][][] eq8(double[][][][] w, double[][][] deltaX0) {
    return conv(w, deltaX0);
  }

  /** 0-padding of p on each border. */
  static double[][][] pad(double[][][] a, int p) {
    double[][][] o = new double[a.length][a[0].length + 2 * p][a[0][0].length + 2 * p];
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < a[0].length; i++) {
        System.arraycopy(a[c][i], 0, o[c][i + p], p, a[0][0].length);
      }
    }
    return o;
  }

  /** The h x w interior of a padded array: Δ of ∇y from Δ of ∇y₀. */
  static double[][][] crop(double[][][] a, int p, int h, int w) {
    double[][][] o = new double[a.length][h][w];
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < h; i++) {
        System.arraycopy(a[c][i + p], p, o[c][i], 0, w);
      }
    }
    return o;
  }

  static double[][][] addBias(double[][][] a, double[] b) {
    for (int c = 0; c < a.length; c++) {
      for (double[] row : a[c]) {
        for (int j = 0; j < row.length; j++) {
          row[j] += b[c];
        }
      }
    }
    return a;
  }

  static double[][][] map(double[][][] a, java.util.function.DoubleUnaryOperator f) {
    double[][][] o = new double[a.length][a[0].length][a[0][0].length];
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < a[0].length; i++) {
        for (int j = 0; j < a[0][0].length; j++) {
          o[c][i][j] = f.applyAsDouble(a[c][i][j]);
        }
      }
    }
    return o;
  }

  static double[][][] times(double[][][] a, double[][][] b) {
    double[][][] o = new double[a.length][a[0].length][a[0][0].length];
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < a[0].length; i++) {
        for (int j = 0; j < a[0][0].length; j++) {
          o[c][i][j] = a[c][i][j] * b[c][i][j];
        }
      }
    }
    return o;
  }

  static double[] flatten(double[][][] a) {
    double[] o = new double[a.length * a[0].length * a[0][0].length];
    int n = 0;
    for (double[][] p : a) {
      for (double[] row : p) {
        for (double d : row) {
          o[n++] = d;
        }
      }
    }
    return o;
  }

  static double[][][] unflatten(double[] f, int c, int h, int w) {
    double[][][] o = new double[c][h][w];
    int n = 0;
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < h; j++) {
        for (int k = 0; k < w; k++) {
          o[i][j][k] = f[n++];
        }
      }
    }
    return o;
  }

  static void add(double[][][][] acc, double[][][][] a) {
    for (int i = 0; i < acc.length; i++) {
      for (int j = 0; j < acc[0].length; j++) {
        for (int k = 0; k < acc[0][0].length; k++) {
          for (int l = 0; l < acc[0][0][0].length; l++) {
            acc[i][j][k][l] += a[i][j][k][l];
          }
        }
      }
    }
  }

  static double[][][][] tensor4(INDArray a) {
    long[] s = a.shape();
    double[][][][] o = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
    for (int i = 0; i < s[0]; i++) {
      for (int j = 0; j < s[1]; j++) {
        for (int k = 0; k < s[2]; k++) {
          for (int l = 0; l < s[3]; l++) {
            o[i][j][k][l] = a.getDouble(i, j, k, l);
          }
        }
      }
    }
    return o;
  }

  /** max |want * scale - got| / max |want * scale|. */
  static double diff(double[][][][] want, double scale, INDArray got) {
    double err = 0;
    double norm = 1e-300;
    for (int i = 0; i < want.length; i++) {
      for (int j = 0; j < want[0].length; j++) {
        for (int k = 0; k < want[0][0].length; k++) {
          for (int l = 0; l < want[0][0][0].length; l++) {
            err = Math.max(err, Math.abs(want[i][j][k][l] * scale - got.getDouble(i, j, k, l)));
            norm = Math.max(norm, Math.abs(want[i][j][k][l] * scale));
          }
        }
      }
    }
    return err / norm;
  }

  static INDArray gaussian(Random r, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] v = new double[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return Nd4j.createFromArray(v).reshape(shape);
  }
}
