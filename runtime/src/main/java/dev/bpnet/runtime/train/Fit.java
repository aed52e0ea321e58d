package dev.bpnet.runtime.train;

import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The basic training loop: epochs of shuffled mini-batches through {@link Trainer#step}. The
 * data set's features feed the model's first input and its labels the first label.
 */
public final class Fit {
  private Fit() {}

  /** Mean loss and mean input loss l_x (NaN for two-pass trainers) of one epoch. */
  public record EpochStats(int epoch, double loss, double inputLoss, int steps) {}

  public static List<EpochStats> run(Trainer trainer, Batches batches, int epochs,
      Consumer<EpochStats> listener) {
    String input = trainer.inputNames().get(0);
    String label = trainer.labelNames().get(0);
    List<EpochStats> all = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      double loss = 0;
      double lx = 0;
      int n = 0;
      trainer.optimizer().startEpoch(e);
      for (Batch b : batches.epoch(e)) {
        StepResult r = trainer.step(Map.of(input, b.features(), label, b.labels()));
        loss += r.loss();
        lx += r.inputLoss();
        n++;
      }
      EpochStats s = new EpochStats(e, loss / n, lx / n, n);
      all.add(s);
      listener.accept(s);
    }
    return all;
  }
}
