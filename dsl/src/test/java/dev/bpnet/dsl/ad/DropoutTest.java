package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.GradientCheck;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * dropout(x, p): g2, the exact g3 and l_x against finite differences through one step's masks
 * (the generator rewound before each evaluation, so every evaluation draws the same masks: if
 * the backward or the third pass read another mask than the forward pass, these would fail);
 * the masks' values (0 or 1/(1 - p), about a fraction p of zeros); the identity in predict and
 * gradients (bit-identical to the model without dropout); seeded, reproducible draws.
 */
class DropoutTest {
  static String model(String drop1, String drop2, String options) {
    return "model D { input x: [5] label y: [3]\n h = tanh(dense(x, 6))\n d = " + drop1 + "\n"
        + " h2 = sigmoid(dense(d, 4))\n d2 = " + drop2 + "\n out = dense(d2, 3)\n"
        + " loss = softmax_cross_entropy(out, y)\n train { " + options + " seed = 4 } }\n";
  }

  static Trainer trainer(String drop1, String drop2, String options, DataType dt) {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("d.bpnet", model(drop1, drop2, options)), null), dt, 4);
  }

  static Map<String, INDArray> feeds(Random r, DataType dt, int batch) {
    return Map.of("x", TestData.gaussian(r, dt, batch, 5), "y", TestData.oneHot(r, dt, batch, 3));
  }

  @ParameterizedTest(name = "third = {0}")
  @ValueSource(strings = {"exact", "paper"})
  void gradientsMatchFiniteDifferencesThroughAStepsMasks(String third) {
    Trainer t = trainer("dropout(h, 0.3)", "dropout(h2, p = 0.5)", "passes = 3 alpha = 0.5 third = " + third
        + " dtype = float64", DataType.DOUBLE);
    Random r = new Random(11);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> feeds = feeds(r, DataType.DOUBLE, 6);
    Map<String, INDArray> masks = t.state();
    Supplier<Gradients> step = () -> {
      t.restoreState(masks);
      return t.trainingGradients(feeds);
    };
    Gradients g = step.get();
    Gradients eval = t.gradients(feeds);
    assertNotEquals(eval.loss(), g.loss(), "a training step's loss is not the evaluation's: the masks drop units");
    double e2 = GradientCheckTest.maxError(t, g.pass2(), f -> step.get().loss());
    double ex = inputLossErrorThroughMasks(t, feeds, masks, g.inputLoss());
    System.out.printf("DropoutTest third = %s: g2 %.2e, l_x %.2e", third, e2, ex);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 " + e2);
    assertTrue(ex < GradientCheckTest.TOL, "l_x " + ex);
    if (third.equals("exact")) {
      double e3 = GradientCheckTest.maxError(t, g.pass3(), f -> step.get().inputLoss());
      System.out.printf(", exact g3 %.2e", e3);
      assertTrue(e3 < GradientCheckTest.TOL, "exact g3 " + e3);
    }
    System.out.println();
  }

  /** l_x against finite differences of L in x, every evaluation with the same masks. */
  private static double inputLossErrorThroughMasks(Trainer t, Map<String, INDArray> feeds, Map<String, INDArray> masks,
      double inputLoss) {
    INDArray x = feeds.get("x").dup();
    Map<String, INDArray> f = new java.util.HashMap<>(feeds);
    f.put("x", x);
    double sq = 0;
    for (long i = 0; i < x.length(); i++) {
      double v = x.getDouble(i);
      double[] fs = new double[4];
      double[] steps = {-2, -1, 1, 2};
      for (int k = 0; k < 4; k++) {
        x.putScalar(i, v + steps[k] * GradientCheckTest.H);
        t.restoreState(masks);
        fs[k] = t.trainingGradients(f).loss();
      }
      x.putScalar(i, v);
      double d = (fs[0] - 8 * fs[1] + 8 * fs[2] - fs[3]) / (12 * GradientCheckTest.H);
      sq += d * d;
    }
    double numeric = x.size(0) / 2.0 * sq;
    return Math.abs(numeric - inputLoss) / Math.max(Math.abs(inputLoss), 1e-6);
  }

  @Test
  void theCheckCommandChecksThroughAStepsMasks() {
    var tg = FileCompiler.model(new SourceFile("d.bpnet", model("dropout(h, 0.3)", "dropout(h2, 0.5)",
        "passes = 3 alpha = 0.5 third = exact dtype = float64")), null);
    var results = GradientCheck.run(tg, 5);
    assertEquals(2, results.size());
    for (GradientCheck.Result res : results) {
      System.out.printf("DropoutTest bpnet check: %s %.2e%n", res.gradient(), res.error());
      assertTrue(res.ok(), res.gradient() + " " + res.error() + " at " + res.worstAt());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"float32", "float64"})
  void masksAreZeroOrOneOverKeepWithAboutAFractionPOfZeros(String dtype) {
    // the output is the dropout itself: a step's output over the prediction is the mask
    String src = "model M { input x: [200] label y: [200]\n h = dense(x, 200)\n out = dropout(h, 0.25)\n"
        + " loss = mse(out, y)\n train { dtype = " + dtype + " } }\n";
    DataType dt = dtype.equals("float32") ? DataType.FLOAT : DataType.DOUBLE;
    Trainer t = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("m.bpnet", src), null), dt, 1);
    Random r = new Random(2);
    Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, dt, 50, 200), "y", TestData.gaussian(r, dt, 50, 200));
    INDArray h = t.predict(Map.of("x", f.get("x")));
    t.trainingGradients(f);
    INDArray out = t.lastOutput().dup();
    double keep = dt == DataType.FLOAT ? (double) (float) (1 / 0.75) : 1 / 0.75;
    long zeros = 0;
    for (long i = 0; i < out.length(); i++) {
      double o = out.getDouble(i);
      double want = dt == DataType.FLOAT ? (double) ((float) h.getDouble(i) * (float) keep) : h.getDouble(i) * keep;
      if (o == 0) {
        zeros++;
      } else {
        assertEquals(want, o, 0.0, "a kept element is x / (1 - p), at " + i);
      }
    }
    double fraction = zeros / (double) out.length();
    System.out.printf("DropoutTest %s: %d of %d dropped (%.4f, p = 0.25)%n", dtype, zeros, out.length(), fraction);
    // 10,000 draws: the standard deviation of the fraction is 0.0043
    assertEquals(0.25, fraction, 0.02);
    assertEquals(h, t.predict(Map.of("x", f.get("x"))), "predict after a training step is the identity again");
  }

  @Test
  void predictAndGradientsAreTheModelWithoutDropoutBitForBit() {
    Trainer with = trainer("dropout(h, 0.4)", "dropout(h2, 0.2)", "passes = 3 alpha = 0.7", DataType.FLOAT);
    Trainer without = trainer("h", "h2", "passes = 3 alpha = 0.7", DataType.FLOAT);
    assertEquals(without.parameters().keySet(), with.parameters().keySet());
    without.parameters().forEach((k, v) -> assertEquals(v, with.parameters().get(k), "the same initialisation: " + k));
    Random r = new Random(3);
    Map<String, INDArray> f = feeds(r, DataType.FLOAT, 8);
    for (int i = 0; i < 2; i++) {
      with.step(f);  // draws masks, which predict and gradients must not use
      // the steps differ (one drops units): compare at the same parameters
      with.parameters().forEach((k, v) -> without.parameters().get(k).assign(v));
      assertEquals(without.predict(Map.of("x", f.get("x"))), with.predict(Map.of("x", f.get("x"))),
          "predict is the identity through dropout");
      Gradients ga = with.gradients(f);
      Gradients gb = without.gradients(f);
      assertEquals(gb.loss(), ga.loss(), 0.0);
      assertEquals(gb.inputLoss(), ga.inputLoss(), 0.0);
      gb.pass2().forEach((k, v) -> assertEquals(v, ga.pass2().get(k), "g2 " + k));
      gb.pass3().forEach((k, v) -> assertEquals(v, ga.pass3().get(k), "g3 " + k));
    }
  }

  @Test
  void drawsAreSeededAndTheStateContinuesThem() {
    Random r = new Random(8);
    Map<String, INDArray> f = feeds(r, DataType.FLOAT, 8);
    Trainer a = trainer("dropout(h, 0.5)", "d", "", DataType.FLOAT);
    Trainer b = trainer("dropout(h, 0.5)", "d", "", DataType.FLOAT);
    Map<String, INDArray> start = a.state();
    for (int i = 0; i < 3; i++) {
      a.step(f);
      b.step(f);
    }
    a.parameters().forEach((k, v) -> assertEquals(v, b.parameters().get(k), "same seed, same steps: " + k));
    assertEquals(a.state().get("rng"), b.state().get("rng"));
    assertNotEquals(start.get("rng"), a.state().get("rng"), "each step draws");
    // a third trainer, set to a's generator state and parameters, continues exactly as a does
    Trainer c = trainer("dropout(h, 0.5)", "d", "", DataType.FLOAT);
    c.parameters().forEach((k, v) -> v.assign(a.parameters().get(k)));
    c.restoreState(a.state());
    Gradients ga = a.trainingGradients(f);
    Gradients gc = c.trainingGradients(f);
    assertEquals(ga.loss(), gc.loss(), 0.0);
    ga.pass2().forEach((k, v) -> assertEquals(v, gc.pass2().get(k), k));
    // and evaluation draws nothing
    Map<String, INDArray> before = a.state();
    a.gradients(f);
    a.predict(Map.of("x", f.get("x")));
    assertEquals(before.get("rng"), a.state().get("rng"), "predict and gradients leave the generator alone");
  }
}
