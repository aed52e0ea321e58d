package dev.bpnet.spark;

import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an executor's trainer sees of the optimizer in a synchronous step: only a learning rate,
 * for rules that read it (difference backprop's target a - lr * da). The driver's optimizer
 * updates; executors only compute gradients. The rate is the driver's times b/B: a shard's da
 * carries 1/b where the global batch's carries 1/B, so lr * da is the global step's value.
 */
record RateOnly(double learningRate) implements Optimizer {
  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    throw new IllegalStateException("executors compute gradients; the driver's optimizer updates");
  }
}
