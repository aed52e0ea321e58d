package dev.bpnet.api;

import java.util.Objects;

/**
 * How a run is scored and which parameters it ends with: {@code early_stop} (patience in epochs on
 * the validation figure, 0 for none), {@code keep} and {@code test_every_epoch}. None of them
 * changes a training step, so the generated trainer does not depend on them; the training loop
 * does.
 *
 * <p>The validation figure is the validation accuracy for classification data (a fraction,
 * higher is better) and the validation loss otherwise (lower is better); an epoch improves on the
 * best only when it beats it by more than {@code minDelta} (so with 0, strictly: ties keep the
 * earlier epoch), as Keras's and PyTorch Lightning's {@code min_delta}.
 *
 * @param earlyStop stop once the validation figure has not improved for this many epochs; 0: never
 * @param keep the parameters the run keeps: its last epoch's, or its best validation epoch's
 * @param testEveryEpoch score the test set after every epoch, not only once at the end
 * @param minDelta the margin by which an epoch must beat the best to count as an improvement, in
 *     the figure's units; 0 or more
 */
public record TrainEvaluation(int earlyStop, Keep keep, boolean testEveryEpoch, double minDelta) {
  public static final TrainEvaluation DEFAULTS = new TrainEvaluation(0, Keep.LAST, false);

  public TrainEvaluation {
    Objects.requireNonNull(keep, "keep");
    if (earlyStop < 0) {
      throw new IllegalArgumentException("early_stop must be 0 (none) or a positive number of epochs, got " + earlyStop);
    }
    if (!(minDelta >= 0 && Double.isFinite(minDelta))) {
      throw new IllegalArgumentException("min_delta must be a finite number, 0 or more, got " + minDelta);
    }
  }

  /** Without a margin: an improvement is any strictly better figure. */
  public TrainEvaluation(int earlyStop, Keep keep, boolean testEveryEpoch) {
    this(earlyStop, keep, testEveryEpoch, 0);
  }

  public TrainEvaluation withEarlyStop(int epochs) {
    return new TrainEvaluation(epochs, keep, testEveryEpoch, minDelta);
  }

  public TrainEvaluation withKeep(Keep k) {
    return new TrainEvaluation(earlyStop, k, testEveryEpoch, minDelta);
  }

  public TrainEvaluation withTestEveryEpoch(boolean b) {
    return new TrainEvaluation(earlyStop, keep, b, minDelta);
  }

  public TrainEvaluation withMinDelta(double d) {
    return new TrainEvaluation(earlyStop, keep, testEveryEpoch, d);
  }

  /**
   * Whether a validation figure improves on the best so far: higher (an accuracy) or lower (a
   * loss) by more than {@code minDelta}.
   */
  public boolean improves(double candidate, double best, boolean higherIsBetter) {
    return higherIsBetter ? candidate - best > minDelta : best - candidate > minDelta;
  }

  /** Whether the run follows its best validation epoch (and needs a validation set). */
  public boolean tracksBest() {
    return earlyStop > 0 || keep == Keep.BEST;
  }

  /** The options as a train block writes them, empty when all are the defaults. */
  public String describe() {
    return (earlyStop == 0 ? "" : "  early_stop = " + earlyStop)
        + (minDelta == 0 ? "" : "  min_delta = " + minDelta)
        + (keep == Keep.LAST ? "" : "  keep = " + keep.word())
        + (testEveryEpoch ? "  test_every_epoch = yes" : "");
  }
}
