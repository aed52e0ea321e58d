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
 * model's own optimizer, and returns its parameters and state weighted by b/B.
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
        double weight = s.rows() / (double) batches[i];
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        s.feeds().forEach((k, v) -> feeds.put(k, v.toArray(t.dataType())));
        StepResult r = t.step(feeds);
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
}
