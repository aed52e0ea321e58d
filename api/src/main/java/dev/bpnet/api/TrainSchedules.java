package dev.bpnet.api;

import java.util.Objects;

/**
 * A train block's schedules: the learning rate's ({@code schedule}, {@link Schedule#NONE} for
 * the optimizer's own), alpha's ({@code alpha_schedule}) and whether the learning rate is
 * eta/alpha ({@code lr_over_alpha}; Weiming Xiong and Ruoyu Yang, "Reverse back propagation to
 * make full use of derivative", section 6.3).
 */
public record TrainSchedules(Schedule lr, Schedule alpha, boolean lrOverAlpha) {
  public static final TrainSchedules NONE = new TrainSchedules(Schedule.NONE, Schedule.NONE, false);

  public TrainSchedules {
    Objects.requireNonNull(lr, "lr");
    Objects.requireNonNull(alpha, "alpha");
  }

  public TrainSchedules withLr(Schedule s) {
    return new TrainSchedules(s, alpha, lrOverAlpha);
  }

  public TrainSchedules withAlpha(Schedule s) {
    return new TrainSchedules(lr, s, lrOverAlpha);
  }

  public TrainSchedules withLrOverAlpha(boolean b) {
    return new TrainSchedules(lr, alpha, b);
  }

  /**
   * The schedule the optimizer's learning rate follows, or null when it is the optimizer's own
   * (then generated code and dumps stay as they were before schedules existed).
   */
  public Schedule learningRate(TrainSpec t) {
    Schedule own = t.optimizer().ownSchedule();
    Schedule base = lr.equals(Schedule.NONE) ? own : lr;
    Schedule s = lrOverAlpha && t.passes() == 3 ? new Schedule.OverAlpha(base, t.alpha(), alpha) : base;
    return s.equals(own) ? null : s;
  }

  /** The options as a train block writes them, empty when none is set. */
  public String describe() {
    return (lr.equals(Schedule.NONE) ? "" : "  schedule = " + lr.describe())
        + (alpha.equals(Schedule.NONE) ? "" : "  alpha_schedule = " + alpha.describe())
        + (lrOverAlpha ? "  lr_over_alpha = true" : "");
  }
}
