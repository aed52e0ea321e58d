package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A diverging network's logits far apart (ND4J's LogSoftMax gives -infinity there, and the
 * cross-entropy was NaN): the loss, l_x and gradients stay finite and equal the log-sum-exp
 * formula computed in plain Java.
 */
class LargeLogitsTest {
  @ParameterizedTest
  @ValueSource(strings = {"float32", "float64"})
  void crossEntropyOfLogitsFarApartIsFinite(String dtype) {
    String text = "model Far { input x: [2] label y: [3]\n logits = dense(x, 3, bias = no)\n"
        + " loss = softmax_cross_entropy(logits, y)\n train { passes = 3 alpha = 0.5 third = exact dtype = " + dtype + " } }\n";
    DataType dt = dtype.equals("float32") ? DataType.FLOAT : DataType.DOUBLE;
    Trainer t = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("far.bpnet", text), null), dt, 2);
    // logits x W: row 0 [0, 400, 1200], row 1 [1, 2, 3]
    t.parameters().get("logits.W").assign(Nd4j.createFromArray(new double[][] {{0, 400, 1200}, {1, 2, 3}}).castTo(dt));
    INDArray x = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}}).castTo(dt);
    INDArray y = Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}}).castTo(dt);
    Gradients g = t.gradients(Map.of("x", x, "y", y));
    // plain Java: L = mean_b (lse(z_b) - z_b[y_b]); dL/dW = x^T (softmax(z) - y) / B
    double[][] z = {{0, 400, 1200}, {1, 2, 3}};
    int[] label = {0, 1};
    double loss = 0;
    double[][] dz = new double[2][3];
    for (int b = 0; b < 2; b++) {
      double max = java.util.Arrays.stream(z[b]).max().getAsDouble();
      double sum = 0;
      for (double v : z[b]) {
        sum += Math.exp(v - max);
      }
      double lse = max + Math.log(sum);
      loss += (lse - z[b][label[b]]) / 2;
      for (int j = 0; j < 3; j++) {
        dz[b][j] = (Math.exp(z[b][j] - lse) - (j == label[b] ? 1 : 0)) / 2;
      }
    }
    assertEquals(loss, g.loss(), loss * 1e-6, "loss");
    assertTrue(Double.isFinite(g.inputLoss()), "l_x " + g.inputLoss());
    INDArray w2 = g.pass2().get("logits.W");
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(dz[i][j], w2.getDouble(i, j), 1e-6, "g2 [" + i + ", " + j + "]");  // x is the identity
      }
    }
    for (double v : g.pass3().get("logits.W").dup().data().asDouble()) {
      assertTrue(Double.isFinite(v), "g3 finite: " + v);
    }
  }
}
