package dev.bpnet.spark;

import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.Trainer;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainers of one executor JVM, made from a {@link TrainerRecipe} on first use and kept for
 * the next jobs. A trainer holds its buffers and is not thread-safe, and an executor runs several
 * tasks at once, so each task borrows a trainer of its own and gives it back.
 */
final class Workers {
  private Workers() {}

  private static final Map<String, ConcurrentLinkedDeque<Worker>> POOL = new ConcurrentHashMap<>();

  /** A trainer of the recipe, free for this task until {@link #giveBack}. */
  static Worker borrow(String id, TrainerRecipe recipe) {
    Worker w = POOL.computeIfAbsent(id, k -> new ConcurrentLinkedDeque<>()).poll();
    return w != null ? w : new Worker(recipe.newTrainer());
  }

  static void giveBack(String id, Worker w) {
    POOL.get(id).push(w);
  }

  /** An executor's trainer and what it was last set to. */
  static final class Worker {
    final Trainer trainer;
    /** The trainer's own optimizer, with the model's settings (local steps use it). */
    final Optimizer own;
    private final Method setOptimizer;
    private long version = -1;
    private int epoch = -1;

    Worker(Trainer trainer) {
      this.trainer = trainer;
      this.own = trainer.optimizer();
      try {
        this.setOptimizer = trainer.getClass().getMethod("setOptimizer", Optimizer.class);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(trainer.getClass().getName() + " is not a generated trainer (no setOptimizer)", e);
      }
    }

    /** Puts the broadcast parameters in, unless this trainer already holds that version. */
    void parameters(long v, Map<String, Tensor> values) {
      if (v == version) {
        return;
      }
      Map<String, INDArray> live = trainer.parameters();
      if (!live.keySet().equals(values.keySet())) {
        throw new IllegalStateException("the driver's parameters " + values.keySet() + " are not this trainer's " + live.keySet());
      }
      values.forEach((k, t) -> live.get(k).assign(t.toArray(trainer.dataType())));
      version = v;
    }

    /** Runs the trainer's epoch hook (an alpha schedule sets alpha there) when the epoch changes. */
    void epoch(int e) {
      if (e != epoch) {
        trainer.startEpoch(e);
        epoch = e;
      }
    }

    /** Installs {@code o} as the trainer's optimizer. */
    void optimizer(Optimizer o) {
      try {
        setOptimizer.invoke(trainer, o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Marks the parameters as changed here, so that the next broadcast is put in. */
    void touched() {
      version = -1;
    }
  }
}
