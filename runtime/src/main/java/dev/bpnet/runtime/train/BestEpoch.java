package dev.bpnet.runtime.train;

import dev.bpnet.api.TrainEvaluation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The best validation epoch of a run so far: what early stopping and {@code keep = best} carry
 * from epoch to epoch, and, in the checkpoint, across a resume (so that a resumed run stops at the
 * same epoch and keeps the same parameters as an uninterrupted one). The epochs since it are the
 * epochs without improvement: the patience counter is {@code epoch - best.epoch()}.
 *
 * @param epoch the epoch (1-based) whose parameters these are
 * @param figure its validation figure: accuracy for classification data, loss otherwise
 * @param patience the run's {@code early_stop}: epochs without improvement after which it stops; 0
 *     when it never stops early (keep = best alone)
 * @param parameters detached copies of the parameters after that epoch, by name
 */
public record BestEpoch(int epoch, double figure, int patience, Map<String, INDArray> parameters) {
  public BestEpoch {
    if (epoch < 1 || patience < 0) {
      throw new IllegalArgumentException("the best epoch counts from 1 and patience from 0, got " + epoch + " and " + patience);
    }
    parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(parameters)));
  }

  /** Whether a run that has completed {@code epochs} epochs has run out of patience, and stops. */
  public boolean exhausted(int epochs) {
    return patience > 0 && epochs - epoch >= patience;
  }

  /**
   * The best epoch once {@code epoch} has scored {@code figure}: that epoch, with the parameters
   * {@code parameters} gives (read only then), when there is no best yet or it improves on
   * {@code best} as {@code evaluation} judges ({@link TrainEvaluation#improves}: by more than its
   * min_delta); else {@code best} itself. The one place a run decides what counts as improving.
   */
  public static BestEpoch after(BestEpoch best, int epoch, double figure, boolean higherIsBetter, TrainEvaluation evaluation,
      Supplier<Map<String, INDArray>> parameters) {
    if (best != null && !evaluation.improves(figure, best.figure(), higherIsBetter)) {
      return best;
    }
    return new BestEpoch(epoch, figure, evaluation.earlyStop(), parameters.get());
  }

  /** The same best epoch, followed with another patience. */
  BestEpoch withPatience(int p) {
    return new BestEpoch(epoch, figure, p, parameters);
  }
}
