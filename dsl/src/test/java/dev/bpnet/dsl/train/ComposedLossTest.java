package dev.bpnet.dsl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.GradientCheck;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Losses a researcher writes, beyond one built-in call (issue 14): a loss plus an L2 term on a
 * param(...) matrix, a hand-written squared error with a declared output, a hand-written
 * cross-entropy, and a loss plus L1 and L2 terms on layer parameters referred to as h.W. Each
 * compiles, trains on MNIST with a decreasing loss, predicts its declared or found output, and
 * passes finite differences for g2 and the exact g3 in float64. A regulariser is part of L but
 * not of l_x: the third pass gives the same l_x and g3 with and without it.
 */
class ComposedLossTest {
  static final String HIDDEN = "  input x: [784]\n  label y: [10]\n  h = tanh(dense(x, 16))\n";
  static final String TRAIN = "  train { passes = 3  alpha = 0.8  third = %s  optimizer = sgd(lr = %s)  batch = 32  seed = 3 }\n";

  /** The four losses, by name; each model predicts a [B, 10] value. */
  static String model(String which, String third) {
    String body = switch (which) {
      case "l2_param" -> "  W = param(16, 10)\n  logits = matmul(h, W)\n"
          + "  loss = softmax_cross_entropy(logits, y) + 0.0001 * sum(W ^ 2)\n";
      case "squared" -> "  out = dense(h, 10)\n  output = out\n  loss = mean(sum((out - y) ^ 2, axis = 1))\n";
      case "hand_ce" -> "  output = dense(h, 10)\n  loss = mean(-sum(y * log_softmax(output), axis = 1))\n";
      case "l1_l2" -> "  logits = dense(h, 10)\n"
          + "  loss = softmax_cross_entropy(logits, y) + 0.001 * sum(h.W ^ 2) + 0.001 * sum(abs(logits.W))\n";
      case "plain" -> "  logits = dense(h, 10)\n  loss = softmax_cross_entropy(logits, y)\n";
      default -> throw new IllegalArgumentException(which);
    };
    // the squared error sums ten squares: its gradients are larger than cross-entropy's
    return "model M {\n" + HIDDEN + body + String.format(TRAIN, third, which.equals("squared") ? "0.02" : "0.1") + "}\n";
  }

