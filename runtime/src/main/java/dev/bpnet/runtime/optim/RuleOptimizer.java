package dev.bpnet.runtime.optim;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOut;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every optimizer compiled from a rule in the language shares: the update count t, the
 * epoch, the learning rate (a train block's schedule, else the rule's own), one state array per
 * parameter and state variable, the random masks and their seeded generator, and checkpoints of
 * all of it. The generated subclass supplies the rule: the values it computes once per update
 * ({@link #begin}), state arrays' initial values ({@link #init}) and the element-wise loop over
 * one parameter ({@link #apply}).
 *
 * <p>Checkpoint state: {@code t}, {@code <state>/<i>} per state variable and parameter, and
 * {@code rng} (the generator's two state words) when the rule draws masks.
 */
public abstract class RuleOptimizer implements Optimizer {
  private final String name;
  private final List<String> stateNames;
  private final java.util.Set<String> computed;
  private final Map<String, StateArrays> states = new LinkedHashMap<>();
  private final StateArrays[] masks;
  private final Schedule schedule;
  private final Random random;
  /** One parameter's state arrays and masks while it is updated (reused: an update allocates nothing). */
  private final INDArray[] state;
  private final INDArray[] mask;
  /** Updates so far (t of the last update; the rule reads t = 1 at the first). */
  protected long t;
  /** The epoch the training loop last started, from 0. */
  protected int epoch;

  /**
   * @param name the optimizer's name, for messages
   * @param stateNames the rule's state variables, in declaration order
   * @param masks how many bernoulli masks the rule draws per parameter and update
   * @param schedule the train block's learning-rate schedule, or null for the rule's own rate
   * @param seed the seed of the masks' generator
   * @param computed the names of values the rule computes once per update (reinforced's gamma):
   *     a checkpoint that carries one (older bpnet versions wrote gamma) is restored without it,
   *     since the rule computes it again from t and the epoch
   */
  protected RuleOptimizer(String name, List<String> stateNames, int masks, Schedule schedule, long seed,
      List<String> computed) {
    this.name = name;
    this.computed = java.util.Set.copyOf(computed);
    this.stateNames = List.copyOf(stateNames);
    this.stateNames.forEach(s -> states.put(s, new StateArrays()));
    this.masks = new StateArrays[masks];
    for (int k = 0; k < masks; k++) {
      this.masks[k] = new StateArrays();
    }
    this.schedule = schedule;
    this.state = new INDArray[stateNames.size()];
    this.mask = new INDArray[masks];
    if (masks == 0) {
      this.random = null;
    } else {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
      }
    }
  }

  /** The rule's own learning rate at update {@code step} (its rate = ..., or its lr); NaN when it has none. */
  protected abstract double ownRate(long step);

  /** The rate a schedule starts from: the rule's lr (NaN when it has none). */
  protected abstract double baseRate();

  /** Computes the rule's values that do not depend on an element, once per update, before any parameter. */
  protected abstract void begin(double rate);

  /** The probability of mask {@code k} in this update (computed by {@link #begin}). */
  protected double maskProbability(int k) {
    throw new IllegalStateException(name + " draws no masks");
  }

  /** Sets the state arrays of a parameter to their initial values; they are zero when this is called. */
  protected void init(INDArray theta, INDArray[] state) {
  }

  /** Applies the rule to one parameter, in place: {@code theta} and {@code state} move, {@code g} is read. */
  protected abstract void apply(INDArray theta, INDArray g, INDArray[] state, INDArray[] mask, double rate);

  @Override
  public final void update(List<INDArray> params, List<INDArray> directions) {
    t++;
    double rate = rate(t);
    begin(rate);
    for (int i = 0; i < params.size(); i++) {
      INDArray theta = params.get(i);
      boolean fresh = false;
      for (int s = 0; s < state.length; s++) {
        StateArrays arrays = states.get(stateNames.get(s));
        INDArray before = arrays.at(i);
        state[s] = arrays.get(i, theta);
        fresh |= state[s] != before;
      }
      if (fresh) {
        init(theta, state);
      }
      for (int k = 0; k < mask.length; k++) {
        mask[k] = masks[k].get(i, theta);
        bernoulli(mask[k], maskProbability(k));
      }
      apply(theta, directions.get(i), state, mask, rate);
    }
    states.values().forEach(a -> a.checked(params.size()));
  }

  /**
   * Fills {@code mask} with 1 at probability p, else 0, from the generator. p of 0 or 1 draws
   * nothing, so the generator moves only when a draw matters.
   */
  private void bernoulli(INDArray mask, double p) {
    if (!(p > 0)) {
      mask.assign(0.0);
    } else if (p >= 1) {
      mask.assign(1.0);
    } else {
      mask.assign(1.0);
      Nd4j.getExecutioner().exec(new DropOut(mask, mask, p), random);  // keeps each 1 with probability p
    }
  }

  private double rate(long step) {
    return schedule != null ? schedule.at(baseRate(), epoch, step) : ownRate(step);
  }

  @Override
  public double learningRate() {
    return rate(t + 1);
  }

  @Override
  public void startEpoch(int epoch) {
    this.epoch = epoch;
  }

  /** The update count so far. */
  public long steps() {
    return t;
  }

  @Override
  public Map<String, INDArray> state() {
    Map<String, INDArray> s = new LinkedHashMap<>();
    s.put("t", StateArrays.scalar(t));
    states.forEach((n, a) -> a.exportTo(n, s));
    if (random != null) {
      s.put("rng", StateArrays.detached(Nd4j.createFromArray(random.rootState(), random.nodeState())));
    }
    return s;
  }

  @Override
  public void restoreState(Map<String, INDArray> state) {
    Map<String, INDArray> left = new LinkedHashMap<>(state);
    left.keySet().removeIf(k -> computed.contains(k) && left.get(k).rank() == 0);
    t = StateArrays.takeCount(left, "t");
    states.forEach((n, a) -> a.importFrom(n, left, t > 0));
    if (random != null) {
      INDArray rng = left.remove("rng");
      if (rng == null || !rng.dataType().isIntType() || rng.rank() != 1 || rng.length() != 2) {
        throw new IllegalArgumentException("rng is " + (rng == null ? "missing" : StateArrays.describe(rng))
            + ", expected the generator's two state words (int64)");
      }
      random.setStates(rng.getLong(0), rng.getLong(1));
    }
    StateArrays.requireConsumed(name, left);
  }

  /** Elements a rule's loop copies in and out of the arrays at a time (a chunk fits the L1/L2 caches). */
  public static final int CHUNK = 2048;
  private double[][] doubleChunks;
  private float[][] floatChunks;

  /** {@code count} float64 chunks of {@link #CHUNK} elements, made once. */
  protected double[][] doubleChunks(int count) {
    if (doubleChunks == null) {
      doubleChunks = new double[count][CHUNK];
    }
    return doubleChunks;
  }

  /** {@code count} float32 chunks of {@link #CHUNK} elements, made once. */
  protected float[][] floatChunks(int count) {
    if (floatChunks == null) {
      floatChunks = new float[count][CHUNK];
    }
    return floatChunks;
  }

  /** The elements of a whole, contiguous float64 array, for a rule's loop. */
  protected static DoubleBuffer doubles(INDArray a) {
    return whole(a).data().asNioDouble();
  }

  /** The elements of a whole, contiguous float32 array, for a rule's loop. */
  protected static FloatBuffer floats(INDArray a) {
    return whole(a).data().asNioFloat();
  }

  /**
   * The array itself, when its elements are its whole buffer, in order (trainers' parameters and
   * directions, reshaped or not); a view into a larger buffer would be read from that buffer's
   * first element, so it is refused.
   */
  private static INDArray whole(INDArray a) {
    if (a.offset() != 0 || a.data().length() != a.length() || a.elementWiseStride() != 1) {
      throw new IllegalArgumentException("an optimizer compiled from a rule updates whole, contiguous arrays; got a view of shape "
          + java.util.Arrays.toString(a.shape()));
    }
    return a;
  }
}
