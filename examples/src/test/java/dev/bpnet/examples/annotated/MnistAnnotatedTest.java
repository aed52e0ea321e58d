package dev.bpnet.examples.annotated;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The trainer javac generated from the annotated {@link MnistAnnotated} during this module's
 * build learns: one epoch (250 steps of 32, three passes) on the bundled MNIST subset.
 */
class MnistAnnotatedTest {
  @Test
  void trainsFromTheAnnotatedType() {
    double accuracy = TrainMnistAnnotated.train(1, 7);
    assertTrue(accuracy > 0.85, "test accuracy after one epoch: " + accuracy);
  }
}
