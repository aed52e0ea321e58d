package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.Models;
import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.codegen.TrainerSources;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The update direction alpha*g2 + (1-alpha)*g3, and alpha = 1 generating no third pass. */
class UpdateDirectionTest {
  static ModelDecl model(int passes, double alpha, String third) {
    return Models.mlp("Dir", 5, new int[] {4}, 3, "tanh", "softmax_cross_entropy",
        t -> t.withPasses(passes).withAlpha(alpha).withThird(third));
  }

  @Test
  void alphaOneGeneratesNoThirdPassAtAll() {
    String three = BpNetCompiler.generate(model(3, 1.0, "exact"), "p").toString();
    String two = BpNetCompiler.generate(model(2, 1.0, "exact"), "p").toString();
    assertFalse(three.contains("thirdPass"), "no third-pass method");
    assertEquals(TrainerSources.withoutTrainBlock(two), TrainerSources.withoutTrainBlock(three),
        "alpha = 1 costs exactly what a 2-pass trainer costs (the TRAIN constant says passes = 3)");
    assertTrue(three.contains("3, 1.0, Third.EXACT"), "TRAIN keeps what the block says");
  }

  @ParameterizedTest(name = "alpha {0}, {1}")
  @CsvSource({"0.0, paper", "0.0, exact", "0.3, paper", "0.3, exact"})
  void directionMixesThePasses(double alpha, String third) {
    Trainer t = GradientCheckTest.instantiate(model(3, alpha, third));
    Random r = new Random(4);
    Gradients g = t.gradients(Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 6, 5),
        "y", TestData.oneHot(r, DataType.DOUBLE, 6, 3)));
    assertTrue(Double.isFinite(g.inputLoss()) && g.inputLoss() > 0);
    for (String p : t.parameters().keySet()) {
      INDArray expected = g.pass2().get(p).mul(alpha).add(g.pass3().get(p).mul(1 - alpha));
      assertTrue(expected.equalsWithEps(g.direction().get(p), 1e-14), p);
    }
    if (third.equals("paper")) {
      assertEquals(0.0, g.pass3().get("h1.b").amaxNumber().doubleValue(), 0.0, "paper mode: no bias gradient");
    } else {
      assertTrue(g.pass3().get("h1.b").amaxNumber().doubleValue() > 0, "exact mode: biases have g3");
    }
  }
}
