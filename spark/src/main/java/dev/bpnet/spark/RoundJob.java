package dev.bpnet.spark;

import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A round of local SGD (parameter averaging): each task starts from the broadcast parameters and
 * optimizer state, takes one step on its shard of each of the round's global batches with the
 * model's own optimizer, and returns its parameters and state weighted by b/B. A task whose shard
 * of a batch is empty (data on the executors: its partition holds none of that batch's examples)
 * takes that step with a zero direction ({@link #zeroStep}).
 *
 * @param recipeId {@link TrainerRecipe#id()}
 * @param recipe how to make the trainer (broadcast once per run: it holds the class bytes)
 * @param start the parameters and optimizer state at the start of the round
 * @param epoch the 0-based epoch (the trainer's epoch hook: alpha and learning-rate schedules)
 * @param batches B of each of the round's global batches
 * @param noise the driver's dropout-generator words at the round's start (null: no dropout); each
 *     task's trainer draws its steps' masks from {@link ShardNoise#forShard}
 */
record RoundJob(String recipeId, Broadcast<TrainerRecipe> recipe, Broadcast<Start> start, int epoch, int[] batches,
    long[] noise) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Parameters (with a version, as for synchronous steps) and optimizer state as ND4J bytes. */
  record Start(long version, Map<String, Tensor> params, Map<String, byte[]> state) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** One task: shard s of each batch of the round, in order. */
  RoundSums run(int index, List<Shard> shards) {
    Workers.Worker w = Workers.borrow(recipeId, recipe.value());
    try {
      Start st = start.value();
      Trainer t = w.trainer;
      w.optimizer(w.own);
      w.parameters(st.version(), st.params());
      w.touched();  // the local steps below change them
      Map<String, INDArray> state = new LinkedHashMap<>();
      st.state().forEach((k, v) -> state.put(k, Tensor.exact(v)));
      w.own.restoreState(state);
      if (noise != null) {
        t.restoreState(ShardNoise.forShard(noise, index));
      }
      t.startEpoch(epoch);
      double[] loss = new double[shards.size()];
      double[] lx = new double[shards.size()];
      Tensor[] outs = new Tensor[shards.size()];
      for (int i = 0; i < shards.size(); i++) {
        Shard s = shards.get(i);
        if (s.rows() == 0) {
          zeroStep(w, shards);
          continue;  // its loss and l_x add 0, it has no output
        }
        double weight = s.rows() / (double) batches[i];
        StepResult r = t.step(feeds(s, t));
        loss[i] = weight * r.loss();
        lx[i] = weight * r.inputLoss();
        INDArray o = t.lastOutput();
        outs[i] = o == null ? null : Tensor.of(o);
      }
      // every shard holds about B/P examples of each batch; its weight in the average is its share of the round
      double weight = shards.stream().mapToDouble(Shard::rows).sum() / java.util.Arrays.stream(batches).sum();
      Map<String, Tensor> params = new LinkedHashMap<>();
      t.parameters().forEach((k, v) -> params.put(k, Tensor.scaled(v, weight)));
      Map<String, Tensor> floats = new LinkedHashMap<>();
      Map<String, String> types = new LinkedHashMap<>();
      Map<String, byte[]> exact = new LinkedHashMap<>();
      w.own.state().forEach((k, v) -> {
        if (v.dataType().isFPType()) {
          floats.put(k, Tensor.scaled(v, weight));
          types.put(k, v.dataType().name());
        } else {
          exact.put(k, Tensor.exact(v));
        }
      });
      TreeMap<Integer, Tensor[]> out = new TreeMap<>();
      out.put(index, outs);
      return new RoundSums(loss, lx, params, floats, types, exact, out);
    } finally {
      Workers.giveBack(recipeId, w);
    }
  }

  private static Map<String, INDArray> feeds(Shard s, Trainer t) {
    Map<String, INDArray> feeds = new LinkedHashMap<>();
    s.feeds().forEach((k, v) -> feeds.put(k, v.toArray(t.dataType())));
    return feeds;
  }

  /**
   * The step of a task that holds none of a batch's examples (a partition of data on the
   * executors, {@link StreamRound}): the optimizer's update with a zero direction, as for a local
   * loss that is an empty sum. Plain SGD does not move; momentum and Adam coast on their state,
   * and every task of the round counts the same number of updates, so counts still agree when
   * the state is averaged. The update is the trainer's own step (on one example of the task's
   * round: what it updates, in its order, includes following feedback matrices, which a
   * direction does not list) with its optimizer fed zeros ({@link ZeroDirections}); the dropout
   * generator is put back, so the step draws no masks.
   */
  private static void zeroStep(Workers.Worker w, List<Shard> shards) {
    Trainer t = w.trainer;
    Shard any = shards.stream().filter(x -> x.rows() > 0).findFirst()
        .orElseThrow(() -> new IllegalStateException("a task with no examples in its whole round"));
    Map<String, INDArray> one = new LinkedHashMap<>();
    any.feeds().forEach((k, v) -> one.put(k, v.rows(0, 1).toArray(t.dataType())));
    Map<String, INDArray> generator = t.state();
    w.optimizer(new ZeroDirections(w.own));
    try {
      t.step(one);
    } finally {
      w.optimizer(w.own);
    }
    t.restoreState(generator);
  }

  /** An optimizer's update with every direction zero: the update of a step without examples. */
  record ZeroDirections(dev.bpnet.runtime.Optimizer own) implements dev.bpnet.runtime.Optimizer {
    @Override
    public void update(List<INDArray> params, List<INDArray> directions) {
      own.update(params, directions.stream().map(Nd4j::zerosLike).toList());
    }

    @Override
    public double learningRate() {
      return own.learningRate();
    }
  }
}
