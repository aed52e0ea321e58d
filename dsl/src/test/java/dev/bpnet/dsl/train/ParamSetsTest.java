package dev.bpnet.dsl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.GradientCheck;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code params(...)} in a regulariser: {@code sum(params(W) ^ 2)} is the sum of one term per
 * matching parameter, so the loss and every parameter's g2 equal those of the terms written out by
 * hand (a model with dense layers, a param(...) matrix and a user layer rule's parameters), and
 * g2 and the exact g3 pass finite differences in float64.
 */
class ParamSetsTest {
  private static final String RULE = """
      layer my_dense(x, units) -> y {
        W = param(size(x, axis = 1), units)
        b = param(units)
        y = matmul(x, W) + b
        backward(dy) { dx = matmul(dy, transpose(W)) }
      }
      """;

  /** A model whose loss ends with {@code reg}; its parameters: h.W, h.b, V, out.W, out.b, logits.W, logits.b. */
  static String model(String reg) {
    return RULE + """
        model M {
          input x: [6]
          label y: [4]
          h = tanh(dense(x, 5))
          V = param(5, 5)
          g = sigmoid(matmul(h, V))
          out = my_dense(g, 5)
          logits = dense(tanh(out), 4)
          loss = softmax_cross_entropy(logits, y) + %s
          train { passes = 3  alpha = 0.7  third = exact  dtype = float64  optimizer = sgd(lr = 0.1)  seed = 4 }
        }
        """.formatted(reg);
  }

  static TrainingGraph compile(String reg) {
    return FileCompiler.model(new SourceFile("p.bpnet", model(reg)), null);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0.01 * sum(params(W) ^ 2)|0.01 * (sum(h.W ^ 2) + sum(out.W ^ 2) + sum(logits.W ^ 2))",
      "0.003 * sum(abs(params()))|0.003 * (sum(abs(h.W)) + sum(abs(h.b)) + sum(abs(V)) + sum(abs(out.W)) + sum(abs(out.b))"
          + " + sum(abs(logits.W)) + sum(abs(logits.b)))",
      "0.02 * sum(params(V, b) ^ 2 * 0.5)|0.02 * (sum(h.b ^ 2 * 0.5) + sum(V ^ 2 * 0.5) + sum(out.b ^ 2 * 0.5) + sum(logits.b ^ 2 * 0.5))"})
  void isTheSumOfTheTermsWrittenOut(String pair) {
    String[] p = pair.split("\\|");
    Trainer set = TrainerLoader.instantiate(compile(p[0]), DataType.DOUBLE, 4);
    Trainer byHand = TrainerLoader.instantiate(compile(p[1]), DataType.DOUBLE, 4);
    assertEquals(List.of("h.W", "h.b", "V", "out.W", "out.b", "logits.W", "logits.b"), List.copyOf(set.parameters().keySet()));
    Random r = new Random(2);
    set.parameters().forEach((k, v) -> {
      v.addi(gaussian(r, v.shape()).muli(0.4));
      byHand.parameters().get(k).assign(v);
    });
    Map<String, INDArray> feeds = new HashMap<>();
    feeds.put("x", gaussian(r, 7, 6));
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 7, 4);
    for (int i = 0; i < 7; i++) {
      y.putScalar(i, i % 4, 1.0);
    }
    feeds.put("y", y);
    Gradients a = set.gradients(feeds);
    Gradients b = byHand.gradients(feeds);
    assertEquals(b.loss(), a.loss(), 1e-14 * Math.abs(b.loss()), p[0] + ": L");
    for (String k : set.parameters().keySet()) {
      double scale = b.pass2().get(k).amaxNumber().doubleValue();
      double diff = a.pass2().get(k).sub(b.pass2().get(k)).amaxNumber().doubleValue();
      assertTrue(diff <= 1e-14 * scale, p[0] + ": g2 of " + k + " differs by " + diff);
      double diff3 = a.pass3().get(k).sub(b.pass3().get(k)).amaxNumber().doubleValue();
      assertTrue(diff3 <= 1e-14 * Math.max(1e-300, b.pass3().get(k).amaxNumber().doubleValue()), p[0] + ": g3 of " + k);
    }
  }

  @Test
  void gradientsReachEveryParameterAndPassFiniteDifferences() {
    // the layer rule above is a learning rule (its backward is not marked exact), so the check runs on dense layers
    String m = """
        model R {
          input x: [6]
          label y: [4]
          h = tanh(dense(x, 5))
          W2 = param(5, 4)
          logits = matmul(h, W2)
          loss = softmax_cross_entropy(logits, y) + 0.05 * sum(params(W, W2) ^ 2) + 0.01 * sum(params() ^ 4)
          train { passes = 3  alpha = 0.7  third = exact  dtype = float64  seed = 4 }
        }
        """;
    var results = GradientCheck.run(FileCompiler.model(new SourceFile("r.bpnet", m), null), 5);
    assertEquals(2, results.size(), "g2 and g3 are both checked");
    for (GradientCheck.Result r : results) {
      System.out.printf("ParamSetsTest: %s max relative error %.2e (%s)%n", r.gradient(), r.error(), r.worstAt());
      assertTrue(r.ok() && r.error() < 1e-6, r.gradient() + " " + r.error() + " at " + r.worstAt());
    }
  }

  static INDArray gaussian(Random r, long... shape) {
    INDArray a = Nd4j.zeros(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, r.nextGaussian());
    }
    return a;
  }
}
