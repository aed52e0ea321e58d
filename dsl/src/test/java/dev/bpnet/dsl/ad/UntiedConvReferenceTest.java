package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The untied (locally connected) convolution of the report "Asymmetric backpropagation" (authors
 * unnamed, section 4: one independent kernel per receptive field), float64:
 * <ul>
 *   <li>its output, input gradient, weight and bias gradients and l_x against plain loops written
 *   from the definition, with and without feedback alignment (the input gradient through B);
 *   <li>with every position's kernel equal to a conv2d's kernel and every position's bias equal
 *   to its bias, the same output, input gradient and l_x as conv2d, and its parameter gradients
 *   (g2 and the exact g3) summed over positions equal conv2d's;
 *   <li>the third pass (exact, and paper with forward values held constant) against central
 *   differences of the reference's l_x, with and without feedback alignment;
 *   <li>feedback alignment over training: a fixed B stays, a following B moves exactly as W.
 * </ul>
 * The layer reads x + u, with u a parameter of the input's shape, so that g2 of u is the input
 * gradient summed over the batch.
 */
class UntiedConvReferenceTest {
  static final int N = 3;
  private static final int C = 2;
  private static final int H = 5;
  private static final int W = 6;
  private static final int F = 3;

  /** One untied layer read by mse: out = untied_conv2d(x + u, ...), L = mse(flatten(out), y). */
  static Trainer single(Geometry g, String feedback, String optimizer) {
    return single(g, feedback, optimizer, "exact");
  }

