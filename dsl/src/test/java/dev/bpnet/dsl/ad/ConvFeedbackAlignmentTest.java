package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Feedback alignment in a convolution (the report "Asymmetric backpropagation", authors
 * unnamed): {@code conv2d(..., feedback = random | random_updated)} sends the input gradient
 * through a random kernel B of W's shape, dL/dx = convT(G, B), while W and b keep their true
 * gradients. Against plain-Java loops written from the definitions of convolution, its
 * transpose and its filter gradient (float64), for g2, l_x and the third pass (exact and paper,
 * by central differences of the reference's l_x), and over training steps for B's updates.
 *
 * <p>The net: h = tanh(conv(x, W1) + b1) (3x3, padding 1), out = conv(h, W2) + b2 (3x3, stride
 * 2, padding 1, the marked layer), L = mse(flatten(out), y).
 */
class ConvFeedbackAlignmentTest {
  private static final int N = 3;
  private static final int C0 = 2;
  private static final int S0 = 5;
  private static final int C1 = 3;
  private static final int C2 = 2;
  private static final int K = 3;
  private static final int S2 = 3;  // (5 + 2 - 3) / 2 + 1

  static Trainer trainer(String mode, String third, String optimizer) {
    String text = "model C { input x: [2, 5, 5] label y: [18]\n"
        + " h = tanh(conv2d(x, 3, kernel = 3, padding = 1))\n"
        + " out = conv2d(h, 2, kernel = 3, stride = 2, padding = 1, feedback = " + mode + ")\n"
        + " loss = mse(flatten(out), y)\n"
        + " train { passes = 3 alpha = 0.5 third = " + third + " optimizer = " + optimizer + " dtype = float64 } }\n";
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("c.bpnet", text), null), DataType.DOUBLE, N);
  }

  static Map<String, INDArray> feeds(Random r) {
    return Map.of("x", TestData.gaussian(r, DataType.DOUBLE, N, C0 * S0 * S0), "y", TestData.gaussian(r, DataType.DOUBLE, N, C2 * S2 * S2));
  }

  @ParameterizedTest
  @CsvSource({"random, exact", "random, paper", "random_updated, exact", "random_updated, paper"})
  void gradientsAndThirdPassMatchTheReference(String mode, String third) {
    Trainer t = trainer(mode, third, "sgd(lr = 0.1)");
    Random r = new Random(21);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> f = feeds(r);
    Reference ref = new Reference(t.parameters(), f);
    assertTrue(maxAbs(ref.theta.get("out.W"), ref.theta.get("out.B")) > 0.1, "B is not W");

    Gradients g = t.gradients(f);
    Map<String, double[]> g2 = ref.g2();
    double worst2 = 0;
    for (var e : g2.entrySet()) {
      worst2 = Math.max(worst2, maxAbs(e.getValue(), g.pass2().get(e.getKey()).dup().data().asDouble()));
    }
    double lx = ref.inputLoss(ref.theta, ref.theta);
    System.out.printf("conv feedback %s (%s): g2 vs reference %.2e, l_x %.2e%n", mode, third, worst2, Math.abs(lx - g.inputLoss()));
    assertTrue(worst2 < 1e-12, "g2 vs reference " + worst2);
    assertEquals(lx, g.inputLoss(), 1e-12 * Math.max(1, lx), "l_x, through dh = convT(G, B)");

    boolean paper = third.equals("paper");
    double worst3 = 0;
    for (var e : ref.g3(paper).entrySet()) {
      INDArray got = g.pass3().get(e.getKey());
      double[] have = got == null ? new double[e.getValue().length] : got.dup().data().asDouble();
      worst3 = Math.max(worst3, RuleThirdPassTest.relative(e.getValue(), have));
    }
    System.out.printf("conv feedback %s (%s): g3 vs differences of the reference l_x %.2e%n", mode, third, worst3);
    assertTrue(worst3 < 1e-6, "g3 vs reference " + worst3);
  }

  /** Over several steps of a stateful optimizer: a fixed B stays; a following B moves exactly as W does. */
  @ParameterizedTest
  @ValueSource(strings = {"random", "random_updated"})
  void bStaysOrFollowsWOverTraining(String mode) {
    Trainer t = trainer(mode, "exact", "adam(lr = 0.01)");
    Random r = new Random(5);
    TestData.perturb(t, r, 0.3);
    for (int step = 0; step < 4; step++) {
      Map<String, INDArray> f = feeds(r);
      INDArray w = t.parameters().get("out.W").dup();
      INDArray b = t.parameters().get("out.B").dup();
      t.step(f);
      INDArray dw = t.parameters().get("out.W").sub(w);
      INDArray db = t.parameters().get("out.B").sub(b);
      assertTrue(dw.amaxNumber().doubleValue() > 1e-4, "W moves");
      if (mode.equals("random")) {
        assertEquals(0.0, db.amaxNumber().doubleValue(), 0.0, "a fixed B does not move");
      } else {
        // the same update added to different values: the differences measured here round apart by an ulp
        double off = dw.sub(db).amaxNumber().doubleValue();
        assertTrue(off < 1e-15, "B receives W's update: off by " + off + " of " + dw.amaxNumber());
      }
    }
    assertTrue(maxAbs(t.parameters().get("out.W").dup().data().asDouble(), t.parameters().get("out.B").dup().data().asDouble()) > 0.1,
        "B is still not W");
  }

  static double maxAbs(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** The net in plain loops over flat row-major arrays; l_x = n/2 Σ ||dL/dx||² (per-example gradients). */
  static final class Reference {
    final Map<String, double[]> theta = new LinkedHashMap<>();
    final double[] x;
    final double[] y;

    Reference(Map<String, INDArray> params, Map<String, INDArray> feeds) {
      params.forEach((k, v) -> theta.put(k, v.dup().data().asDouble()));
      x = feeds.get("x").dup().data().asDouble();
      y = feeds.get("y").dup().data().asDouble();
    }

    /** out[n][f][i][j] = Σ w[f][c][a][b] x[n][c][i s + a - p][j s + b - p] (+ bias), outside the input 0. */
    static double[] conv(double[] in, int c, int size, double[] w, double[] bias, int filters, int stride, int pad, int outSize) {
      double[] out = new double[N * filters * outSize * outSize];
      for (int n = 0; n < N; n++) {
        for (int f = 0; f < filters; f++) {
          for (int i = 0; i < outSize; i++) {
            for (int j = 0; j < outSize; j++) {
              double s = bias[f];
              for (int ch = 0; ch < c; ch++) {
                for (int a = 0; a < K; a++) {
                  for (int b = 0; b < K; b++) {
                    int u = i * stride + a - pad;
                    int v = j * stride + b - pad;
                    if (u >= 0 && u < size && v >= 0 && v < size) {
                      s += w[((f * c + ch) * K + a) * K + b] * in[((n * c + ch) * size + u) * size + v];
                    }
                  }
                }
              }
              out[((n * filters + f) * outSize + i) * outSize + j] = s;
            }
          }
        }
      }
      return out;
    }

    /** dx[n][c][u][v] = Σ g[n][f][i][j] k[f][c][a][b] over u = i s + a - p, v = j s + b - p: the transpose of conv in x. */
    static double[] convT(double[] g, double[] k, int c, int size, int filters, int stride, int pad, int outSize) {
      double[] dx = new double[N * c * size * size];
      for (int n = 0; n < N; n++) {
        for (int f = 0; f < filters; f++) {
          for (int i = 0; i < outSize; i++) {
            for (int j = 0; j < outSize; j++) {
              double gv = g[((n * filters + f) * outSize + i) * outSize + j];
              for (int ch = 0; ch < c; ch++) {
                for (int a = 0; a < K; a++) {
                  for (int b = 0; b < K; b++) {
                    int u = i * stride + a - pad;
                    int v = j * stride + b - pad;
                    if (u >= 0 && u < size && v >= 0 && v < size) {
                      dx[((n * c + ch) * size + u) * size + v] += gv * k[((f * c + ch) * K + a) * K + b];
                    }
                  }
                }
              }
            }
          }
        }
      }
      return dx;
    }

    /** dW[f][c][a][b] = Σ g[n][f][i][j] x[n][c][i s + a - p][j s + b - p]. */
    static double[] convW(double[] in, double[] g, int c, int size, int filters, int stride, int pad, int outSize) {
      double[] dw = new double[filters * c * K * K];
      for (int n = 0; n < N; n++) {
        for (int f = 0; f < filters; f++) {
          for (int i = 0; i < outSize; i++) {
            for (int j = 0; j < outSize; j++) {
              double gv = g[((n * filters + f) * outSize + i) * outSize + j];
              for (int ch = 0; ch < c; ch++) {
                for (int a = 0; a < K; a++) {
                  for (int b = 0; b < K; b++) {
                    int u = i * stride + a - pad;
                    int v = j * stride + b - pad;
                    if (u >= 0 && u < size && v >= 0 && v < size) {
                      dw[((f * c + ch) * K + a) * K + b] += gv * in[((n * c + ch) * size + u) * size + v];
                    }
                  }
                }
              }
            }
          }
        }
      }
      return dw;
    }

    static double[] channelSums(double[] g, int c, int size) {
      double[] s = new double[c];
      for (int i = 0; i < g.length; i++) {
        s[(i / (size * size)) % c] += g[i];
      }
      return s;
    }

    /** Forward with {@code fw}: h, and the loss's cotangent G = (out - y) / n. */
    double[][] forward(Map<String, double[]> fw) {
      double[] h = conv(x, C0, S0, fw.get("h.W"), fw.get("h.b"), C1, 1, 1, S0);
      for (int i = 0; i < h.length; i++) {
        h[i] = Math.tanh(h[i]);
      }
      double[] out = conv(h, C1, S0, fw.get("out.W"), fw.get("out.b"), C2, 2, 1, S2);
      double[] g = new double[out.length];
      for (int i = 0; i < out.length; i++) {
        g[i] = (out[i] - y[i]) / N;
      }
      return new double[][] {h, g};
    }

    /** dL/dz1 with forward values from {@code fw}: dh = convT(G, B) (B in place of W2), times tanh'. */
    double[] dz1(double[] h, double[] g, Map<String, double[]> bw) {
      double[] dz = convT(g, bw.get("out.B"), C1, S0, C2, 2, 1, S2);
      for (int i = 0; i < dz.length; i++) {
        dz[i] *= 1 - h[i] * h[i];
      }
      return dz;
    }

    Map<String, double[]> g2() {
      double[][] hg = forward(theta);
      double[] dz = dz1(hg[0], hg[1], theta);
      Map<String, double[]> out = new LinkedHashMap<>();
      out.put("h.W", convW(x, dz, C0, S0, C1, 1, 1, S0));
      out.put("h.b", channelSums(dz, C1, S0));
      out.put("out.W", convW(hg[0], hg[1], C1, S0, C2, 2, 1, S2));  // the true gradient
      out.put("out.b", channelSums(hg[1], C2, S2));
      return out;
    }

    /** l_x with forward values from {@code fw} and the backward recursion's weights from {@code bw}. */
    double inputLoss(Map<String, double[]> fw, Map<String, double[]> bw) {
      double[][] hg = forward(fw);
      double[] dx = convT(dz1(hg[0], hg[1], bw), bw.get("h.W"), C0, S0, C1, 1, 1, S0);
      double lx = 0;
      for (double v : dx) {
        lx += N / 2.0 * v * v;
      }
      return lx;
    }

    /** Central differences of l_x: exact moves forward and backward weights together; paper only the backward ones. */
    Map<String, double[]> g3(boolean paper) {
      Map<String, double[]> out = new LinkedHashMap<>();
      for (String k : theta.keySet()) {
        if (k.endsWith(".B")) {
          continue;
        }
        out.put(k, differences(k, paper));
      }
      return out;
    }

    /** Central differences of l_x along every element of parameter k (B's too: it is in the backward recursion). */
    double[] differences(String k, boolean paper) {
      double step = 1e-6;
      double[] g = new double[theta.get(k).length];
      for (int i = 0; i < g.length && !(paper && k.endsWith(".b")); i++) {
        g[i] = (shifted(k, i, step, paper) - shifted(k, i, -step, paper)) / (2 * step);
      }
      return g;
    }

    private double shifted(String k, int i, double step, boolean paper) {
      Map<String, double[]> moved = new LinkedHashMap<>(theta);
      double[] v = theta.get(k).clone();
      v[i] += step;
      moved.put(k, v);
      return inputLoss(paper ? theta : moved, moved);
    }
  }
}
