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
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * layer_norm(x): the forward value against PyTorch's documented LayerNorm formula written out
 * in plain Java (y = (x - E[x]) / sqrt(Var[x] + 1e-5) * gamma + beta, Var biased, over the last
 * axis), its parameters' initial values (gamma ones, beta zeros), and g2, l_x and the exact g3
 * against finite differences in float64.
 */
class LayerNormTest {
  static Trainer trainer(String src) {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("ln.bpnet", src), null), DataType.DOUBLE, 2);
  }

  @Test
  void forwardIsPyTorchsFormula() {
    Trainer t = trainer("model L { input x: [7] label y: [7]\n out = layer_norm(x)\n loss = mse(out, y)\n"
        + " train { dtype = float64 } }\n");
    INDArray g = t.parameters().get("out.g");
    INDArray b = t.parameters().get("out.b");
    for (int i = 0; i < 7; i++) {
      assertEquals(1.0, g.getDouble(i), 0.0, "gamma starts at 1");
      assertEquals(0.0, b.getDouble(i), 0.0, "beta starts at 0");
    }
    Random r = new Random(4);
    TestData.perturb(t, r, 0.5);
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, 5, 7).muli(3).addi(2);
    INDArray y = t.predict(Map.of("x", x));
    double worst = 0;
    for (int row = 0; row < 5; row++) {
      double mean = 0;
      for (int j = 0; j < 7; j++) {
        mean += x.getDouble(row, j) / 7;
      }
      double var = 0;
      for (int j = 0; j < 7; j++) {
        double d = x.getDouble(row, j) - mean;
        var += d * d / 7;
      }
      for (int j = 0; j < 7; j++) {
        double want = (x.getDouble(row, j) - mean) / Math.sqrt(var + 1e-5) * g.getDouble(j) + b.getDouble(j);
        worst = Math.max(worst, Math.abs(want - y.getDouble(row, j)));
      }
    }
    System.out.printf("LayerNormTest forward: max |bpnet - reference| %.2e%n", worst);
    assertTrue(worst < 1e-13, "forward differs by " + worst);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[5]", "[2, 3, 4]"})
  void gradientsMatchFiniteDifferences(String shape) {
    String in = shape.equals("[5]") ? "h = tanh(dense(x, 6))\n n = layer_norm(h)\n"
        : "n = layer_norm(relu(conv2d(x, 2, kernel = 2)))\n";
    String src = "model L { input x: " + shape + " label y: [3]\n " + in
        + " out = dense(" + (shape.equals("[5]") ? "n" : "flatten(n)") + ", 3)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { passes = 3 alpha = 0.5 third = exact dtype = float64 } }\n";
    Trainer t = trainer(src);
    Random r = new Random(9);
    TestData.perturb(t, r, 0.3);
    int width = shape.equals("[5]") ? 5 : 24;
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, 4, width);
    Map<String, INDArray> feeds = Map.of("x", x, "y", TestData.oneHot(r, DataType.DOUBLE, 4, 3));
    Gradients g = t.gradients(feeds);
    double e2 = GradientCheckTest.maxError(t, g.pass2(), f -> t.gradients(feeds).loss());
    double e3 = GradientCheckTest.maxError(t, g.pass3(), f -> t.gradients(feeds).inputLoss());
    double ex = GradientCheckTest.inputLossError(t, feeds, g.inputLoss());
    System.out.printf("LayerNormTest %s: g2 %.2e, exact g3 %.2e, l_x %.2e%n", shape, e2, e3, ex);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 " + e2);
    assertTrue(e3 < GradientCheckTest.TOL, "exact g3 " + e3);
    assertTrue(ex < GradientCheckTest.TOL, "l_x " + ex);
  }
}
