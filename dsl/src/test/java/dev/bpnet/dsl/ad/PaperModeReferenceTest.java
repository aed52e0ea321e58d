package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.Models;
import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.reference.PaperMlpReference;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The generated `paper` third pass against {@link PaperMlpReference}, a plain-Java
 * implementation of the section-3 formulas of Weiming Xiong and Ruoyu Yang, "Reverse back
 * propagation to make full use of derivative", written from the paper, not from the compiler:
 * sigmoid MLPs, float64, agreement to 1e-10.
 */
class PaperModeReferenceTest {

  @ParameterizedTest(name = "depth {0}, {1}")
  @CsvSource({"1, softmax_cross_entropy", "2, softmax_cross_entropy", "3, softmax_cross_entropy",
      "4, softmax_cross_entropy", "1, mse", "2, mse", "3, mse", "4, mse"})
  void paperThirdPassEqualsTheHandWrittenReference(int depth, String loss) {
    Random r = new Random(77L * depth + loss.length());
    int in = 3 + r.nextInt(4);
    int out = 2 + r.nextInt(4);
    int[] hidden = new int[depth - 1];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = 2 + r.nextInt(6);
    }
    ModelDecl m = Models.mlp("Paper", in, hidden, out, "sigmoid", loss,
        t -> t.withPasses(3).withAlpha(0.3).withThird("paper").withInit("xavier"));
    Trainer tr = GradientCheckTest.instantiate(m);
    Map<String, INDArray> params = tr.parameters();
    TestData.perturb(tr, r, 0.3);
    int batch = 3 + r.nextInt(4);
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, batch, in);
    INDArray y = loss.equals("mse") ? TestData.gaussian(r, DataType.DOUBLE, batch, out)
        : TestData.oneHot(r, DataType.DOUBLE, batch, out);

    String[] layers = new String[depth];
    for (int l = 0; l < depth; l++) {
      layers[l] = l == depth - 1 ? "out" : "h" + (l + 1);
    }
    double[][][] w = new double[depth][][];
    double[][] b = new double[depth][];
    for (int l = 0; l < depth; l++) {
      w[l] = params.get(layers[l] + ".W").toDoubleMatrix();
      b[l] = params.get(layers[l] + ".b").toDoubleVector();
    }
    PaperMlpReference.Result ref = PaperMlpReference.compute(w, b, TestData.toArray(x), TestData.toArray(y),
        loss.equals("mse") ? PaperMlpReference.Loss.MSE : PaperMlpReference.Loss.SOFTMAX_XENT);
    Gradients g = tr.gradients(Map.of("x", x, "y", y));

    assertEquals(ref.loss(), g.loss(), 1e-10, "loss");
    assertEquals(ref.inputLoss(), g.inputLoss(), 1e-10, "input loss l_x");
    double worst = 0;
    for (int l = 0; l < depth; l++) {
      worst = Math.max(worst, maxDiff(ref.g2W()[l], g.pass2().get(layers[l] + ".W").toDoubleMatrix()));
      worst = Math.max(worst, maxDiff(ref.g3W()[l], g.pass3().get(layers[l] + ".W").toDoubleMatrix()));
      worst = Math.max(worst, maxDiff(new double[][] {ref.g2b()[l]}, new double[][] {g.pass2().get(layers[l] + ".b").toDoubleVector()}));
      // biases get no third-pass gradient in paper mode
      assertEquals(0.0, g.pass3().get(layers[l] + ".b").amaxNumber().doubleValue(), 0.0);
    }
    System.out.printf("paper g3 vs reference, %s depth %d: max abs diff %.2e%n", loss, depth, worst);
    assertTrue(worst < 1e-10, "max difference " + worst);
  }

  static double maxDiff(double[][] a, double[][] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i].length, b[i].length);
      for (int j = 0; j < a[i].length; j++) {
        m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return m;
  }
}
