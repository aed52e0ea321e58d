package dev.bpnet.spark;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What each task of a synchronous step needs besides its shard; shipped with the task.
 *
 * @param recipeId {@link TrainerRecipe#id()}, computed once on the driver
 * @param recipe how to make the trainer (broadcast once per run: it holds the class bytes)
 * @param params the parameters to compute at (every parameter: updated feedback matrices too)
 * @param epoch the 0-based epoch, for the trainer's epoch hook (alpha schedules)
 * @param learningRate the driver optimizer's rate for this step (rules read it)
 * @param batch B, the global batch's examples
 * @param perPass whether to return g2 and g3 too ({@link dev.bpnet.runtime.Trainer#gradients}); a step
 *     needs only the direction, a third of the bytes
 * @param training whether this is a training step's computation ({@link Trainer#trainingGradients}:
 *     dropout masks drawn, batch statistics) rather than an evaluation ({@link Trainer#gradients})
 * @param noise the driver's dropout-generator words at this step (null: the model has no dropout);
 *     each shard draws its masks from {@link ShardNoise#forShard}
 * @param failPartition a test hook: the first attempt of this shard's task fails (-1: none)
 */
record StepJob(String recipeId, Broadcast<TrainerRecipe> recipe, Broadcast<Parameters> params, int epoch, double learningRate,
    int batch, boolean perPass, boolean training, long[] noise, int failPartition) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Tasks the test hook failed in this JVM (in local mode, the tests' own). */
  static final java.util.concurrent.atomic.AtomicInteger HOOK_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

  /** The parameters of one step, with a version number that spares executors an unchanged copy. */
  record Parameters(long version, Map<String, Tensor> values) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Runs on an executor: the shard's losses, gradients and output, weighted by b/B. */
  ShardSums run(Shard s) {
    TaskContext tc = TaskContext.get();
    if (s.index() == failPartition && tc != null && tc.attemptNumber() == 0) {
      HOOK_FAILURES.incrementAndGet();
      throw new IllegalStateException("test hook: the first attempt of shard " + s.index() + " fails");
    }
    Workers.Worker w = Workers.borrow(recipeId, recipe.value());
    try {
      Parameters p = params.value();
      w.parameters(p.version(), p.values());
      w.epoch(epoch);
      double weight = s.rows() / (double) batch;
      w.optimizer(new RateOnly(learningRate * weight));
      Trainer t = w.trainer;
      Map<String, INDArray> feeds = new LinkedHashMap<>();
      s.feeds().forEach((k, v) -> feeds.put(k, v.toArray(t.dataType())));
      Gradients g;
      if (training) {
        if (noise != null) {
          t.restoreState(ShardNoise.forShard(noise, s.index()));
        }
        g = t.trainingGradients(feeds);
      } else {
        g = t.gradients(feeds);
      }
      TreeMap<Integer, Tensor> out = new TreeMap<>();
      INDArray o = t.lastOutput();
      if (o != null) {
        out.put(s.index(), Tensor.of(o));
      }
      return new ShardSums(g.loss() * weight, g.inputLoss() * weight, perPass ? scaled(g.pass2(), weight) : Map.of(),
          perPass ? scaled(g.pass3(), weight) : Map.of(), scaled(g.direction(), weight), out);
    } finally {
      w.optimizer(w.own);
      Workers.giveBack(recipeId, w);
    }
  }

  /** Runs on an executor: the model's output for the shard's inputs (its labels unused). */
  Tensor predict(Shard s) {
    Workers.Worker w = Workers.borrow(recipeId, recipe.value());
    try {
      Parameters p = params.value();
      w.parameters(p.version(), p.values());
      w.epoch(epoch);
      Trainer t = w.trainer;
      Map<String, INDArray> inputs = new LinkedHashMap<>();
      for (String n : t.inputNames()) {
        inputs.put(n, s.feeds().get(n).toArray(t.dataType()));
      }
      return Tensor.of(t.predict(inputs));
    } finally {
      Workers.giveBack(recipeId, w);
    }
  }

  private static Map<String, Tensor> scaled(Map<String, INDArray> m, double w) {
    Map<String, Tensor> r = new LinkedHashMap<>();
    m.forEach((k, v) -> r.put(k, Tensor.scaled(v, w)));
    return r;
  }
}
