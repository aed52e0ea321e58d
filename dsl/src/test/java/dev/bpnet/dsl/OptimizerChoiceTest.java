package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.train.Fit;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Each optimizer chosen in a .bpnet train block is the one the trainer uses, and it learns. */
class OptimizerChoiceTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "sgd(lr = 1.0)|SgdOptimizer",
      "momentum(lr = 0.05, momentum = 0.9, nesterov = true)|MomentumOptimizer",
      "adam(lr = 0.002)|AdamOptimizer",
      "reinforced(lr = 0.5, gamma0 = 0.99, lambda = 0.01)|ReinforcedOptimizer"})
  void trainsWithTheChosenOptimizer(String optimizer, String type) {
    String text = "model M { input x: [784] label y: [10]\n h = sigmoid(dense(x, 32))\n out = dense(h, 10)\n"
        + " loss = softmax_cross_entropy(out, y)\n train { optimizer = " + optimizer + " batch = 100 seed = 3 } }\n";
    var tg = FileCompiler.model(new SourceFile("m.bpnet", text), null);
    Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 3);
    // the built-ins are compiled from the bundled optimizers.bpnet into the trainer
    assertInstanceOf(dev.bpnet.runtime.optim.RuleOptimizer.class, t.optimizer());
    assertEquals(type, t.optimizer().getClass().getSimpleName());
    Dataset d = Mnist.bundled(DataType.FLOAT).split(2000).first();
    List<Fit.EpochStats> s = Fit.run(t, new Batches(d, 100, 3), 3, e -> { });
    System.out.printf("%s: loss %.3f -> %.3f%n", optimizer, s.get(0).loss(), s.get(2).loss());
    assertTrue(s.get(2).loss() < 0.8 * s.get(0).loss(), "loss falls: " + s);
  }
}
