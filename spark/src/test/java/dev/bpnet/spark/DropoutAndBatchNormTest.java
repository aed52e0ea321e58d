package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Dropout on Spark: each shard draws its masks from a generator derived from the driver's and the
 * shard's index ({@link ShardNoise}), so a training step's sums are those of the shards' training
 * gradients with those masks, a retried task draws the same masks, and the driver's generator
 * moves on (checkpoints save it). batch_norm is refused before any job runs.
 */
class DropoutAndBatchNormTest {
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = Spark.local("local[2,2]");  // two threads, each task tried up to twice
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void aStepSumsTheShardsTrainingGradientsWithTheirOwnMasks() {
    TrainerRecipe recipe = Models.recipe("Dropped");
    Trainer driver = recipe.newTrainer();
    SparkTrainer spark = new SparkTrainer(sc, recipe, driver, 2);
    Trainer shardTrainer = recipe.newTrainer();  // same seed: same parameters
    double worst = 0;
    for (int step = 0; step < 2; step++) {
      Map<String, INDArray> feeds = Models.batch(64, 500 + step);
      long[] words = ShardNoise.words(driver.state());
      // the independent sum: shard s of 32 consecutive rows, its masks from its own generator, weight 1/2
      Map<String, INDArray> want = new LinkedHashMap<>();
      double loss = 0;
      double lx = 0;
      for (int s = 0; s < 2; s++) {
        shardTrainer.parameters().forEach((k, v) -> v.assign(driver.parameters().get(k)));
        shardTrainer.restoreState(ShardNoise.forShard(words, s));
        int from = 32 * s;
        Map<String, INDArray> part = new LinkedHashMap<>();
        feeds.forEach((k, v) -> part.put(k, v.get(NDArrayIndex.interval(from, from + 32), NDArrayIndex.all()).dup()));
        Gradients g = shardTrainer.trainingGradients(part);
        loss += 0.5 * g.loss();
        lx += 0.5 * g.inputLoss();
        g.pass2().forEach((k, v) -> want.merge("g2 " + k, v.mul(0.5), INDArray::add));
        g.pass3().forEach((k, v) -> want.merge("g3 " + k, v.mul(0.5), INDArray::add));
      }
      Gradients got = spark.trainingGradients(feeds);
      assertFalse(java.util.Arrays.equals(words, ShardNoise.words(driver.state())), "the driver's generator moved on");
      worst = Math.max(worst, Math.max(Models.relative(got.loss(), loss), Models.relative(got.inputLoss(), lx)));
      for (String k : got.pass2().keySet()) {
        worst = Math.max(worst, Models.relative(got.pass2().get(k), want.get("g2 " + k)));
        worst = Math.max(worst, Models.relative(got.pass3().get(k), want.get("g3 " + k)));
      }
      // the masks act: a training step's g2 is not the evaluation's (dropout the identity)
      Gradients eval = spark.gradients(feeds);
      assertTrue(Models.relative(got.pass2().get("h.W"), eval.pass2().get("h.W")) > 1e-3, "masks drawn");
      spark.step(feeds);
    }
    System.out.printf("dropout over 2 shards: training gradients against the shards' own, max relative difference %.3g%n",
        worst);
    assertTrue(worst < 1e-12, "max relative difference " + worst);
  }

  @Test
  void aRetriedTaskDrawsTheSameMasks() {
    TrainerRecipe recipe = Models.recipe("Dropped");
    List<double[]> undisturbed = run(recipe, -1);
    int before = StepJob.HOOK_FAILURES.get();
    List<double[]> retried = run(recipe, 1);
    assertEquals(3, StepJob.HOOK_FAILURES.get() - before, "the hook failed one task per step");
    for (int i = 0; i < undisturbed.size(); i++) {
      assertArrayEquals(undisturbed.get(i), retried.get(i), "parameter " + i + " and losses, bit for bit");
    }
  }

  private static List<double[]> run(TrainerRecipe recipe, int failShard) {
    SparkTrainer t = new SparkTrainer(sc, recipe, recipe.newTrainer(), 3);
    t.failFirstAttempt(failShard);
    List<double[]> out = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      StepResult r = t.step(Models.batch(48, 600 + step));
      out.add(new double[] {r.loss(), r.inputLoss()});
    }
    t.parameters().values().forEach(p -> out.add(p.dup().data().asDouble()));
    t.state().values().forEach(s -> out.add(s.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble()));
    return out;
  }

  @Test
  void trainRefusesBatchNormBeforeSparkStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path model = dir.resolve("normed.bpnet");
    java.nio.file.Files.writeString(model, """
        model Normed {
          input x: [8]
          label y: [4]
          h = tanh(batch_norm(dense(x, 16)))
          out = sigmoid(dense(h, 4))
          loss = mse(out, y)
          train { batch = 32   epochs = 1   dtype = float64   data = teacher_student(n = 128) }
        }
        """);
    SparkTrainCommandTest.Result r = SparkTrainCommandTest.bpnet("train", model.toString(), "--spark", "local[2]",
        "--out", dir.resolve("run").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().matches("error: --spark local\\[2\\]: the model normalises with batch statistics \\(batch_norm at "
        + java.util.regex.Pattern.quote(model.toString()) + ":4:\\d+\\): on Spark each shard would use its own examples'"
        + " mean and variance, and a step would not be the single-machine step on the batch; train models with"
        + " batch_norm without --spark\\n"), r.err());
    assertTrue(!java.nio.file.Files.exists(dir.resolve("run")), "nothing written");
  }

  @Test
  void batchNormIsRefusedBeforeAnyJob() {
    TrainerRecipe recipe = Models.recipe("Normed");
    long jobs = sc.sc().dagScheduler().nextJobId().get();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SparkTrainer(sc, recipe, recipe.newTrainer(), 2));
    assertTrue(e.getMessage().startsWith("the model normalises with batch statistics (batch_norm at models.bpnet:"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("train models with batch_norm without --spark"), e.getMessage());
    assertEquals(jobs, sc.sc().dagScheduler().nextJobId().get(), "no job ran");
  }
}
