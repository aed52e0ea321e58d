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
