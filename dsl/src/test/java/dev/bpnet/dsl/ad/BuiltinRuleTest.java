package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The built-in rules straight_through(...) and difference(...) equal the same rules written
 * as user activations (which {@link UserRuleTest} checks against plain-Java references), in
 * both passes 2 and the exact pass 3.
 */
class BuiltinRuleTest {
  static final String RULES = """
      activation st(z) -> a { a = relu(z) backward(da) { dz = da } }
      activation dsig(z) -> a { a = sigmoid(z) backward(da) {
        a1 = clamp(a - lr * da, eps, 1 - eps)  z1 = neg(log(1 / a1 - 1))
        dz = da * where(z1 == z, 0, (a1 - a) / where(z1 == z, 1, z1 - z)) } }
      activation dtanh(z) -> a { a = tanh(z) backward(da) {
        a1 = clamp(a - lr * da, eps - 1, 1 - eps)  z1 = 0.5 * log((1 + a1) / (1 - a1))
        dz = da * where(z1 == z, 0, (a1 - a) / where(z1 == z, 1, z1 - z)) } }
      activation dleaky(z) -> a { a = leaky_relu(z, 0.1) backward(da) {
        a1 = a - lr * da  z1 = where(a1 > 0, a1, a1 / 0.1)
        dz = da * where(z1 == z, 0, (a1 - a) / where(z1 == z, 1, z1 - z)) } }
      """;

  static Trainer trainer(String call) {
    String text = RULES + UserRuleTest.NET.replace("ACT(z)", call).replace("PASSES", "3");
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("b.bpnet", text), null), DataType.DOUBLE, 5);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {"straight_through(relu|st(", "difference(sigmoid|dsig(",
      "difference(tanh|dtanh(", "difference(leaky_relu|dleaky("})
  void builtInEqualsTheUserRule(String builtin, String user) {
    String arg = builtin.startsWith("difference(leaky") ? "z, 0.1))" : "z))";
    Trainer a = trainer(builtin + "(" + arg);
    Trainer b = trainer(user + "z)");
    Random r = new Random(9);
    for (String k : a.parameters().keySet()) {
      INDArray p = a.parameters().get(k);
      p.addi(TestData.gaussian(r, DataType.DOUBLE, 1, (int) p.length()).reshape(p.shape()).muli(0.5));
      b.parameters().get(k).assign(p);
    }
    Map<String, INDArray> f = UserRuleTest.feeds(r);
    Gradients ga = a.gradients(f);
    Gradients gb = b.gradients(f);
    for (String k : a.parameters().keySet()) {
      assertTrue(ga.pass2().get(k).equalsWithEps(gb.pass2().get(k), 1e-14), "g2 " + k);
      assertTrue(ga.pass3().get(k).equalsWithEps(gb.pass3().get(k), 1e-12), "g3 " + k);
    }
  }

  /**
   * target = example: each example's target a' = a - lr dl_b/da_b is its own, so a batch's
   * gradients (g2, l_x and the exact g3) are the means of its examples' gradients taken one at a
   * time; with the default batch reading (a - lr dL/da, L the batch mean) they are not.
   */
  @ParameterizedTest(name = "target = {0}")
  @CsvSource({"example, true", "batch, false"})
  void perExampleTargetsMakeABatchTheMeanOfItsExamples(String target, boolean independent) {
    String text = "model D { input x: [3] label y: [2]\n h = difference(sigmoid(dense(x, 4)), target = " + target + ")\n"
        + " out = dense(h, 2)\n loss = mse(out, y)\n"
        + " train { passes = 3 alpha = 0.5 third = exact optimizer = sgd(lr = 2) dtype = float64 } }\n";
    Trainer t = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("d.bpnet", text), null), DataType.DOUBLE, 4);
    Random r = new Random(3);
    t.parameters().values().forEach(p -> p.assign(TestData.gaussian(r, DataType.DOUBLE, 1, (int) p.length()).reshape(p.shape())));
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, 4, 3);
    INDArray y = TestData.gaussian(r, DataType.DOUBLE, 4, 2);
    Gradients batch = t.gradients(Map.of("x", x, "y", y));
    double inputLoss = 0;
    Map<String, INDArray> g2 = new java.util.HashMap<>();
    Map<String, INDArray> g3 = new java.util.HashMap<>();
    for (int b = 0; b < 4; b++) {
      Gradients one = t.gradients(Map.of("x", x.getRow(b, true).dup(), "y", y.getRow(b, true).dup()));
      inputLoss += one.inputLoss() / 4;
      one.pass2().forEach((k, v) -> g2.merge(k, v.div(4), INDArray::add));
      one.pass3().forEach((k, v) -> g3.merge(k, v.div(4), INDArray::add));
    }
    double worst = Math.abs(batch.inputLoss() - inputLoss) / Math.abs(inputLoss);
    for (String k : g2.keySet()) {
      double scale = g2.get(k).amaxNumber().doubleValue();
      worst = Math.max(worst, batch.pass2().get(k).sub(g2.get(k)).amaxNumber().doubleValue() / scale);
      scale = g3.get(k).amaxNumber().doubleValue();
      worst = Math.max(worst, batch.pass3().get(k).sub(g3.get(k)).amaxNumber().doubleValue() / scale);
    }
    System.out.printf("difference target = %s: batch of 4 against the mean of its examples, max relative difference %.2e%n",
        target, worst);
    assertTrue(independent ? worst < 1e-12 : worst > 1e-3, target + ": " + worst);
  }

  @Test
  void aSaturatedSigmoidStillGetsASlopeWhenTheStepMovesItBack() {
    String text = "model S { input x: [1] label y: [1]\n z = dense(x, 1)\n a = difference(sigmoid(z))\n"
        + " loss = mse(a, y)\n train { optimizer = sgd(lr = 0.5) dtype = float64 } }\n";
    Trainer t = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("s.bpnet", text), null), DataType.DOUBLE, 1);
    t.parameters().get("z.W").assign(40.0);  // z = 40: sigmoid(z) is exactly 1.0 in float64
    t.parameters().get("z.b").assign(0.0);
    Gradients g = t.gradients(Map.of("x", Nd4j.ones(DataType.DOUBLE, 1, 1), "y", Nd4j.zeros(DataType.DOUBLE, 1, 1)));
    double dw = g.pass2().get("z.W").getDouble(0);
    System.out.printf("saturated sigmoid, z = 40: dL/dW = %.3e (true gradient underflows to %.3e)%n", dw,
        Math.exp(-40) * 1.0);
    assertNotEquals(0.0, dw);
    assertTrue(dw > 1e-3, "the secant slope is not vanishing: " + dw);
  }
}
