package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOut;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reinforced backprop (Haiping Huang and Taro Toyoizumi, "Reinforced backpropagation improves
 * test performance of deep networks: a toy-model study"): SGD whose gradient is, per element
 * and with probability 1 - gamma^t, reinforced by the previous one:
 * g_new(t) = g(t) + g_prev, else g(t); theta -= eta(t) * g_new(t).
 *
 * <ul>
 *   <li>t counts updates from the start of training, t = 1 on the first;
 *   <li>gamma = gamma0 * exp(-lambda * epoch), changed by {@link #setEpoch} (epoch 0 at first);
 *   <li>eta(t) = max(etaFloor, eta0 * beta^t), the {@link Schedule.Exponential} schedule, or
 *       any other {@link Schedule} from eta0;
 *   <li>g_prev is g_new(t-1) ({@link Previous#REINFORCED}, accumulating) or g(t-1)
 *       ({@link Previous#RAW}); zero before the first update.
 * </ul>
 *
 * <p>Memory: one array per parameter, g_prev, and no scratch. The Bernoulli mask is never
 * stored: ND4J's dropout op keeps each element of g_prev with probability p and zeroes it
 * otherwise, in place, so g_prev becomes mask * g_prev directly (Adam keeps two arrays).
 *
 * <p>With (gamma0, lambda) = (1, 0) the probability is always 0: no g_prev is allocated, no
 * random numbers are drawn and the update is {@link Sgd}'s with -eta(t), bit for bit.
 * Randomness comes from a native generator seeded at construction: the same seed and inputs
 * give bit-identical runs on one backend.
 */
public final class ReinforcedBackprop implements Optimizer {

  /**
   * Which gradient reinforces the next one: the paper adds "the previous gradient" without saying
   * whether that is the previous raw gradient or the previous reinforced one, so both are offered.
   */
  public enum Previous {
    /** g_prev = g_new(t-1): reinforcements accumulate. */
    REINFORCED,
    /** g_prev = g(t-1): only the last raw gradient is added. */
    RAW
  }

  /** Test hook: sees g_prev of parameter i just before and after the mask zeroes part of it. */
  interface MaskProbe {
    void before(int param, INDArray previous);

    void after(int param, INDArray previous);
  }

  private final double eta0;
  private final Schedule schedule;
  private final double gamma0;
  private final double lambda;
  private final Previous previous;
  private final boolean everReinforces;
  private final Random random;
  private final StateArrays prev = new StateArrays();
  private final SharedScratch scratch = new SharedScratch();
  private double gamma;
  private int epoch;
  private long t;
  MaskProbe probe;

  public ReinforcedBackprop(double eta0, double beta, double etaFloor, double gamma0,
      double lambda, Previous previous, long seed) {
    this(eta0, exponential(beta, etaFloor), gamma0, lambda, previous, seed);
  }

  /** With the learning rate following {@code schedule} from eta0 instead of the paper's decay. */
  public ReinforcedBackprop(double eta0, Schedule schedule, double gamma0, double lambda,
      Previous previous, long seed) {
    require(eta0 > 0 && !Double.isInfinite(eta0), "eta0 must be a positive number", eta0);
    require(gamma0 > 0 && gamma0 <= 1, "gamma0 must be in (0, 1]", gamma0);
    require(lambda >= 0 && !Double.isInfinite(lambda), "lambda must be a number >= 0", lambda);
    if (previous == null) {
      throw new IllegalArgumentException("previous must be REINFORCED or RAW");
    }
    this.eta0 = eta0;
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    this.gamma0 = gamma0;
    this.lambda = lambda;
    this.previous = previous;
    this.everReinforces = gamma0 < 1 || lambda > 0;
    this.gamma = gamma0;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    }
  }

  /**
   * The paper's setting: eta0 = 0.8, beta = 0.999, floor 0.02 (section III) and
   * (gamma0, lambda) = (0.9995, 0.0001) (section IV, "unless otherwise specified"), with the
   * accumulating reading of g_prev.
   */
  public static ReinforcedBackprop paperDefaults(long seed) {
    return new ReinforcedBackprop(0.8, 0.999, 0.02, 0.9995, 1e-4, Previous.REINFORCED, seed);
  }

  /** Sets gamma = gamma0 * exp(-lambda * epoch); the training loop calls it as epoch starts. */
  public void setEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    this.epoch = epoch;
    gamma = gamma0 * Math.exp(-lambda * epoch);
  }

  /** 1 - gamma^t for the t of the next update. */
  public double reinforceProbability() {
    return probability(t + 1);
  }

  /** eta(t) (by default max(etaFloor, eta0 * beta^t)) for the t of the next update. */
  @Override
  public double learningRate() {
    return rate(t + 1);
  }

  /** Updates applied so far (the t of the last one). */
  public long steps() {
    return t;
  }

  public double gamma() {
    return gamma;
  }

  public Previous previous() {
    return previous;
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    t++;
    double eta = rate(t);
    double p = probability(t);
    Level1 blas = Nd4j.getBlasWrapper().level1();
    scratch.prepare(params);
    for (int i = 0; i < params.size(); i++) {
      INDArray theta = params.get(i);
      INDArray g = directions.get(i);
      long n = theta.length();
      if (p == 0) {  // g_new = g: exactly Sgd's update; both readings then remember g
        SharedScratch.addScaled(theta, -eta, g, scratch.view(i));
        if (everReinforces) {
          prev.get(i, theta).assign(g);
        }
        continue;
      }
      INDArray gPrev = prev.get(i, theta);
      if (p < 1) {  // where p = 1 the mask is all ones
        if (probe != null) {
          probe.before(i, gPrev);
        }
        Nd4j.getExecutioner().exec(new DropOut(gPrev, gPrev, p), random);  // mask * g_prev
        if (probe != null) {
          probe.after(i, gPrev);
        }
      }
      blas.axpy(n, 1.0, g, gPrev);  // g_new = g + mask * g_prev
      SharedScratch.addScaled(theta, -eta, gPrev, scratch.view(i));
      if (previous == Previous.RAW) {
        gPrev.assign(g);
      }
    }
    prev.checked(params.size());
  }

  private double rate(long step) {
    return schedule.at(eta0, epoch, step);
  }

  /** The paper's decay max(floor, eta0 * beta^t), with the checks and messages of this optimizer. */
  private static Schedule exponential(double beta, double etaFloor) {
    require(beta > 0 && beta <= 1, "beta must be in (0, 1]", beta);
    require(etaFloor >= 0 && !Double.isInfinite(etaFloor),
        "the learning-rate floor must be a number >= 0", etaFloor);
    return new Schedule.Exponential(beta, etaFloor);
  }

  private double probability(long step) {
    return 1.0 - Math.pow(gamma, step);
  }

  private static void require(boolean ok, String what, double got) {
    if (!ok) {
      throw new IllegalArgumentException("reinforced backprop: " + what + ", got " + got);
    }
  }

  /**
   * {@code previous/i} (g_prev) per parameter, the update count {@code t}, gamma, and the native
   * generator's two state words {@code rng} [root, node]: restoring them continues the same
   * sequence of masks.
   */
  @Override
  public java.util.Map<String, INDArray> state() {
    java.util.Map<String, INDArray> s = new java.util.LinkedHashMap<>();
    s.put("t", StateArrays.scalar(t));
    s.put("gamma", StateArrays.detached(Nd4j.scalar(gamma)));
    s.put("rng", StateArrays.detached(Nd4j.createFromArray(random.rootState(), random.nodeState())));
    prev.exportTo("previous", s);
    return s;
  }

  @Override
  public void restoreState(java.util.Map<String, INDArray> state) {
    java.util.Map<String, INDArray> left = new java.util.LinkedHashMap<>(state);
    t = StateArrays.takeCount(left, "t");
    INDArray g = left.remove("gamma");
    if (g == null || !g.dataType().isFPType() || g.rank() != 0 || !(g.getDouble(0) > 0 && g.getDouble(0) <= 1)) {
      throw new IllegalArgumentException("gamma is " + (g == null ? "missing" : StateArrays.describe(g))
          + ", expected a number in (0, 1]");
    }
    gamma = g.getDouble(0);
    INDArray rng = left.remove("rng");
    if (rng == null || !rng.dataType().isIntType() || rng.rank() != 1 || rng.length() != 2) {
      throw new IllegalArgumentException("rng is " + (rng == null ? "missing" : StateArrays.describe(rng))
          + ", expected the generator's two state words (int64)");
    }
    random.setStates(rng.getLong(0), rng.getLong(1));
    prev.importFrom("previous", left, everReinforces && t > 0);
    StateArrays.requireConsumed("reinforced backprop", left);
  }

  /** The training loop's epoch hook: gamma = gamma0 e^(-lambda epoch). */
  @Override
  public void startEpoch(int epoch) {
    setEpoch(epoch);
  }
}
