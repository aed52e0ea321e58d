package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain stochastic gradient descent: theta -= lr(epoch, t) * direction, product and sum rounded
 * apart ({@link SharedScratch#addScaled}; no
 * allocation); lr follows a {@link Schedule} from the base rate (constant unless given).
 */
public final class Sgd implements Optimizer {
  private final ScheduledRate rate;
  private final SharedScratch scratch = new SharedScratch();

  public Sgd(double lr) {
    this(lr, Schedule.NONE);
  }

  public Sgd(double lr, Schedule schedule) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("SGD learning rate must be a positive number, got " + lr);
    }
    this.rate = new ScheduledRate(lr, schedule);
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    double lr = rate.next();
    scratch.prepare(params);
    for (int i = 0; i < params.size(); i++) {
      SharedScratch.addScaled(params.get(i), -lr, directions.get(i), scratch.view(i));
    }
  }

  @Override
  public double learningRate() {
    return rate.peek();
  }

  @Override
  public void startEpoch(int epoch) {
    rate.startEpoch(epoch);
  }

  /** The update count {@code t}, which step-dependent schedules read; nothing else. */
  @Override
  public java.util.Map<String, INDArray> state() {
    java.util.Map<String, INDArray> s = new java.util.LinkedHashMap<>();
    rate.exportTo(s);
    return s;
  }

  @Override
  public void restoreState(java.util.Map<String, INDArray> state) {
    java.util.Map<String, INDArray> left = new java.util.LinkedHashMap<>(state);
    rate.restoreFrom(left);
    StateArrays.requireConsumed("sgd", left);
  }

  /** Updates applied so far (the step of the last one). */
  public long steps() {
    return rate.steps();
  }
}
