package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.train.Evaluate;
import dev.bpnet.runtime.train.Fit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A generated 784-512-10 ReLU trainer on the bundled MNIST subset (8,000 train / 2,000 test):
 * plain backprop (alpha = 1) and three passes in paper mode (alpha = 0.8) reach 95%.
 */
class MnistAccuracyTest {
  static final int EPOCHS = 30;

  @ParameterizedTest(name = "alpha {0}")
  @CsvSource({"1.0", "0.8"})
  void reachesNinetyFivePercent(double alpha) {
    Dataset all = Mnist.bundled(DataType.FLOAT);
    Dataset.Split s = all.split(8000);
    Trainer t = TrainerLoader.load(Models.mnist(alpha, "paper"));
    long start = System.nanoTime();
    Fit.run(t, new Batches(s.first(), 32, 11L), EPOCHS, e -> System.out.printf(
        "mnist alpha %.1f epoch %d: loss %.4f l_x %.5f%n", alpha, e.epoch() + 1, e.loss(), e.inputLoss()));
    double acc = Evaluate.accuracy(t, s.rest(), 500);
    System.out.printf("mnist alpha %.1f: test accuracy %.2f%% after %d epochs (%.1f s)%n",
        alpha, 100 * acc, EPOCHS, (System.nanoTime() - start) / 1e9);
    assertTrue(acc >= 0.95, "test accuracy " + acc);
  }
}
