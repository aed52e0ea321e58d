package dev.bpnet.runtime;

import java.util.List;
import java.util.Map;
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

  /** Called through {@link Trainer#startEpoch} before each epoch (0-based); learning-rate schedules use it. */
  default void startEpoch(int epoch) {
  }

  /**
   * The state a resumed run needs to continue bit for bit, as named detached copies: per-parameter
   * arrays keyed {@code <what>/<i>} (i counts the parameters the optimizer updates, in declaration
   * order) and scalars as 0-d arrays (step counts, random-generator states as int64). Complete:
   * an update count is recorded from 0, so that a restore can require it; per-parameter arrays
   * exist once the optimizer has updated. Empty for a stateless optimizer.
   */
  default Map<String, INDArray> state() {
    return Map.of();
  }

  /**
   * Restores what {@link #state()} returned from an optimizer of the same kind and settings, before
   * the next update. The default accepts only an empty state.
   *
   * @throws IllegalArgumentException if the state has entries this optimizer does not know, or
   *     lacks or damages one it needs (naming it)
   */
  default void restoreState(Map<String, INDArray> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, got " + state.keySet());
    }
  }
}
