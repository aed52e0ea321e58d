package dev.bpnet.examples.annotated;

import dev.bpnet.api.annotation.BpNetModel;
import dev.bpnet.api.annotation.Dense;
import dev.bpnet.api.annotation.Input;
import dev.bpnet.api.annotation.Label;
import dev.bpnet.api.annotation.Loss;
import dev.bpnet.api.annotation.Train;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Three-pass training (Weiming Xiong and Ruoyu Yang, "Reverse back propagation to make full use
 * of derivative") on MNIST written as annotations: the model of
 * {@code examples/mnist/mnist.bpnet} (784-512-10 ReLU, three passes in paper mode, alpha = 0.8). javac generates
 * {@code MnistAnnotatedTrainer} in this package at build time; {@link TrainMnistAnnotated} runs it.
 */
@BpNetModel(train = @Train(passes = 3, alpha = 0.8, third = "paper", optimizer = "sgd(lr = 0.1)",
    init = "kaiming", batch = 32, epochs = 30, seed = 7))
public interface MnistAnnotated {
  /** A flattened 28 x 28 image. */
  @Input(784)
  INDArray x();

  /** The digit, one-hot. */
  @Label(10)
  INDArray y();

  @Dense(value = 512, activation = "relu")
  INDArray h(INDArray x);

  @Dense(10)
  INDArray logits(INDArray h);

  @Loss("softmax_cross_entropy")
  INDArray loss(INDArray logits, INDArray y);
}
