package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba, Algorithm 1) with bias correction and epsilon outside the square root:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; theta -= lr * m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps).
 * ND4J's own adam_updater folds the corrections into epsilon, which changes results at the
 * epsilon scale, so the textbook form is written out. State: two moments per parameter plus one
 * scratch shared by all parameters; nothing is allocated after the first update.
 */
public final class Adam implements Optimizer {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final StateArrays first = new StateArrays();
  private final StateArrays second = new StateArrays();
  private final SharedScratch scratch = new SharedScratch();
  private final Schedule schedule;
  private int epoch;
  private long t;

  /** Adam with the paper's defaults b1 = 0.9, b2 = 0.999, eps = 1e-8. */
  public Adam(double lr) {
    this(lr, 0.9, 0.999, 1e-8);
  }

  public Adam(double lr, double beta1, double beta2, double eps) {
    this(lr, beta1, beta2, eps, Schedule.NONE);
  }

  /** With the step size following {@code schedule} from {@code lr}. */
  public Adam(double lr, double beta1, double beta2, double eps, Schedule schedule) {
    this(lr, beta1, beta2, eps, 0, schedule);
  }

  /**
   * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization") when {@code weightDecay}
   * is positive: each update first shrinks theta by (1 - lr * weightDecay), lr the scheduled step
   * size, as PyTorch's AdamW does, apart from the moments (L2 in the gradient would be divided by
   * sqrt(v) like the rest of it).
   */
  public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, Schedule schedule) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("Adam learning rate must be a positive number, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("Adam epsilon must be a positive number, got " + eps);
    }
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("Adam weight decay must be 0 or a positive number, got " + weightDecay);
    }
    this.weightDecay = weightDecay;
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    t++;
    double correction1 = 1 - Math.pow(beta1, t);
    double correction2 = 1 - Math.pow(beta2, t);
    double lr = schedule.at(this.lr, epoch, t);
    Level1 blas = Nd4j.getBlasWrapper().level1();
    scratch.prepare(params);
    for (int i = 0; i < params.size(); i++) {
      INDArray p = params.get(i);
      INDArray g = directions.get(i);
      INDArray m = first.get(i, p);
      INDArray v = second.get(i, p);
      INDArray s = scratch.view(i);
      long n = p.length();
      if (weightDecay != 0) {
        blas.scal(n, 1 - lr * weightDecay, p);
      }
      blas.scal(n, beta1, m);
      SharedScratch.addScaled(m, 1 - beta1, g, s);
      blas.scal(n, beta2, v);
      Nd4j.exec(new MulOp(g, g, s));
      SharedScratch.addScaled(v, 1 - beta2, s, s);
      v.div(correction2, s);
      Nd4j.exec(new Sqrt(s, s));
      s.addi(eps);
      Nd4j.exec(new DivOp(m, s, s));  // s = m / (sqrt(v_hat) + eps)
      SharedScratch.addScaled(p, -lr / correction1, s, s);
    }
    first.checked(params.size());
    second.checked(params.size());
  }

  /** {@code m/i} and {@code v/i} per parameter, and the update count {@code t}. */
  @Override
  public java.util.Map<String, INDArray> state() {
    java.util.Map<String, INDArray> s = new java.util.LinkedHashMap<>();
    s.put("t", StateArrays.scalar(t));
    first.exportTo("m", s);
    second.exportTo("v", s);
    return s;
  }

  @Override
  public void restoreState(java.util.Map<String, INDArray> state) {
    java.util.Map<String, INDArray> left = new java.util.LinkedHashMap<>(state);
    t = StateArrays.takeCount(left, "t");
    first.importFrom("m", left, t > 0);
    second.importFrom("v", left, t > 0);
    StateArrays.requireConsumed("adam", left);
    if (first.size() != second.size()) {
      throw new IllegalArgumentException("adam: " + first.size() + " first moments m/i but " + second.size()
          + " second moments v/i");
    }
  }

  /** The step size lr of the next update (the bias corrections scale it per step). */
  @Override
  public double learningRate() {
    return schedule.at(lr, epoch, t + 1);
  }

  @Override
  public void startEpoch(int epoch) {
    this.epoch = epoch;
  }
}
