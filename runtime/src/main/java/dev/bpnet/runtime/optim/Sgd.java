package dev.bpnet.runtime.optim;

import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain stochastic gradient descent: theta -= lr(epoch, t) * direction, with BLAS axpy (no
 * allocation); lr follows a {@link Schedule} from the base rate (constant unless given).
 */
public final class Sgd implements Optimizer {
  private final double lr;
  private final Schedule schedule;
  private int epoch;
  private long t;

  public Sgd(double lr) {
    this(lr, Schedule.NONE);
  }

  public Sgd(double lr, Schedule schedule) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("SGD learning rate must be a positive number, got " + lr);
    }
    this.lr = lr;
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    t++;
    double rate = schedule.at(lr, epoch, t);
    for (int i = 0; i < params.size(); i++) {
      INDArray p = params.get(i);
      Nd4j.getBlasWrapper().level1().axpy(p.length(), -rate, directions.get(i), p);
    }
  }

  @Override
  public double learningRate() {
    return schedule.at(lr, epoch, t + 1);
  }

  @Override
  public void startEpoch(int epoch) {
    this.epoch = epoch;
  }

  /** Updates applied so far (the step of the last one). */
  public long steps() {
    return t;
  }
}
