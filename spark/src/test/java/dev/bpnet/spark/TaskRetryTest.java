package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A task that fails is run again by Spark, and the run ends where an undisturbed run ends, bit
 * for bit: the retried task recomputes its shard at the same broadcast parameters, and the sums
 * do not depend on the order tasks finish in.
 */
class TaskRetryTest {
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
  void aFailedTaskIsRetriedWithoutChangingTheResult() {
    TrainerRecipe recipe = Models.recipe("Rules");
    List<double[]> undisturbed = run(recipe, -1);
    int before = StepJob.HOOK_FAILURES.get();
    List<double[]> retried = run(recipe, 2);
    assertEquals(3, StepJob.HOOK_FAILURES.get() - before, "the hook failed the first attempt of one task per step");
    assertEquals(undisturbed.size(), retried.size());
    for (int i = 0; i < undisturbed.size(); i++) {
      assertArrayEquals(undisturbed.get(i), retried.get(i), "parameter " + i + " and losses, bit for bit");
    }
  }

  /** Three steps over 4 shards; the losses of each step, then every parameter's values. */
  private static List<double[]> run(TrainerRecipe recipe, int failShard) {
    Trainer local = recipe.newTrainer();
    SparkTrainer t = new SparkTrainer(sc, recipe, local, 4);
    t.failFirstAttempt(failShard);
    List<double[]> out = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      StepResult r = t.step(Models.batch(64, 200 + step));
      out.add(new double[] {r.loss(), r.inputLoss()});
    }
    for (INDArray p : t.parameters().values()) {
      out.add(p.dup().data().asDouble());
    }
    return out;
  }
}