  static Trainer single(Geometry g, String feedback, String optimizer, String third) {
    String text = "model U { input x: [" + C + ", " + H + ", " + W + "] label y: [" + F * g.oh() * g.ow() + "]\n"
        + " u = param(" + C + ", " + H + ", " + W + ")\n"
        + " out = untied_conv2d(x + u, " + F + ", kernel = " + g.k + ", stride = " + g.s + ", padding = " + g.p
        + ", dilation = " + g.d + (feedback.isEmpty() ? "" : ", feedback = " + feedback) + ")\n"
        + " loss = mse(flatten(out), y)\n"
        + " train { passes = 3 alpha = 0.5 third = " + third + " optimizer = " + optimizer + " dtype = float64 } }\n";
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("u.bpnet", text), null), DataType.DOUBLE, N);
  }

  /** Kernel K, stride S, padding P on every side, dilation D over the C x H x W input. */
  record Geometry(int k, int s, int p, int d) {
    int oh() {
      return (H + 2 * p - d * (k - 1) - 1) / s + 1;
    }

    int ow() {
      return (W + 2 * p - d * (k - 1) - 1) / s + 1;
    }

    /** The input row read by output row y at kernel row i, -1 in the padding. */
    int row(int y, int i) {
      int r = y * s - p + i * d;
      return r >= 0 && r < H ? r : -1;
    }

    int col(int z, int j) {
      int c = z * s - p + j * d;
      return c >= 0 && c < W ? c : -1;
    }

    /** W[(y Wo + z), f, (c K + i) K + j] in a flat array. */
    int weight(int y, int z, int f, int c, int i, int j) {
      return (((y * ow() + z) * F + f) * C + c) * k * k + i * k + j;
    }
  }

  static Geometry geometry(String name) {
    return switch (name) {
      case "strided" -> new Geometry(3, 2, 1, 1);      // 3 x 3 outputs, the floor in width
      case "dilated" -> new Geometry(2, 1, 0, 2);      // 3 x 4 outputs
      default -> new Geometry(3, 1, 2, 1);             // 7 x 8 outputs, corner windows mostly padding
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"strided, none", "dilated, none", "padded, none", "strided, random", "dilated, random_updated"})
  void matchesPlainLoopsFromTheDefinition(String geometry, String feedback) {
    Geometry g = geometry(geometry);
    Trainer t = single(g, feedback.equals("none") ? "" : feedback, "sgd(lr = 0.1)");
    Random r = new Random(geometry.hashCode() + 7L * feedback.hashCode());
    TestData.perturb(t, r, 0.3);
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, N, C * H * W);
    INDArray y = TestData.gaussian(r, DataType.DOUBLE, N, F * g.oh() * g.ow());
    Map<String, INDArray> feeds = Map.of("x", x, "y", y);
    Map<String, INDArray> p = t.parameters();
    double[] in = values(x);
    double[] u = values(p.get("u"));
    for (int i = 0; i < in.length; i++) {
      in[i] += u[i % u.length];
    }
    double[] w = values(p.get("out.W"));
    double[] back = feedback.equals("none") ? w : values(p.get("out.B"));
    assertTrue(feedback.equals("none") || ConvFeedbackAlignmentTest.maxAbs(w, back) > 0.1, "B is not W");
    assertEquals(F * g.oh() * g.ow() * C * g.k * g.k, w.length, "W is [Ho Wo, filters, C K K]");

    double[] out = forward(g, in, w, values(p.get("out.b")));
    double[] ct = new double[out.length];
    double[] lab = values(y);
    for (int i = 0; i < out.length; i++) {
      ct[i] = (out[i] - lab[i]) / N;
    }
    double[] dx = inputGradient(g, ct, back);
    double[] du = new double[u.length];
    double lx = 0;
    for (int i = 0; i < dx.length; i++) {
      du[i % u.length] += dx[i];
      lx += N / 2.0 * dx[i] * dx[i];
    }
    double[] db = new double[F * g.oh() * g.ow()];
    for (int i = 0; i < ct.length; i++) {
      db[i % db.length] += ct[i];
    }

    Gradients got = t.gradients(feeds);
    double eOut = ConvFeedbackAlignmentTest.maxAbs(out, values(t.predict(Map.of("x", x))));
    double eDx = ConvFeedbackAlignmentTest.maxAbs(du, values(got.pass2().get("u")));
    double eDw = ConvFeedbackAlignmentTest.maxAbs(weightGradient(g, in, ct), values(got.pass2().get("out.W")));
    double eDb = ConvFeedbackAlignmentTest.maxAbs(db, values(got.pass2().get("out.b")));
    System.out.printf("untied %s, feedback %s: output %.1e, input gradient %.1e, dW %.1e, db %.1e, l_x %.1e%n", geometry,
        feedback, eOut, eDx, eDw, eDb, Math.abs(lx - got.inputLoss()));
    assertTrue(eOut < 1e-12, "output " + eOut);
    assertTrue(eDx < 1e-12, "input gradient " + eDx);
    assertTrue(eDw < 1e-12, "weight gradient " + eDw);
    assertTrue(eDb < 1e-12, "bias gradient " + eDb);
    assertEquals(lx, got.inputLoss(), 1e-12 * Math.max(1, lx), "l_x");
  }

  /**
   * The third pass through the layer: g3 = dl_x/dθ against central differences of the
   * reference's l_x, where exact moves forward and backward weights together and paper (forward
   * values held constant) only the weights of the backward recursion, W or nothing under feedback.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"none, exact", "none, paper", "random, exact", "random_updated, paper"})
  void thirdPassMatchesDifferencesOfTheReference(String feedback, String third) {
    Geometry g = geometry("strided");
    Trainer t = single(g, feedback.equals("none") ? "" : feedback, "sgd(lr = 0.1)", third);
    Random r = new Random(feedback.hashCode() + 13L * third.hashCode());
    TestData.perturb(t, r, 0.3);
    double[] x = values(TestData.gaussian(r, DataType.DOUBLE, N, C * H * W));
    double[] y = values(TestData.gaussian(r, DataType.DOUBLE, N, F * g.oh() * g.ow()));
    Map<String, double[]> theta = new java.util.LinkedHashMap<>();
    t.parameters().forEach((k, v) -> theta.put(k, values(v)));
    String back = feedback.equals("none") ? "out.W" : "out.B";
    Gradients got = t.gradients(Map.of("x", org.nd4j.linalg.factory.Nd4j.createFromArray(x).reshape(N, C * H * W),
        "y", org.nd4j.linalg.factory.Nd4j.createFromArray(y).reshape(N, F * g.oh() * g.ow())));
    assertEquals(inputLoss(g, x, y, theta, theta, back), got.inputLoss(), 1e-12, "l_x");
    boolean paper = third.equals("paper");
    double worst = 0;
    double step = 1e-6;
    for (String k : theta.keySet()) {
      if (k.equals("out.B")) {
        continue;  // state: no gradient
      }
      double[] want = new double[theta.get(k).length];
      for (int i = 0; i < want.length; i++) {
        double[] l = new double[2];
        for (int side = 0; side < 2; side++) {
          Map<String, double[]> moved = new java.util.LinkedHashMap<>(theta);
          double[] v = theta.get(k).clone();
          v[i] += side == 0 ? step : -step;
          moved.put(k, v);
          l[side] = inputLoss(g, x, y, paper ? theta : moved, moved, back);
        }
        want[i] = (l[0] - l[1]) / (2 * step);
      }
      INDArray have = got.pass3().get(k);
      worst = Math.max(worst, RuleThirdPassTest.relative(want, have == null ? new double[want.length] : values(have)));
    }
    System.out.printf("untied feedback %s, third = %s: g3 vs differences of the reference's l_x %.1e%n", feedback, third, worst);
    assertTrue(worst < 1e-6, "g3 " + worst);
  }

  /** l_x = N/2 Σ (dL/dx)² with the forward from {@code fw} and the input gradient through {@code bw}'s {@code back}. */
  static double inputLoss(Geometry g, double[] x, double[] y, Map<String, double[]> fw, Map<String, double[]> bw, String back) {
    double[] in = x.clone();
    double[] u = fw.get("u");
    for (int i = 0; i < in.length; i++) {
      in[i] += u[i % u.length];
    }
    double[] out = forward(g, in, fw.get("out.W"), fw.get("out.b"));
    double[] ct = new double[out.length];
    for (int i = 0; i < out.length; i++) {
      ct[i] = (out[i] - y[i]) / N;
    }
    double lx = 0;
    for (double v : inputGradient(g, ct, bw.get(back))) {
      lx += N / 2.0 * v * v;
    }
    return lx;
  }

  /** out[n, f, y, z] = b[f, y, z] + Σ_c,i,j W[y Wo + z, f, (c K + i) K + j] x[n, c, y S - P + i D, z S - P + j D]. */
  static double[] forward(Geometry g, double[] x, double[] w, double[] b) {
    double[] out = new double[N * F * g.oh() * g.ow()];
    for (int n = 0; n < N; n++) {
      for (int f = 0; f < F; f++) {
        for (int y = 0; y < g.oh(); y++) {
          for (int z = 0; z < g.ow(); z++) {
            double s = b[(f * g.oh() + y) * g.ow() + z];
            for (int c = 0; c < C; c++) {
              for (int i = 0; i < g.k; i++) {
                for (int j = 0; j < g.k; j++) {
                  if (g.row(y, i) >= 0 && g.col(z, j) >= 0) {
                    s += w[g.weight(y, z, f, c, i, j)] * x[((n * C + c) * H + g.row(y, i)) * W + g.col(z, j)];
                  }
                }
              }
            }
            out[((n * F + f) * g.oh() + y) * g.ow() + z] = s;
          }
        }
      }
    }
    return out;
  }

  /** dx[n, c, u, v] = Σ ct[n, f, y, z] W[y Wo + z, f, (c K + i) K + j] over the (y, z, i, j) that read (u, v). */
  static double[] inputGradient(Geometry g, double[] ct, double[] w) {
    double[] dx = new double[N * C * H * W];
    for (int n = 0; n < N; n++) {
      for (int f = 0; f < F; f++) {
        for (int y = 0; y < g.oh(); y++) {
          for (int z = 0; z < g.ow(); z++) {
            double gv = ct[((n * F + f) * g.oh() + y) * g.ow() + z];
            for (int c = 0; c < C; c++) {
              for (int i = 0; i < g.k; i++) {
                for (int j = 0; j < g.k; j++) {
                  if (g.row(y, i) >= 0 && g.col(z, j) >= 0) {
                    dx[((n * C + c) * H + g.row(y, i)) * W + g.col(z, j)] += gv * w[g.weight(y, z, f, c, i, j)];
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

  /** dW[y Wo + z, f, (c K + i) K + j] = Σ_n ct[n, f, y, z] x[n, c, y S - P + i D, z S - P + j D]. */
  static double[] weightGradient(Geometry g, double[] x, double[] ct) {
    double[] dw = new double[g.oh() * g.ow() * F * C * g.k * g.k];
    for (int n = 0; n < N; n++) {
      for (int f = 0; f < F; f++) {
        for (int y = 0; y < g.oh(); y++) {
          for (int z = 0; z < g.ow(); z++) {
            double gv = ct[((n * F + f) * g.oh() + y) * g.ow() + z];
            for (int c = 0; c < C; c++) {
              for (int i = 0; i < g.k; i++) {
                for (int j = 0; j < g.k; j++) {
                  if (g.row(y, i) >= 0 && g.col(z, j) >= 0) {
                    dw[g.weight(y, z, f, c, i, j)] += gv * x[((n * C + c) * H + g.row(y, i)) * W + g.col(z, j)];
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

  /** conv2d or untied_conv2d, then tanh and a dense layer: the untied one with tied values is the conv. */
  static Trainer pair(String layer) {
    String text = "model T { input x: [" + C + ", " + H + ", " + W + "] label y: [4]\n"
        + " u = param(" + C + ", " + H + ", " + W + ")\n"
        + " h = tanh(" + layer + "(x + u, " + F + ", kernel = 3, stride = 2, padding = 1))\n"
        + " out = dense(flatten(h), 4)\n"
        + " loss = mse(out, y)\n"
        + " train { passes = 3 alpha = 0.5 third = exact dtype = float64 } }\n";
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("t.bpnet", text), null), DataType.DOUBLE, N);
  }

  @Test
  void withEqualKernelsAtEveryPositionItIsConv2d() {
    Trainer conv = pair("conv2d");
    Trainer untied = pair("untied_conv2d");
    Random r = new Random(11);
    TestData.perturb(conv, r, 0.3);
    Map<String, INDArray> cp = conv.parameters();
    Map<String, INDArray> up = untied.parameters();
    int positions = (int) up.get("h.W").size(0);
    assertEquals(9, positions);
    INDArray kernel = cp.get("h.W").reshape(F, C * 9);
    for (int q = 0; q < positions; q++) {
      up.get("h.W").get(org.nd4j.linalg.indexing.NDArrayIndex.point(q)).assign(kernel);
    }
    up.get("h.b").assign(cp.get("h.b").reshape(F, 1, 1).broadcast(F, 3, 3));
    for (String k : new String[] {"u", "out.W", "out.b"}) {
      up.get(k).assign(cp.get(k));
    }
    Map<String, INDArray> feeds = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, N, C * H * W),
        "y", TestData.gaussian(r, DataType.DOUBLE, N, 4));
    Gradients gc = conv.gradients(feeds);
    Gradients gu = untied.gradients(feeds);
    double eOut = ConvFeedbackAlignmentTest.maxAbs(values(conv.predict(feeds)), values(untied.predict(feeds)));
    double worst = 0;
    for (Map<String, INDArray>[] pass : java.util.List.of(pairOf(gc.pass2(), gu.pass2()), pairOf(gc.pass3(), gu.pass3()))) {
      Map<String, INDArray> c = pass[0];
      Map<String, INDArray> u = pass[1];
      worst = Math.max(worst, ConvFeedbackAlignmentTest.maxAbs(values(c.get("u")), values(u.get("u"))));
      worst = Math.max(worst, ConvFeedbackAlignmentTest.maxAbs(values(c.get("out.W")), values(u.get("out.W"))));
      worst = Math.max(worst, ConvFeedbackAlignmentTest.maxAbs(values(c.get("h.W")), values(u.get("h.W").sum(0))));
      worst = Math.max(worst, ConvFeedbackAlignmentTest.maxAbs(values(c.get("h.b")), values(u.get("h.b").sum(1, 2))));
    }
    System.out.printf("untied with tied values vs conv2d: output %.1e, g2 and g3 (summed over positions) %.1e, l_x %.1e%n",
        eOut, worst, Math.abs(gc.inputLoss() - gu.inputLoss()));
    assertTrue(eOut < 1e-12, "output " + eOut);
    assertTrue(worst < 1e-12, "gradients " + worst);
    assertEquals(gc.inputLoss(), gu.inputLoss(), 1e-12 * Math.max(1, gc.inputLoss()), "l_x");
    assertEquals(gc.loss(), gu.loss(), 1e-12, "loss");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray>[] pairOf(Map<String, INDArray> a, Map<String, INDArray> b) {
    return new Map[] {a, b};
  }

  /** Over several steps of a stateful optimizer: a fixed B stays; a following B moves exactly as W does. */
  @ParameterizedTest
  @ValueSource(strings = {"random", "random_updated"})
  void bStaysOrFollowsWOverTraining(String mode) {
    Geometry g = geometry("strided");
    Trainer t = single(g, mode, "adam(lr = 0.01)");
    Random r = new Random(5);
    TestData.perturb(t, r, 0.3);
    for (int step = 0; step < 4; step++) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, N, C * H * W),
          "y", TestData.gaussian(r, DataType.DOUBLE, N, F * g.oh() * g.ow()));
      INDArray w = t.parameters().get("out.W").dup();
      INDArray b = t.parameters().get("out.B").dup();
      t.step(f);
      INDArray dw = t.parameters().get("out.W").sub(w);
      INDArray db = t.parameters().get("out.B").sub(b);
      assertTrue(dw.amaxNumber().doubleValue() > 1e-4, "W moves");
      if (mode.equals("random")) {
        assertEquals(0.0, db.amaxNumber().doubleValue(), 0.0, "a fixed B does not move");
      } else {
        double off = dw.sub(db).amaxNumber().doubleValue();
        assertTrue(off < 1e-15, "B receives W's update: off by " + off + " of " + dw.amaxNumber());
      }
    }
    assertTrue(ConvFeedbackAlignmentTest.maxAbs(values(t.parameters().get("out.W")), values(t.parameters().get("out.B"))) > 0.1,
        "B is still not W");
  }

  static double[] values(INDArray a) {
    return a.dup().data().asDouble();
  }
}