  static TrainingGraph compile(String which, String third) {
    return FileCompiler.model(new SourceFile(which + ".bpnet", model(which, third)), null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"l2_param", "squared", "hand_ce", "l1_l2"})
  void compilesAndPassesFiniteDifferencesForG2AndExactG3(String which) {
    var results = GradientCheck.run(compile(which, "exact"), 5);
    assertEquals(2, results.size(), "g2 and g3 are both checked");
    for (GradientCheck.Result r : results) {
      System.out.printf("ComposedLossTest %s: %s max relative error %.2e (%s)%n", which, r.gradient(), r.error(), r.worstAt());
      assertTrue(r.ok(), which + ": " + r.gradient() + " " + r.error() + " at " + r.worstAt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"l2_param", "squared", "hand_ce", "l1_l2"})
  void trainsOnMnistWithADecreasingLossAndPredictsTheOutput(String which) {
    Trainer t = TrainerLoader.instantiate(compile(which, "paper"), DataType.FLOAT, 3);
    Dataset d = Mnist.bundled(DataType.FLOAT);
    double first = 0;
    double last = 0;
    int n = 0;
    int steps = 120;
    for (Batch b : new Batches(d, 32, 3).epoch(0)) {
      double loss = t.step(Map.of("x", b.features(), "y", b.labels())).loss();
      assertTrue(Double.isFinite(loss), which + " step " + n + ": " + loss);
      first += n < 20 ? loss / 20 : 0;
      last += n >= steps - 20 ? loss / 20 : 0;
      if (++n == steps) {
        break;
      }
    }
    System.out.printf("ComposedLossTest %s: mean loss of steps 1-20 %.4f, of steps %d-%d %.4f%n", which, first,
        steps - 19, steps, last);
    assertTrue(last < 0.8 * first, which + ": the loss decreases, " + first + " -> " + last);
    INDArray x = d.features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 500),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    INDArray y = d.labels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 500),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    INDArray out = t.predict(Map.of("x", x));
    assertArrayEquals(new long[] {500, 10}, out.shape(), "predict returns the [B, 10] output");
    double accuracy = out.argMax(1).eq(y.argMax(1)).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    System.out.printf("ComposedLossTest %s: accuracy of the output on 500 training images after %d steps %.3f%n",
        which, steps, accuracy);
    assertTrue(accuracy > 0.5, which + ": the output is the prediction, accuracy " + accuracy);
  }

  /**
   * The regulariser is part of L, so of g2 (which gains exactly its gradient, 0.002 W + 0.001
   * sign(W)); l_x = ||dL/dx||^2-style input losses do not see it, since it does not depend on x:
   * l_x and g3 are the same with and without it, in both third-pass modes.
   */
  @ParameterizedTest
  @CsvSource({"exact", "paper"})
  void aRegulariserChangesG2ByItsGradientAndLeavesLxAndG3Alone(String third) {
    Trainer reg = TrainerLoader.instantiate(compile("l1_l2", third), DataType.DOUBLE, 9);
    Trainer plain = TrainerLoader.instantiate(compile("plain", third), DataType.DOUBLE, 9);
    assertEquals(plain.parameters().keySet(), reg.parameters().keySet());
    Random r = new Random(4);
    reg.parameters().forEach((k, v) -> {
      v.addi(gaussian(r, v.shape()).muli(0.3));
      plain.parameters().get(k).assign(v);
    });
    Map<String, INDArray> feeds = new HashMap<>();
    feeds.put("x", gaussian(r, 8, 784));
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 8, 10);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, (i * 3) % 10, 1.0);
    }
    feeds.put("y", y);
    Gradients gr = reg.gradients(feeds);
    Gradients gp = plain.gradients(feeds);
    INDArray hw = reg.parameters().get("h.W");
    INDArray ow = reg.parameters().get("logits.W");
    double penalty = 0.001 * hw.mul(hw).sumNumber().doubleValue() + 0.001 * Transforms.abs(ow).sumNumber().doubleValue();
    assertEquals(gp.loss() + penalty, gr.loss(), 1e-12, "L gains the penalty");
    assertEquals(gp.inputLoss(), gr.inputLoss(), 0.0, "l_x is the same");
    assertTrue(gp.inputLoss() > 0);
    for (String k : reg.parameters().keySet()) {
      INDArray extra = k.equals("h.W") ? hw.mul(0.002) : k.equals("logits.W") ? Transforms.sign(ow).muli(0.001)
          : Nd4j.zeros(DataType.DOUBLE, reg.parameters().get(k).shape());
      double g2 = gr.pass2().get(k).sub(gp.pass2().get(k)).sub(extra).amaxNumber().doubleValue();
      assertEquals(0, g2, 1e-15, k + ": g2 gains the regulariser's gradient, nothing else");
      if (gp.pass3().containsKey(k)) {
        assertEquals(0, gr.pass3().get(k).sub(gp.pass3().get(k)).amaxNumber().doubleValue(), 0.0, k + ": g3 is the same");
      }
    }
    assertTrue(!gp.pass3().isEmpty(), "there is a third pass");
  }

  @Test
  void theOutputIsTheBuiltInLossesPredictionOrTheDeclaredValue() {
    assertEquals("logits", outputOf("l1_l2"), "the built-in loss's prediction");
    assertEquals("out", outputOf("squared"), "the declared value");
  }

  /** The output's name in the IR dump ("output = %12 logits"). */
  private static String outputOf(String which) {
    TrainingGraph tg = compile(which, "exact");
    return tg.program().graph().node(tg.program().output()).displayName();
  }

  private static INDArray gaussian(Random r, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, r.nextGaussian());
    }
    return a;
  }
}
