package dev.bpnet.runtime.train;

import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import java.util.List;
import java.util.function.Consumer;

/**
 * The short form of {@link TrainingLoop} for embedded use: epochs of shuffled mini-batches, no
 * files, no validation. The data set's features feed the model's first input and its labels
 * the first label.
 */
public final class Fit {
  private Fit() {}

  /** Mean loss and mean input loss l_x (NaN for two-pass trainers) of one epoch (0-based). */
  public record EpochStats(int epoch, double loss, double inputLoss, int steps) {}

  /**
   * Trains for {@code epochs} and reports each one.
   *
   * @throws NonFiniteException if a loss, gradient or parameter becomes NaN or infinite
   */
  public static List<EpochStats> run(Trainer trainer, Batches batches, int epochs,
      Consumer<EpochStats> listener) {
    int perEpoch = batches.batchesPerEpoch();
    return new TrainingLoop(trainer, batches).epochs(epochs).run(m -> listener.accept(stats(m, perEpoch)))
        .stream().map(m -> stats(m, perEpoch)).toList();
  }

  private static EpochStats stats(EpochMetrics m, int perEpoch) {
    return new EpochStats(m.epoch() - 1, m.trainLoss(), m.trainInputLoss(), perEpoch);
  }
}
