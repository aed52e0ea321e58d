package dev.bpnet.runtime;

import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOut;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A generated trainer's dropout masks' generator: ND4J's native generator, seeded from the
 * model's seed (mixed with a constant, so the masks do not repeat the optimizer's generator,
 * which the same seed starts), its two state words checkpointed as {@code rng} of the
 * trainer's {@link Trainer#state()}. Drawing a mask allocates no array.
 */
public final class Noise {
  /** Mixed into the seed: the masks' stream is not the optimizer's (RuleOptimizer seeds its own with the seed). */
  private static final long STREAM = 0x2545F4914F6CDD1DL;
  private final Random random;

  public Noise(long seed) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed ^ STREAM);
    }
  }

  /**
   * Fills {@code mask} for inverted dropout: per element 0 with probability {@code p}, else
   * 1/(1 - p) (rounded once to the mask's type). p = 0 draws nothing.
   */
  public void dropout(INDArray mask, double p) {
    mask.assign(1.0 / (1.0 - p));
    if (p > 0) {
      Nd4j.getExecutioner().exec(new DropOut(mask, mask, 1.0 - p), random);  // keeps each element with probability 1 - p
    }
  }

  /** The generator's two state words, as a detached int64 vector. */
  public INDArray state() {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.createFromArray(random.rootState(), random.nodeState());
    }
  }

  /** Sets the generator to {@link #state()}'s words. */
  public void restore(INDArray words) {
    if (words == null || !words.dataType().isIntType() || words.rank() != 1 || words.length() != 2) {
      throw new IllegalArgumentException("rng is " + (words == null ? "missing" : words.dataType() + " "
          + java.util.Arrays.toString(words.shape())) + ", expected the dropout generator's two state words (int64)");
    }
    random.setStates(words.getLong(0), words.getLong(1));
  }

  /**
   * A trainer's {@link Trainer#restoreState}: takes {@code rng} from {@code state}, which must
   * hold nothing else.
   */
  public void restoreFrom(String model, Map<String, INDArray> state) {
    Map<String, INDArray> left = new java.util.LinkedHashMap<>(state);
    restore(left.remove("rng"));
    if (!left.isEmpty()) {
      throw new IllegalArgumentException(model + " keeps no state " + left.keySet());
    }
  }
}
