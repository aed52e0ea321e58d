package dev.bpnet.runtime.train;

/**
 * Training met a NaN or an infinity and stopped. The message names where: the epoch and step, the
 * pass (forward loss, third-pass input loss l_x, backward g2, third pass g3, the optimizer's
 * update, or the batch's data) and the parameter. The trainer is left at the last good state.
 *
 * @see TrainingLoop
 */
public final class NonFiniteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Where it happened; {@code parameter} is null for a loss or for the data. */
  public record Fault(int epoch, int stepInEpoch, long step, String pass, String parameter, String detail) {
    String describe() {
      return "epoch " + epoch + ", step " + stepInEpoch + " (update " + step + " of the run): " + pass
          + (parameter == null ? "" : ", parameter " + parameter) + " — " + detail;
    }
  }

  private final transient Fault fault;
  private final int lastGoodEpoch;

  NonFiniteException(Fault fault, int lastGoodEpoch, String where) {
    super("non-finite value at " + fault.describe() + "; stopped, "
        + (where == null ? "the trainer holds the state after epoch " + lastGoodEpoch
            : "the last good checkpoint (" + (lastGoodEpoch == 0 ? "the initial state" : "after epoch " + lastGoodEpoch)
                + ") is " + where));
    this.fault = fault;
    this.lastGoodEpoch = lastGoodEpoch;
  }

  public Fault fault() {
    return fault;
  }

  /** The epochs completed in the state the trainer (and the checkpoint) were left at. */
  public int lastGoodEpoch() {
    return lastGoodEpoch;
  }
}
