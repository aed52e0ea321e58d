package dev.bpnet.runtime.train;

/**
 * Training stopped on a failure other than a non-finite value (a bug in a trainer, a data set
 * that fails mid-run). The message says where, what failed (the cause's message) and what the
 * run directory holds: nothing of a fresh run that completed no epoch (so the same {@code --out}
 * starts again), or the checkpoint of the last completed epoch, which {@code --resume} continues
 * once the cause is fixed.
 *
 * @see TrainingLoop
 */
public final class TrainingFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int lastGoodEpoch;

  TrainingFailedException(RuntimeException cause, int epoch, int stepsDone, int lastGoodEpoch, String kept) {
    super("training failed in epoch " + epoch + " after " + stepsDone + " step(s) of it: "
        + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) + "; " + kept, cause);
    this.lastGoodEpoch = lastGoodEpoch;
  }

  /** The epochs completed in the state the run last saved (0 when nothing of a fresh run was kept). */
  public int lastGoodEpoch() {
    return lastGoodEpoch;
  }
}
