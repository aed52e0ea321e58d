package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.train.Evaluate;
import dev.bpnet.runtime.train.Fit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A rank-4 input: the MNIST network with {@code input x: [1, 28, 28]} flattened inside the model
 * trains exactly as the {@code [784]} version (the flatten is a view of the same rows), on the
 * bundled subset's flat rows, three passes in paper mode.
 */
class ImageInputTest {
  static final int EPOCHS = 3;

  /** The 784-512-10 ReLU network of examples/mnist on an input of the given shape. */
  private static ModelDecl mnist(Expr in, int... shape) {
    return ModelBuilder.model("Mnist").input("x", shape).label("y", 10)
        .let("h", E.call("relu", E.dense(in, 512)))
        .let("logits", E.dense(E.ref("h"), 10))
        .loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")))
        .train(t -> t.withPasses(3).withAlpha(0.8).withThird("paper").withOptimizer("sgd", Map.of("lr", 0.1))
            .withInit("kaiming").withBatch(32).withSeed(7))
        .build();
  }

  @Test
  void flattenedImageInputTrainsAsTheFlatModel() {
    Dataset all = Mnist.bundled(DataType.FLOAT);
    Dataset.Split s = all.split(8000);
    List<Double> flatLosses = new ArrayList<>();
    List<Double> imageLosses = new ArrayList<>();
    Trainer flat = TrainerLoader.load(mnist(E.ref("x"), 784));
    Trainer img = TrainerLoader.load(mnist(E.call("flatten", E.ref("x")), 1, 28, 28));
    Fit.run(flat, new Batches(s.first(), 32, 11L), EPOCHS, e -> flatLosses.add(e.loss()));
    Fit.run(img, new Batches(s.first(), 32, 11L), EPOCHS, e -> imageLosses.add(e.loss()));
    double flatAcc = Evaluate.accuracy(flat, s.rest(), 500);
    double imageAcc = Evaluate.accuracy(img, s.rest(), 500);
    System.out.printf("mnist [784]: losses %s, test accuracy %.2f%%; [1, 28, 28]: losses %s, test accuracy %.2f%%%n",
        flatLosses, 100 * flatAcc, imageLosses, 100 * imageAcc);
    assertEquals(flatLosses, imageLosses);
    assertEquals(flatAcc, imageAcc);
    for (String k : flat.parameters().keySet()) {
      INDArray a = flat.parameters().get(k);
      assertArrayEquals(a.reshape(a.length()).toFloatVector(), img.parameters().get(k).reshape(a.length()).toFloatVector(), k);
    }
  }
}
