package dev.bpnet.spark;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainer whose steps run on Spark: synchronous data-parallel SGD. Each {@link #step} splits the
 * global batch into consecutive shards, one task each; every task computes its shard's L, l_x,
 * g2, g3 and direction on an executor's copy of the trainer at the broadcast parameters; tree
 * aggregation sums them weighted by b/B ({@link ShardSums}) in a fixed order ({@link BlockSum}); the
 * driver's optimizer updates the driver's trainer, whose parameters the next step broadcasts. The
 * result is the single-machine step on the same global batch, up to the order of floating-point
 * sums, and the same from run to run whatever order tasks finish in.
 *
 * <p>Everything else (parameters, optimizer, predict, the epoch hook) is the driver's trainer, so
 * {@link dev.bpnet.runtime.train.TrainingLoop}, checkpoints and resumption work unchanged.
 * Executors' trainers follow the driver's: the same recipe (seed, hence the same fixed feedback
 * matrices), every parameter broadcast each step (updated feedback matrices included), the
 * epoch for alpha schedules, and the learning rate for rules that read it.
 */
public final class SparkTrainer implements Trainer {
  private final JavaSparkContext sc;
  private final Broadcast<TrainerRecipe> recipe;
  private final String recipeId;
  private final Trainer local;
  private final int partitions;
  /** Broadcast versions, unique in this driver JVM: executors keep trainers of several SparkTrainers of one recipe. */
  private static final java.util.concurrent.atomic.AtomicLong VERSIONS = new java.util.concurrent.atomic.AtomicLong();
  private int epoch;
  private INDArray lastOutput;
  private int failPartition = -1;
  private long bytesSent;
  private long bytesReceived;
  /** Local SGD: steps per round (0: synchronous steps), the loop's batches, and the round's results not yet handed out. */
  private int average;
  private Batches batches;
  private java.util.Iterator<Batch> ahead;
  private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
  /** Training data on the executors, or null: feeds carry the examples. */
  private StreamedData data;

  /** A step of a round of local SGD, computed, waiting for the loop to ask for it. */
  private record Pending(INDArray features, StepResult result, INDArray output) {}

  /**
   * @param sc the Spark context (the caller's to stop)
   * @param recipe the trainer the executors make; {@code local} must be one of them
   * @param local the driver's trainer: its parameters and optimizer are the run's
   * @param partitions shards per global batch (at most B: a shard has at least one example)
   */
  public SparkTrainer(JavaSparkContext sc, TrainerRecipe recipe, Trainer local, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    refuseBatchStatistics(recipe);
    this.sc = sc;
    this.recipe = sc.broadcast(recipe);
    this.recipeId = recipe.id();
    this.local = local;
    this.partitions = partitions;
  }

  /**
   * Refuses a model that normalises with batch statistics ({@code batch_norm}). A shard's training
   * step would normalise with the shard's statistics, and the sum of the shards' gradients would
   * not be the gradient of the global batch's loss: a different algorithm (ghost batch
   * normalisation), whose result would depend on the number of partitions. Synchronised batch
   * statistics need the shards' sums of each batch_norm layer before that layer's forward and
   * backward computation can go on: with a Spark job per exchange, several jobs per layer per
   * step. Refused before any job runs, so that no run silently trains something else.
   *
   * @throws IllegalArgumentException naming where the model uses batch statistics
   */
  static void refuseBatchStatistics(TrainerRecipe recipe) {
    if (!recipe.batchStatistics().isEmpty()) {
      throw new IllegalArgumentException("the model normalises with batch statistics (" + String.join(", ",
          recipe.batchStatistics()) + "): on Spark each shard would use its own examples' mean and variance, and a"
          + " step would not be the single-machine step on the batch; train models with batch_norm without --spark");
    }
  }

  /**
   * Trains on {@code d}, whose examples stay on the executors: the feeds' input (of {@link #step},
   * {@link #gradients}, {@link #trainingGradients} and {@link #predict}) then holds example
   * indices into {@code d} (a column [B, 1], as {@link StreamedData#indexed()} holds them), and
   * each of {@code d}'s partitions computes on the batch's examples it holds, weighted by their
   * share of the batch: the same global batch, so the same step as on one machine (up to the order
   * of sums). One task per partition; {@code partitions} is not used.
   */
  public SparkTrainer streaming(StreamedData d) {
    this.data = java.util.Objects.requireNonNull(d);
    return this;
  }

  /**
   * Switches to local SGD (parameter averaging): every executor takes {@code k} steps with the
   * model's own optimizer on its shard of each of the next k global batches, starting from the
   * same parameters and optimizer state, and then parameters and floating-point optimizer state
   * are averaged (weighted by examples; counts and generator states agree and are kept). One
   * Spark job per k steps instead of one per step; with k = 1 and plain SGD it is the
   * synchronous step. A round never crosses an epoch. The rounds read the loop's batches ahead,
   * from {@code batches} (the loop's own: epoch e's order is a function of the seed and e), and
   * {@link #step} checks that it is handed the batch it computed; the driver's parameters move
   * once per round. On data on the executors ({@link #streaming}) a task per partition steps on
   * the examples of each batch its partition holds ({@link StreamRound}), weighted in the average
   * by its share of the round's examples.
   */
  public SparkTrainer averaging(Batches loopBatches, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("steps per round must be >= 1, got " + k);
    }
    this.batches = java.util.Objects.requireNonNull(loopBatches);
    this.average = k;
    return this;
  }

  /** A test hook: the first attempt of shard {@code p}'s task fails in every step from now on (-1: none). */
  void failFirstAttempt(int p) {
    this.failPartition = p;
  }

  /**
   * Bytes of arrays sent to executors (parameters, and optimizer state in rounds, once per shard's
   * task; the shards) and received from them (each shard's sums), since the start; Spark's own
   * framing and compression aside.
   */
  public long bytesSent() {
    return bytesSent;
  }

  public long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public StepResult step(Map<String, INDArray> feeds) {
    if (average > 0) {
      return averagedStep(feeds);
    }
    ShardSums s = run(feeds, false, true);
    List<String> names = new ArrayList<>(s.direction().keySet());
    Map<String, INDArray> live = local.parameters();
    List<INDArray> params = new ArrayList<>(names.size());
    List<INDArray> directions = new ArrayList<>(names.size());
    for (String n : names) {
      params.add(live.get(n));
      directions.add(s.direction().get(n).toArray(local.dataType()));
    }
    local.optimizer().update(params, directions);
    return new StepResult(s.loss(), s.inputLoss());
  }

  @Override
  public Gradients gradients(Map<String, INDArray> feeds) {
    ShardSums s = run(feeds, true, false);
    return new Gradients(s.loss(), s.inputLoss(), arrays(s.pass2()), arrays(s.pass3()), arrays(s.direction()));
  }

  /** As a step computes them (each shard's dropout masks drawn, see {@link ShardNoise}), without the update. */
  @Override
  public Gradients trainingGradients(Map<String, INDArray> feeds) {
    ShardSums s = run(feeds, true, true);
    return new Gradients(s.loss(), s.inputLoss(), arrays(s.pass2()), arrays(s.pass3()), arrays(s.direction()));
  }

  /** The driver's trainer's state: the dropout masks' generator, which the shards' masks are derived from. */
  @Override
  public Map<String, INDArray> state() {
    return local.state();
  }

  @Override
  public void restoreState(Map<String, INDArray> state) {
    local.restoreState(state);
  }

  /** The driver's dropout-generator words for this step's shards (null without dropout); moves them on. */
  private long[] noise() {
    Map<String, INDArray> state = local.state();
    long[] words = ShardNoise.words(state);
    if (words != null) {
      local.restoreState(ShardNoise.next(state, words));
    }
    return words;
  }

  private Map<String, INDArray> arrays(Map<String, Tensor> m) {
    Map<String, INDArray> r = new LinkedHashMap<>();
    m.forEach((k, v) -> r.put(k, v.toArray(local.dataType())));
    return r;
  }

  /**
   * One Spark job: the shards' weighted sums, tree-aggregated (g2 and g3 too if {@code perPass}),
   * of a training step's computation if {@code training}, else of an evaluation; sets {@link #lastOutput}.
   */
  private ShardSums run(Map<String, INDArray> feeds, boolean perPass, boolean training) {
    if (data != null) {
      return streamed(feeds, perPass, training);
    }
    List<Shard> shards = split(feeds);
    int b = shards.stream().mapToInt(Shard::rows).sum();
    Map<String, Tensor> values = new LinkedHashMap<>();
    local.parameters().forEach((k, v) -> values.put(k, Tensor.of(v)));
    long[] noise = training ? noise() : null;
    Broadcast<StepJob.Parameters> bc = sc.broadcast(new StepJob.Parameters(VERSIONS.incrementAndGet(), values));
    try {
      StepJob job = new StepJob(recipeId, recipe, bc, epoch, local.optimizer().learningRate(), b, perPass, training,
          noise, failPartition);
      int n = shards.size();
      ShardSums s = sc.parallelize(shards, n).map(x -> BlockSum.leaf(n, x.index(), job.run(x)))
          .treeReduce(BlockSum::plus).total();
      bytesSent += values.values().stream().mapToLong(Tensor::bytes).sum() * shards.size()
          + shards.stream().mapToLong(x -> x.feeds().values().stream().mapToLong(Tensor::bytes).sum()).sum();
      bytesReceived += s.bytesPerShard() * n + s.outputBytes();
      lastOutput = s.outputs().isEmpty() ? null
          : Nd4j.concat(0, s.outputs().values().stream().map(t -> t.toArray(local.dataType())).toArray(INDArray[]::new));
      return s;
    } finally {
      bc.destroy();
    }
  }

  /** Where the batch's examples are: per partition of {@link #data}, the block rows and the batch positions. */
  private record Picks(int[][] rows, int[][] positions) {}

  private Picks picks(Map<String, INDArray> feeds) {
    INDArray index = feeds.get(local.inputNames().get(0));
    if (index == null || index.rank() != 2 || index.columns() != 1) {
      throw new IllegalArgumentException("streamed data: the input '" + local.inputNames().get(0) + "' must hold"
          + " example indices [B, 1], got " + (index == null ? "none" : java.util.Arrays.toString(index.shape())));
    }
    long[] starts = data.starts();
    int p = data.partitions();
    int b = index.rows();
    int[] count = new int[p];
    int[] at = new int[b];
    long[] row = new long[b];
    double[] ix = index.castTo(DataType.DOUBLE).data().asDouble();
    for (int i = 0; i < b; i++) {
      double v = ix[i];
      if (!(v >= 0 && v < starts[p] && v == Math.rint(v))) {
        throw new IllegalArgumentException("streamed data: example index " + v + " at row " + i + " is not one of the "
            + starts[p] + " examples");
      }
      int k = java.util.Arrays.binarySearch(starts, (long) v);
      k = k >= 0 ? k : -k - 2;
      while (starts[k + 1] == (long) v) {  // empty partitions start where the next does
        k++;
      }
      at[i] = k;
      row[i] = (long) v - starts[k];
      count[k]++;
    }
    int[][] rows = new int[p][];
    int[][] positions = new int[p][];
    for (int k = 0; k < p; k++) {
      rows[k] = new int[count[k]];
      positions[k] = new int[count[k]];
    }
    int[] fill = new int[p];
    for (int i = 0; i < b; i++) {
      rows[at[i]][fill[at[i]]] = (int) row[i];
      positions[at[i]][fill[at[i]]++] = i;
    }
    return new Picks(rows, positions);
  }

  /** The partitions' outputs put back in the batch's order. */
  private INDArray inBatchOrder(Picks picks, java.util.SortedMap<Integer, Tensor> outputs, int b) {
    if (outputs.isEmpty()) {
      return null;
    }
    INDArray all = Nd4j.concat(0, outputs.values().stream().map(t -> t.toArray(local.dataType())).toArray(INDArray[]::new));
    int[] from = new int[b];
    int r = 0;
    for (int k : outputs.keySet()) {
      for (int pos : picks.positions()[k]) {
        from[pos] = r++;
      }
    }
    return Nd4j.pullRows(all, 1, from, 'c');
  }

  /** {@link #run} on {@link #data}: a task per partition, each on the batch's examples it holds. */
  private ShardSums streamed(Map<String, INDArray> feeds, boolean perPass, boolean training) {
    Picks picks = picks(feeds);
    int b = feeds.get(local.inputNames().get(0)).rows();
    Map<String, Tensor> values = new LinkedHashMap<>();
    local.parameters().forEach((k, v) -> values.put(k, Tensor.of(v)));
    long[] noise = training ? noise() : null;
    Broadcast<StepJob.Parameters> bc = sc.broadcast(new StepJob.Parameters(VERSIONS.incrementAndGet(), values));
    try {
      StreamJob job = new StreamJob(new StepJob(recipeId, recipe, bc, epoch, local.optimizer().learningRate(), b,
          perPass, training, noise, failPartition), local.inputNames().get(0), local.labelNames().get(0), picks.rows());
      int n = data.partitions();
      ShardSums s = data.blocks().map(x -> BlockSum.leaf(n, x.partition(), job.run(x))).treeReduce(BlockSum::plus)
          .total();
      long holding = java.util.Arrays.stream(picks.rows()).filter(r -> r.length > 0).count();
      bytesSent += values.values().stream().mapToLong(Tensor::bytes).sum() * n + 4L * b;
      bytesReceived += s.bytesPerShard() * holding + s.outputBytes();
      lastOutput = inBatchOrder(picks, s.outputs(), b);
      return s;
    } finally {
      bc.destroy();
    }
  }

  private StepResult averagedStep(Map<String, INDArray> feeds) {
    if (pending.isEmpty()) {
      round();
    }
    Pending p = pending.poll();
    if (!p.features().equals(feeds.get(local.inputNames().get(0)))) {
      throw new IllegalStateException("local SGD reads the training loop's batches ahead, but this step was handed"
          + " another batch than the one it computed: give averaging() the loop's own Batches");
    }
    lastOutput = p.output();
    return p.result();
  }

  /** One Spark job: a round of local steps on the next batches of the epoch, then the average. */
  private void round() {
    if (ahead == null) {
      ahead = batches.epoch(epoch).iterator();
    }
    List<Batch> round = new ArrayList<>();
    while (round.size() < average && ahead.hasNext()) {
      round.add(ahead.next());
    }
    if (round.isEmpty()) {
      throw new IllegalStateException("a step past the end of epoch " + epoch + "'s batches");
    }
    String input = local.inputNames().get(0);
    String label = local.labelNames().get(0);
    // data on the executors: where each batch's examples are; else consecutive shards of each batch
    List<Picks> where = data == null ? null : round.stream().map(b -> picks(Map.of(input, b.features()))).toList();
    final int n = data != null ? data.partitions()
        : (int) Math.min(partitions, round.stream().mapToInt(Batch::size).min().getAsInt());
    List<RoundTask> tasks = new ArrayList<>();
    if (data == null) {
      List<List<Shard>> byBatch = new ArrayList<>();
      for (Batch b : round) {
        byBatch.add(split(Map.of(input, b.features(), label, b.labels()), n));
      }
      for (int i = 0; i < n; i++) {
        int shard = i;
        tasks.add(new RoundTask(i, byBatch.stream().map(l -> l.get(shard)).toList()));
      }
    }
    Map<String, Tensor> values = new LinkedHashMap<>();
    local.parameters().forEach((k, v) -> values.put(k, Tensor.of(v)));
    Map<String, byte[]> state = new LinkedHashMap<>();
    local.optimizer().state().forEach((k, v) -> state.put(k, Tensor.exact(v)));
    Broadcast<RoundJob.Start> bc = sc.broadcast(new RoundJob.Start(VERSIONS.incrementAndGet(), values, state));
    try {
      RoundJob job = new RoundJob(recipeId, recipe, bc, epoch, round.stream().mapToInt(Batch::size).toArray(), noise());
      long start = (values.values().stream().mapToLong(Tensor::bytes).sum()
          + state.values().stream().mapToLong(b -> b.length).sum()) * n;
      RoundSums s;
      if (data != null) {
        int[][][] rows = new int[n][round.size()][];
        for (int p = 0; p < n; p++) {
          for (int i = 0; i < round.size(); i++) {
            rows[p][i] = where.get(i).rows()[p];
          }
        }
        StreamRound sr = new StreamRound(job, input, label, rows);
        s = data.blocks().map(x -> BlockSum.leaf(n, x.partition(), sr.run(x))).treeReduce(BlockSum::plus).total();
        bytesSent += start + 4L * round.stream().mapToInt(Batch::size).sum();
      } else {
        s = sc.parallelize(tasks, n).map(x -> BlockSum.leaf(n, x.index(), job.run(x.index(), x.shards())))
            .treeReduce(BlockSum::plus).total();
        bytesSent += start + tasks.stream().flatMap(t -> t.shards().stream())
            .mapToLong(x -> x.feeds().values().stream().mapToLong(Tensor::bytes).sum()).sum();
      }
      bytesReceived += s.bytesPerShard() * n + s.outputBytes();
      Map<String, INDArray> live = local.parameters();
      s.params().forEach((k, v) -> live.get(k).assign(v.toArray(local.dataType())));
      Map<String, INDArray> averaged = new LinkedHashMap<>();
      s.state().forEach((k, v) -> averaged.put(k, v.toArray(DataType.valueOf(s.stateTypes().get(k)))));
      s.exactState().forEach((k, v) -> averaged.put(k, Tensor.exact(v)));
      local.optimizer().restoreState(averaged);
      for (int i = 0; i < round.size(); i++) {
        int step = i;
        java.util.TreeMap<Integer, Tensor> outs = new java.util.TreeMap<>();
        s.outputs().forEach((p, o) -> {
          if (o[step] != null) {
            outs.put(p, o[step]);
          }
        });
        INDArray output = where != null ? inBatchOrder(where.get(i), outs, round.get(i).size())
            : outs.isEmpty() ? null
            : Nd4j.concat(0, outs.values().stream().map(t -> t.toArray(local.dataType())).toArray(INDArray[]::new));
        pending.add(new Pending(round.get(i).features(), new StepResult(s.loss()[i], s.inputLoss()[i]), output));
      }
    } finally {
      bc.destroy();
    }
  }

  /** The shards one task of a round works through: shard {@code index} of each batch. */
  record RoundTask(int index, List<Shard> shards) implements java.io.Serializable {}

  /** Consecutive rows: min(partitions, B) shards whose sizes differ by at most one. */
  private List<Shard> split(Map<String, INDArray> feeds) {
    long rows = feeds.values().iterator().next().size(0);
    return split(feeds, (int) Math.min(partitions, Math.max(rows, 1)));
  }

  /** Consecutive rows in {@code n} shards whose sizes differ by at most one. */
  private List<Shard> split(Map<String, INDArray> feeds, int n) {
    long batch = -1;
    Map<String, Tensor> whole = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : feeds.entrySet()) {
      long rows = e.getValue().size(0);
      if (batch >= 0 && rows != batch) {
        throw new IllegalArgumentException("'" + e.getKey() + "' has " + rows + " rows but the batch has " + batch
            + ": inputs and labels must have the same batch size");
      }
      batch = rows;
      whole.put(e.getKey(), Tensor.of(e.getValue()));
    }
    if (batch < n) {
      throw new IllegalArgumentException("a batch of " + batch + " examples cannot be split into " + n + " shards");
    }
    List<Shard> shards = new ArrayList<>(n);
    long from = 0;
    for (int i = 0; i < n; i++) {
      int rows = (int) (batch / n + (i < batch % n ? 1 : 0));
      Map<String, Tensor> part = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : whole.entrySet()) {
        part.put(e.getKey(), e.getValue().rows((int) from, rows));
      }
      shards.add(new Shard(i, rows, part));
      from += rows;
    }
    return shards;
  }

  @Override
  public void startEpoch(int e) {
    local.startEpoch(e);
    this.epoch = e;
    ahead = null;
    pending.clear();
  }

  @Override
  public INDArray lastOutput() {
    return lastOutput;
  }

  @Override
  public String modelName() {
    return local.modelName();
  }

  @Override
  public List<String> inputNames() {
    return local.inputNames();
  }

  @Override
  public List<String> labelNames() {
    return local.labelNames();
  }

  @Override
  public DataType dataType() {
    return local.dataType();
  }

  @Override
  public Map<String, INDArray> parameters() {
    return local.parameters();
  }

  /** On the driver's trainer; on streamed data, a Spark job whose partitions predict for the examples they hold. */
  @Override
  public INDArray predict(Map<String, INDArray> inputs) {
    if (data == null) {
      return local.predict(inputs);
    }
    Picks picks = picks(inputs);
    int b = inputs.get(local.inputNames().get(0)).rows();
    Map<String, Tensor> values = new LinkedHashMap<>();
    local.parameters().forEach((k, v) -> values.put(k, Tensor.of(v)));
    Broadcast<StepJob.Parameters> bc = sc.broadcast(new StepJob.Parameters(VERSIONS.incrementAndGet(), values));
    try {
      StreamJob job = new StreamJob(new StepJob(recipeId, recipe, bc, epoch, local.optimizer().learningRate(), b,
          false, false, null, -1), local.inputNames().get(0), local.labelNames().get(0), picks.rows());
      java.util.TreeMap<Integer, Tensor> out = new java.util.TreeMap<>();
      for (scala.Tuple2<Integer, Tensor> t : data.blocks()
          .mapToPair(x -> new scala.Tuple2<>(x.partition(), job.predict(x))).filter(t -> t._2() != null).collect()) {
        out.put(t._1(), t._2());
      }
      bytesSent += values.values().stream().mapToLong(Tensor::bytes).sum() * data.partitions() + 4L * b;
      return inBatchOrder(picks, out, b);
    } finally {
      bc.destroy();
    }
  }

  @Override
  public Optimizer optimizer() {
    return local.optimizer();
  }
}
