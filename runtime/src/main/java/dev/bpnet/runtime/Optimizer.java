package dev.bpnet.runtime;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns update directions into parameter changes, in place. Implementations allocate
 * their state once, on the first call, and nothing per step afterwards.
 */
public interface Optimizer {

  /** Applies one update; {@code params.get(i)} moves along {@code directions.get(i)}. */
  void update(List<INDArray> params, List<INDArray> directions);

  /** The learning rate the next update will use (rules such as difference backprop read it). */
  double learningRate();

  /** Called by training loops before each epoch (0-based); schedules that change per epoch use it. */
  default void startEpoch(int epoch) {
  }
}
