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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * batch_norm(x) on [B, F] and [B, C, H, W] against PyTorch's documented BatchNorm written out in
 * plain Java: in a training step y = (x - E[x]) / sqrt(Var[x] + eps) gamma + beta with the
 * batch's mean and biased variance per feature or channel; after the step running_mean = (1 - m)
 * running_mean + m mean, running_var = (1 - m) running_var + m unbiased variance (from 0 and 1),
 * m the momentum (0.1 and eps 1e-5 by default, and other values written);
 * in prediction the running statistics. g2, l_x and the exact g3 through the batch statistics
 * against finite differences in float64, eps as written.
 */
class BatchNormTest {
  static final String DENSE = "model N { input x: [5] label y: [5]\n out = batch_norm(x)\n loss = mse(out, y)\n"
      + " train { dtype = float64 optimizer = sgd(lr = 0.1) } }\n";
  static final String CONV = "model N { input x: [3, 2, 4] label y: [24]\n out = flatten(batch_norm(x))\n"
      + " loss = mse(out, y)\n train { dtype = float64 optimizer = sgd(lr = 0.1) } }\n";

  static Trainer trainer(String src) {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("bn.bpnet", src), null), DataType.DOUBLE, 2);
  }

  /** Per feature or channel: the mean and biased variance over the batch (and the image). */
  static double[][] stats(INDArray x, int channels, int per) {
    long b = x.size(0);
    double[] mean = new double[channels];
    double[] var = new double[channels];
    for (int c = 0; c < channels; c++) {
      double s = 0;
      for (long i = 0; i < b; i++) {
        for (int k = 0; k < per; k++) {
          s += x.getDouble(i, (long) c * per + k);
        }
      }
      mean[c] = s / (b * per);
      double v = 0;
      for (long i = 0; i < b; i++) {
        for (int k = 0; k < per; k++) {
          double d = x.getDouble(i, (long) c * per + k) - mean[c];
          v += d * d;
        }
      }
      var[c] = v / (b * per);
    }
    return new double[][] {mean, var};
  }

  /** The model with batch_norm's options written, as in {@code batch_norm(x, momentum = 0.3)}. */
  static String withOptions(String src, String options) {
    return options.isEmpty() ? src : src.replace("batch_norm(x)", "batch_norm(x, " + options + ")");
  }

  @ParameterizedTest(name = "{0} {3}")
  @CsvSource({"dense, 5, 1, '', 0.1, 1e-5", "conv, 3, 8, '', 0.1, 1e-5",
      "dense, 5, 1, 'momentum = 0.3, eps = 0.5', 0.3, 0.5", "conv, 3, 8, 'eps = 0.02, momentum = 0.75', 0.75, 0.02",
      "dense, 5, 1, 'momentum = 1', 1, 1e-5", "conv, 3, 8, 'momentum = 0', 0, 1e-5"})
  void trainingStepsUseBatchStatisticsAndMoveTheRunningOnesAsPyTorch(String kind, int channels, int per, String options,
      double momentum, double eps) {
    Trainer t = trainer(withOptions(kind.equals("dense") ? DENSE : CONV, options));
    String n = "out";
    Map<String, INDArray> p = t.parameters();
    INDArray g = p.get(n + ".g");
    INDArray beta = p.get(n + ".b");
    for (int c = 0; c < channels; c++) {
      assertEquals(0.0, p.get(n + ".running_mean").getDouble(c), 0.0);
      assertEquals(1.0, p.get(n + ".running_var").getDouble(c), 0.0);
    }
    Random r = new Random(5);
    g.assign(TestData.gaussian(r, DataType.DOUBLE, 1, channels).reshape(channels));
    beta.assign(TestData.gaussian(r, DataType.DOUBLE, 1, channels).reshape(channels));
    int width = channels * per;
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, 6, width).muli(2).addi(1);
    Map<String, INDArray> f = Map.of("x", x, "y", TestData.gaussian(r, DataType.DOUBLE, 6, width));
    double[][] s = stats(x, channels, per);
    double[] rm = new double[channels];
    double[] rv = new double[channels];
    java.util.Arrays.fill(rv, 1);
    double worst = 0;
    for (int step = 0; step < 3; step++) {
      double[] gs = g.toDoubleVector();
      double[] bs = beta.toDoubleVector();
      t.trainingGradients(f);
      INDArray y = t.lastOutput().reshape(6, width);
      for (int i = 0; i < 6; i++) {
        for (int j = 0; j < width; j++) {
          int c = j / per;
          double want = (x.getDouble(i, j) - s[0][c]) / Math.sqrt(s[1][c] + eps) * gs[c] + bs[c];
          worst = Math.max(worst, Math.abs(want - y.getDouble(i, j)));
        }
      }
      t.step(f);
      long count = 6L * per;
      for (int c = 0; c < channels; c++) {
        rm[c] = (1 - momentum) * rm[c] + momentum * s[0][c];
        rv[c] = (1 - momentum) * rv[c] + momentum * s[1][c] * count / (count - 1);
        worst = Math.max(worst, Math.abs(rm[c] - p.get(n + ".running_mean").getDouble(c)));
        worst = Math.max(worst, Math.abs(rv[c] - p.get(n + ".running_var").getDouble(c)));
      }
    }
    // prediction: the running statistics
    INDArray y = t.predict(Map.of("x", x)).reshape(6, width);
    double[] gs = g.toDoubleVector();
    double[] bs = beta.toDoubleVector();
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < width; j++) {
        int c = j / per;
        double want = (x.getDouble(i, j) - rm[c]) / Math.sqrt(rv[c] + eps) * gs[c] + bs[c];
        worst = Math.max(worst, Math.abs(want - y.getDouble(i, j)));
      }
    }
    System.out.printf("BatchNormTest %s (%s): training forward, running statistics over 3 steps, prediction: max |bpnet - reference| %.2e%n",
        kind, options, worst);
    assertTrue(worst < 1e-12, "differs by " + worst);
    // trainingGradients and gradients update nothing
    INDArray before = p.get(n + ".running_var").dup();
    t.trainingGradients(f);
    t.gradients(f);
    assertEquals(before, p.get(n + ".running_var"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"dense, ''", "conv, ''", "dense, ', eps = 0.7'", "conv, ', eps = 0.05, momentum = 0.5'"})
  void gradientsThroughTheBatchStatisticsMatchFiniteDifferences(String kind, String options) {
    String body = kind.equals("dense") ? "input x: [4] label y: [3]\n h = tanh(batch_norm(dense(x, 5)" + options + "))\n out = dense(h, 3)\n"
        : "input x: [1, 4, 4] label y: [3]\n h = relu(batch_norm(conv2d(x, 2, kernel = 3)" + options + "))\n out = dense(flatten(h), 3)\n";
    Trainer t = trainer("model N { " + body + " loss = softmax_cross_entropy(out, y)\n"
        + " train { passes = 3 alpha = 0.5 third = exact dtype = float64 } }\n");
    Random r = new Random(13);
    TestData.perturb(t, r, 0.3);
    t.parameters().get("h.running_var").assign(1.5);  // FD must not see them in a training step
    Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 5, kind.equals("dense") ? 4 : 16),
        "y", TestData.oneHot(r, DataType.DOUBLE, 5, 3));
    Gradients g = t.trainingGradients(f);
    double e2 = GradientCheckTest.maxError(t, g.pass2(), v -> t.trainingGradients(f).loss());
    double e3 = GradientCheckTest.maxError(t, g.pass3(), v -> t.trainingGradients(f).inputLoss());
    System.out.printf("BatchNormTest %s%s (training step): g2 %.2e, exact g3 %.2e", kind, options, e2, e3);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 " + e2);
    assertTrue(e3 < GradientCheckTest.TOL, "exact g3 " + e3);
    // evaluation: the running statistics are constants
    Gradients ge = t.gradients(f);
    double ee = GradientCheckTest.maxError(t, ge.pass2(), v -> t.gradients(f).loss());
    System.out.printf(", evaluation g2 %.2e%n", ee);
    assertTrue(ee < GradientCheckTest.TOL, "evaluation g2 " + ee);
  }

  /** bpnet check --gradients on a batch norm model: the running statistics, which nothing differentiates, are left out. */
  @Test
  void theCheckCommandChecksTheTrainedParameters() {
    var tg = FileCompiler.model(new SourceFile("bn.bpnet", "model N { input x: [6] label y: [3]\n"
        + " h = relu(batch_norm(dense(x, 5, bias = no)))\n out = dense(h, 3)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { passes = 3 alpha = 0.8 third = exact } }\n"), null);
    for (dev.bpnet.dsl.load.GradientCheck.Result res : dev.bpnet.dsl.load.GradientCheck.run(tg, 5)) {
      System.out.printf("BatchNormTest bpnet check: %s %.2e%n", res.gradient(), res.error());
      assertTrue(res.ok(), res.gradient() + " " + res.error() + " at " + res.worstAt());
      assertTrue(!res.worstAt().contains("running"), res.worstAt());
    }
  }
}
