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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Feedback alignment (the report "Asymmetric backpropagation", authors unnamed): dL/dx = G B^T
 * through a marked dense layer, dL/dW and dL/db unchanged; B fixed (random) or moved by W's
 * update (random_updated). Against a plain-Java reference of the report's equations, float64.
 */
class FeedbackAlignmentTest {
  static Trainer trainer(String mode) {
    String text = "model F { input x: [3] label y: [2]\n h = tanh(dense(x, 4))\n out = dense(h, 2, feedback = " + mode + ")\n"
        + " loss = mse(out, y)\n train { optimizer = sgd(lr = 0.2) dtype = float64 } }\n";
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("f.bpnet", text), null), DataType.DOUBLE, 4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"random", "random_updated"})
  void inputGradientUsesBAndTheWeightGradientsAreUnchanged(String mode) {
    Trainer t = trainer(mode);
    Random r = new Random(6);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 5, 3), "y", TestData.gaussian(r, DataType.DOUBLE, 5, 2));
    double[][] x = f.get("x").toDoubleMatrix();
    double[][] y = f.get("y").toDoubleMatrix();
    double[][] w1 = t.parameters().get("h.W").toDoubleMatrix();
    double[] b1 = t.parameters().get("h.b").toDoubleVector();
    double[][] w2 = t.parameters().get("out.W").toDoubleMatrix();
    double[] b2 = t.parameters().get("out.b").toDoubleVector();
    double[][] bm = t.parameters().get("out.B").toDoubleMatrix();
    double[][] gw1 = new double[3][4];
    double[][] gw2 = new double[4][2];
    int n = x.length;
    for (int s = 0; s < n; s++) {
      double[] h = new double[4];
      for (int j = 0; j < 4; j++) {
        double z = b1[j];
        for (int i = 0; i < 3; i++) {
          z += x[s][i] * w1[i][j];
        }
        h[j] = Math.tanh(z);
      }
      double[] g = new double[2];
      for (int k = 0; k < 2; k++) {
        double o = b2[k];
        for (int j = 0; j < 4; j++) {
          o += h[j] * w2[j][k];
        }
        g[k] = (o - y[s][k]) / n;
      }
      for (int j = 0; j < 4; j++) {
        double dh = 0;
        for (int k = 0; k < 2; k++) {
          gw2[j][k] += h[j] * g[k];
          dh += g[k] * bm[j][k];  // G B^T: B in place of W
        }
        double dz = dh * (1 - h[j] * h[j]);
        for (int i = 0; i < 3; i++) {
          gw1[i][j] += x[s][i] * dz;
        }
      }
    }
    Gradients gr = t.gradients(f);
    double d1 = UserRuleTest.maxDiff(gw1, gr.pass2().get("h.W").toDoubleMatrix());
    double d2 = UserRuleTest.maxDiff(gw2, gr.pass2().get("out.W").toDoubleMatrix());
    System.out.printf("feedback %s vs reference: dW1 %.2e, dW2 %.2e%n", mode, d1, d2);
    assertTrue(d1 < 1e-12 && d2 < 1e-12, d1 + " " + d2);
    assertTrue(UserRuleTest.maxDiff(w2, bm) > 0.1, "B is not W");

    INDArray wBefore = t.parameters().get("out.W").dup();
    INDArray bBefore = t.parameters().get("out.B").dup();
    t.step(f);
    INDArray dw = t.parameters().get("out.W").sub(wBefore);
    INDArray db = t.parameters().get("out.B").sub(bBefore);
    assertTrue(dw.amaxNumber().doubleValue() > 0, "W moved");
    if (mode.equals("random")) {
      assertEquals(0.0, db.amaxNumber().doubleValue(), 0.0, "a fixed B does not move");
    } else {
      assertEquals(dw, db, "B receives exactly W's update");
    }
  }
}
