package dev.bpnet.examples.mnist;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.train.Evaluate;
import dev.bpnet.runtime.train.Fit;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Three-pass training (Weiming Xiong and Ruoyu Yang, "Reverse back propagation to make full use
 * of derivative") on MNIST: a 784-512-10 ReLU network trained with three passes (paper mode,
 * alpha = 0.8) against plain backprop, on the bundled 10,000-digit subset (8,000 train,
 * 2,000 test). Arguments: {@code [epochs] [alpha]}.
 */
public final class MnistThreePass {
  private MnistThreePass() {}

  public static ModelDecl model(double alpha) {
    return ModelBuilder.model("MnistThreePass")
        .input("x", 784)
        .label("y", 10)
        .let("h", E.relu(E.dense(E.ref("x"), 512)))
        .let("logits", E.dense(E.ref("h"), 10))
        .loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")))
        .train(t -> t.withPasses(alpha == 1.0 ? 2 : 3).withAlpha(alpha).withThird("paper")
            .withOptimizer("sgd", Map.of("lr", 0.1)).withInit("kaiming").withBatch(32).withSeed(7))
        .build();
  }

  public static void main(String[] args) {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    double alpha = args.length > 1 ? Double.parseDouble(args[1]) : 0.8;
    Dataset.Split data = Mnist.bundled(DataType.FLOAT).split(8000);
    ModelDecl m = model(alpha);
    Trainer t = TrainerLoader.load(m);
    System.out.printf("%s: 784-512-10 ReLU, %s, alpha = %.2f, %d epochs, batch %d%n", m.name(),
        alpha == 1.0 ? "2 passes" : "3 passes (paper)", alpha, epochs, m.train().batch());
    long start = System.nanoTime();
    Fit.run(t, new Batches(data.first(), m.train().batch(), m.train().seed()), epochs, e ->
        System.out.printf("epoch %2d  loss %.4f  l_x %.4f  test accuracy %.2f%%%n", e.epoch() + 1, e.loss(),
            e.inputLoss(), 100 * Evaluate.accuracy(t, data.rest(), 500)));
    System.out.printf("done in %.1f s: test accuracy %.2f%%%n", (System.nanoTime() - start) / 1e9,
        100 * Evaluate.accuracy(t, data.rest(), 500));
  }
}
