package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SGD with momentum, in the formulation PyTorch uses: v = mu*v + g, then theta -= lr*v, or with
 * Nesterov's look-ahead theta -= lr*(g + mu*v). One velocity per parameter, zero at first, and one
 * shared scratch; nothing is allocated after the first update.
 */
public final class Momentum implements Optimizer {
  private final ScheduledRate rate;
  private final double mu;
  private final boolean nesterov;
  private final StateArrays velocity = new StateArrays();
  private final SharedScratch scratch = new SharedScratch();

  public Momentum(double lr, double momentum, boolean nesterov) {
    this(lr, momentum, nesterov, Schedule.NONE);
  }

  /** With lr following {@code schedule} (the velocity is not rescaled when lr changes, as in PyTorch). */
  public Momentum(double lr, double momentum, boolean nesterov, Schedule schedule) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException(
          "momentum learning rate must be a positive number, got " + lr);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.rate = new ScheduledRate(lr, schedule);
    this.mu = momentum;
    this.nesterov = nesterov;
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    double lr = rate.next();
    Level1 blas = Nd4j.getBlasWrapper().level1();
    scratch.prepare(params);
    for (int i = 0; i < params.size(); i++) {
      INDArray p = params.get(i);
      INDArray g = directions.get(i);
      INDArray v = velocity.get(i, p);
      long n = p.length();
      blas.scal(n, mu, v);
      blas.axpy(n, 1.0, g, v);  // v = mu*v + g
      INDArray s = scratch.view(i);
      if (nesterov) {
        SharedScratch.addScaled(p, -lr, g, s);
        SharedScratch.addScaled(p, -lr * mu, v, s);  // theta -= lr*(g + mu*v)
      } else {
        SharedScratch.addScaled(p, -lr, v, s);
      }
    }
    velocity.checked(params.size());
  }

  /** {@code velocity/i} per parameter, and the update count {@code t} (schedules depend on it). */
  @Override
  public java.util.Map<String, INDArray> state() {
    java.util.Map<String, INDArray> s = new java.util.LinkedHashMap<>();
    rate.exportTo(s);
    velocity.exportTo("velocity", s);
    return s;
  }

  @Override
  public void restoreState(java.util.Map<String, INDArray> state) {
    java.util.Map<String, INDArray> left = new java.util.LinkedHashMap<>(state);
    rate.restoreFrom(left);
    velocity.importFrom("velocity", left, rate.steps() > 0);
    StateArrays.requireConsumed("momentum", left);
  }

  @Override
  public double learningRate() {
    return rate.peek();
  }

  @Override
  public void startEpoch(int epoch) {
    rate.startEpoch(epoch);
  }

  /** Updates applied so far (the step of the last one). */
  public long steps() {
    return rate.steps();
  }
}
