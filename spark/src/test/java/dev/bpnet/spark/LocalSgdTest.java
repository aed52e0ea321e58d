package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Local SGD (parameter averaging) against references: with one step per round and plain SGD it
 * is the synchronous step (the average of theta - lr g_p is theta - lr times the average of g_p);
 * with one partition it is training on one machine; and with Adam, two partitions and rounds of
 * two steps it equals a plain-Java implementation of the algorithm: two trainers, each stepping on
 * its half of every batch, then the mean of their parameters and of their moments m and v.
 */
class LocalSgdTest {
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = Spark.local("local[2]");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** 512 examples in batches of 64: 8 steps an epoch (rounds of 3 steps end 3, 3, 2: a round never crosses an epoch). */
  static Batches batches() {
    Map<String, INDArray> all = Models.batch(512, 42);
    return new Batches(Dataset.of(all.get("x"), all.get("y")), 64, 9);
  }

  @Test
  void oneStepPerRoundOfSgdIsTheSynchronousStep() {
    for (int partitions : new int[] {2, 4}) {
      TrainerRecipe recipe = Models.recipe("TwoPass");
      Batches b = batches();
      double worst = compare(recipe.newTrainer(), new SparkTrainer(sc, recipe, recipe.newTrainer(), partitions).averaging(b, 1), b);
      System.out.printf("local SGD, k = 1, SGD, %d partitions: max relative difference %.3g%n", partitions, worst);
      assertTrue(worst < 1e-12, "max relative difference " + worst);
    }
  }

  @Test
  void onePartitionIsTrainingOnOneMachine() {
    TrainerRecipe recipe = Models.recipe("Exact");
    Batches b = batches();
    double worst = compare(recipe.newTrainer(), new SparkTrainer(sc, recipe, recipe.newTrainer(), 1).averaging(b, 3), b);
    assertEquals(0, worst, "Adam, rounds of 3 steps, one partition: bit for bit");
  }

  @Test
  void twoPartitionsAveragePerRoundAsTheReferenceDoes() {
    TrainerRecipe recipe = Models.recipe("Exact");
    Batches b = batches();
    Trainer reference = new AveragingReference(recipe, 2);
    double worst = compare(reference, new SparkTrainer(sc, recipe, recipe.newTrainer(), 2).averaging(b, 2), b);
    System.out.printf("local SGD, k = 2, Adam, 2 partitions against the reference: max relative difference %.3g%n", worst);
    assertTrue(worst < 1e-12, "max relative difference " + worst);
    // and it is not the synchronous run: averaging Adam's steps differs from Adam on averaged gradients
    double sync = compare(recipe.newTrainer(), new SparkTrainer(sc, recipe, recipe.newTrainer(), 2).averaging(b, 2), b);
    assertTrue(sync > 1e-6, "local SGD with Adam should differ from single-machine Adam, got " + sync);
  }

  @Test
  void aStepHandedAnotherBatchIsRefused() {
    TrainerRecipe recipe = Models.recipe("TwoPass");
    SparkTrainer t = new SparkTrainer(sc, recipe, recipe.newTrainer(), 2).averaging(batches(), 2);
    t.startEpoch(0);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.step(Models.batch(64, 1)));
    assertTrue(e.getMessage().contains("another batch"), e.getMessage());
  }

  /** One epoch of both; the max relative difference of per-step losses and final parameters. */
  private static double compare(Trainer want, Trainer got, Batches b) {
    want.startEpoch(0);
    got.startEpoch(0);
    double worst = 0;
    for (Batch batch : b.epoch(0)) {
      Map<String, INDArray> feeds = Map.of("x", batch.features(), "y", batch.labels());
      StepResult x = want.step(feeds);
      StepResult y = got.step(feeds);
      worst = Math.max(worst, Models.relative(y.loss(), x.loss()));
      worst = Math.max(worst, Models.relative(y.inputLoss(), x.inputLoss()));
    }
    return Math.max(worst, SynchronousStepTest.worst(got.parameters(), want.parameters(), "parameters"));
  }

  /**
   * Local SGD written out: trainers that each step on their shard of every batch (consecutive
   * rows, 32 and 32) and, every two steps, take the mean of their parameters and optimizer state.
   * Only {@link #step} and {@link #parameters} are used. The losses it returns are the mean of
   * the shards' losses, as the Spark trainer reports them.
   */
  static final class AveragingReference implements Trainer {
    final List<Trainer> shards = new ArrayList<>();
    int steps;

    AveragingReference(TrainerRecipe recipe, int n) {
      for (int i = 0; i < n; i++) {
        shards.add(recipe.newTrainer());
      }
    }

    @Override
    public StepResult step(Map<String, INDArray> feeds) {
      int n = shards.size();
      long rows = feeds.get("x").size(0) / n;
      double loss = 0;
      double lx = 0;
      for (int i = 0; i < n; i++) {
        Map<String, INDArray> part = new LinkedHashMap<>();
        for (String k : List.of("x", "y")) {
          part.put(k, feeds.get(k).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i * rows, (i + 1) * rows),
              org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
        }
        StepResult r = shards.get(i).step(part);
        loss += r.loss() / n;
        lx += r.inputLoss() / n;
      }
      if (++steps % 2 == 0 || steps == 8) {  // rounds of two; the epoch's 8 steps end one
        average();
      }
      return new StepResult(loss, lx);
    }

    private void average() {
      Map<String, INDArray> mean = new LinkedHashMap<>();
      shards.get(0).parameters().forEach((k, v) -> mean.put(k, v.dup()));
      Map<String, INDArray> state = new LinkedHashMap<>();
      shards.get(0).optimizer().state().forEach((k, v) -> state.put(k, v.dup()));
      for (int i = 1; i < shards.size(); i++) {
        shards.get(i).parameters().forEach((k, v) -> mean.get(k).addi(v));
        shards.get(i).optimizer().state().forEach((k, v) -> {
          if (v.dataType().isFPType()) {
            state.get(k).addi(v);
          } else {
            assertEquals(state.get(k), v, k);
          }
        });
      }
      mean.values().forEach(v -> v.divi(shards.size()));
      state.values().stream().filter(v -> v.dataType().isFPType()).forEach(v -> v.divi(shards.size()));
      for (Trainer t : shards) {
        t.parameters().forEach((k, v) -> v.assign(mean.get(k)));
        t.optimizer().restoreState(state);
      }
    }

    @Override
    public Map<String, INDArray> parameters() {
      return shards.get(0).parameters();
    }

    @Override
    public void startEpoch(int epoch) {
      shards.forEach(t -> t.startEpoch(epoch));
    }

    @Override
    public String modelName() {
      return "reference";
    }

    @Override
    public List<String> inputNames() {
      return List.of("x");
    }

    @Override
    public List<String> labelNames() {
      return List.of("y");
    }

    @Override
    public org.nd4j.linalg.api.buffer.DataType dataType() {
      return shards.get(0).dataType();
    }

    @Override
    public INDArray predict(Map<String, INDArray> inputs) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.bpnet.runtime.Gradients gradients(Map<String, INDArray> feeds) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.bpnet.runtime.Optimizer optimizer() {
      return shards.get(0).optimizer();
    }
  }
}
