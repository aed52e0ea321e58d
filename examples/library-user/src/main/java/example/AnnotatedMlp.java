package example;

import dev.bpnet.api.annotation.BpNetModel;
import dev.bpnet.api.annotation.Dense;
import dev.bpnet.api.annotation.Input;
import dev.bpnet.api.annotation.Label;
import dev.bpnet.api.annotation.Loss;
import dev.bpnet.api.annotation.Train;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model written as annotations: javac (with bpnet-annotation-processor on the processor path,
 * see pom.xml) generates {@code AnnotatedMlpTrainer} and {@code AnnotatedMlpModel} in this package at
 * build time.
 */
@BpNetModel(train = @Train(passes = 2, optimizer = "sgd(lr = 0.1)", batch = 32, epochs = 1, seed = 3,
    data = "mnist"))
public interface AnnotatedMlp {
  /** A flattened 28 x 28 image. */
  @Input(784)
  INDArray x();

  /** The digit, one-hot. */
  @Label(10)
  INDArray y();

  @Dense(value = 32, activation = "tanh")
  INDArray h(INDArray x);

  @Dense(10)
  INDArray logits(INDArray h);

  @Loss("softmax_cross_entropy")
  INDArray loss(INDArray logits, INDArray y);
}
