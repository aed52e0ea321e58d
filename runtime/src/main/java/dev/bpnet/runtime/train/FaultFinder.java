package dev.bpnet.runtime.train;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Names the pass and parameter of a NaN or infinity, after the fact. Training checks only the two
 * losses per step and the parameters per epoch (a few scalar tests); when one fails, this replays
 * the epoch from the last good state, deterministically, and before each update recomputes the
 * batch's losses and gradients ({@link Trainer#gradients}, which updates nothing) to find the
 * first non-finite value, in pass order. Only failures pay for the replay.
 */
final class FaultFinder {
  private FaultFinder() {}

  /**
   * Replays epoch {@code epoch} (0-based) from {@code good} up to step {@code lastStep} (1-based;
   * or the whole epoch) and returns the first fault, or null if the replay stays finite.
   */
  static NonFiniteException.Fault locate(Trainer trainer, Checkpoint good, Batches batches, int epoch, int lastStep) {
    good.restoreInto(trainer);
    TrainingLoop.beginEpoch(trainer, epoch);
    String input = trainer.inputNames().get(0);
    String label = trainer.labelNames().get(0);
    long step = good.info().step();
    int j = 0;
    for (Batch b : batches.epoch(epoch)) {
      j++;
      step++;
      Map<String, INDArray> feeds = Map.of(input, b.features(), label, b.labels());
      for (Map.Entry<String, INDArray> f : feeds.entrySet()) {
        if (!finite(f.getValue())) {
          return new NonFiniteException.Fault(epoch + 1, j, step, "the batch's data", null,
              "'" + f.getKey() + "' holds NaN or infinity: fix the data set");
        }
      }
      Gradients g = trainer.gradients(feeds);
      if (!Double.isFinite(g.loss())) {
        // before the first update the learning rate has played no part: the model itself gives it
        return new NonFiniteException.Fault(epoch + 1, j, step, "forward pass (loss L)", null, "L = " + g.loss()
            + (step == 1 ? " with the initial parameters and finite data, before any update: the model computes it"
                + " (log or sqrt of a negative, a division by zero, an overflow in exp?)"
                : " with finite parameters and data (an overflow: lower the learning rate?)"));
      }
      if (!g.pass3().isEmpty() && !Double.isFinite(g.inputLoss())) {
        // l_x is computed from g2's input gradient: a NaN there shows up here first; name g2 if so
        NonFiniteException.Fault inG2 = first(g.pass2(), epoch, j, step, "backward pass (g2)");
        return inG2 != null ? inG2 : new NonFiniteException.Fault(epoch + 1, j, step, "third pass (input loss l_x)", null,
            "l_x = " + g.inputLoss());
      }
      NonFiniteException.Fault f = first(g.pass2(), epoch, j, step, "backward pass (g2)");
      f = f != null ? f : first(g.pass3(), epoch, j, step, "third pass (g3)");
      f = f != null ? f : first(g.direction(), epoch, j, step, "update direction (alpha g2 + (1 - alpha) g3)");
      if (f != null) {
        return f;
      }
      trainer.step(feeds);
      f = first(trainer.parameters(), epoch, j, step, "optimizer update");
      if (f != null) {
        return new NonFiniteException.Fault(f.epoch(), j, step, f.pass(), f.parameter(),
            "the gradients were finite but the updated value is not (learning rate too large?)");
      }
      if (j == lastStep) {
        break;
      }
    }
    return null;
  }

  private static NonFiniteException.Fault first(Map<String, INDArray> arrays, int epoch, int j, long step, String pass) {
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      if (!finite(e.getValue())) {
        return new NonFiniteException.Fault(epoch + 1, j, step, pass, e.getKey(), "holds NaN or infinity"
            + (pass.startsWith("backward") ? " while the loss is finite: a derivative is infinite or undefined where"
                + " it is taken (sqrt or log at 0, pow with a negative base, a rule's backward body?)" : ""));
      }
    }
    return null;
  }

  /** Exact: no NaN and no infinity anywhere in {@code a}. */
  static boolean finite(INDArray a) {
    return !BooleanIndexing.or(a, Conditions.isNan()) && !BooleanIndexing.or(a, Conditions.isInfinite());
  }

  /** Cheap, one reduction: a finite sum means finite elements; a non-finite one is checked exactly. */
  static String firstNonFinite(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      if (!Double.isFinite(e.getValue().sumNumber().doubleValue()) && !finite(e.getValue())) {
        return e.getKey();
      }
    }
    return null;
  }
}
