package dev.bpnet.api;

import java.util.Objects;

/**
 * How a run is scored and which parameters it ends with: {@code early_stop} (patience in epochs on
 * the validation figure, 0 for none), {@code keep} and {@code test_every_epoch}. None of them
 * changes a training step, so the generated trainer does not depend on them; the training loop
 * does.
 *
 * <p>The validation figure is the validation accuracy for classification data (higher is better)
 * and the validation loss otherwise (lower is better); an epoch improves on the best only when
 * strictly better, so ties keep the earlier epoch.
 *
 * @param earlyStop stop once the validation figure has not improved for this many epochs; 0: never
 * @param keep the parameters the run keeps: its last epoch's, or its best validation epoch's
 * @param testEveryEpoch score the test set after every epoch, not only once at the end
 */
public record TrainEvaluation(int earlyStop, Keep keep, boolean testEveryEpoch) {
  public static final TrainEvaluation DEFAULTS = new TrainEvaluation(0, Keep.LAST, false);

  public TrainEvaluation {
    Objects.requireNonNull(keep, "keep");
    if (earlyStop < 0) {
      throw new IllegalArgumentException("early_stop must be 0 (none) or a positive number of epochs, got " + earlyStop);
    }
  }

  public TrainEvaluation withEarlyStop(int epochs) {
    return new TrainEvaluation(epochs, keep, testEveryEpoch);
  }

  public TrainEvaluation withKeep(Keep k) {
    return new TrainEvaluation(earlyStop, k, testEveryEpoch);
  }

  public TrainEvaluation withTestEveryEpoch(boolean b) {
    return new TrainEvaluation(earlyStop, keep, b);
  }

  /** Whether the run follows its best validation epoch (and needs a validation set). */
  public boolean tracksBest() {
    return earlyStop > 0 || keep == Keep.BEST;
  }

  /** The options as a train block writes them, empty when all are the defaults. */
  public String describe() {
    return (earlyStop == 0 ? "" : "  early_stop = " + earlyStop)
        + (keep == Keep.LAST ? "" : "  keep = " + keep.word())
        + (testEveryEpoch ? "  test_every_epoch = yes" : "");
  }
}
