package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import java.util.Objects;

/**
 * A learning rate following a {@link Schedule} from its base, with the epoch the loop last
 * started and the number of updates so far, for optimizers whose only step-dependent state is
 * the rate itself (SGD, momentum).
 */
final class ScheduledRate {
  private final double base;
  private final Schedule schedule;
  private int epoch;
  private long t;

  ScheduledRate(double base, Schedule schedule) {
    this.base = base;
    this.schedule = Objects.requireNonNull(schedule, "schedule");
  }

  /** Counts one more update and returns its rate. */
  double next() {
    t++;
    return schedule.at(base, epoch, t);
  }

  /** The rate the next update will use. */
  double peek() {
    return schedule.at(base, epoch, t + 1);
  }

  void startEpoch(int epoch) {
    this.epoch = epoch;
  }

  long steps() {
    return t;
  }

  /** Takes the update count {@code t} out of checkpoint state, so that a step-dependent schedule resumes in place. */
  void restoreFrom(java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> state) {
    t = StateArrays.takeCount(state, "t");
  }

  /** The update count as checkpoint state ({@code t}), 0 included: a restore requires it. */
  void exportTo(java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> state) {
    state.put("t", StateArrays.scalar(t));
  }
}
