package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One synchronous step on Spark equals the single-machine step on the same global batch: L, l_x,
 * g2, g3 and the parameters after the update, for every kind of trainer and a model with learning
 * rules (linear backprop, difference backprop reading the learning rate, fixed and updated
 * feedback matrices, a hand-written layer rule). Two steps, so that the second runs at the
 * broadcast of updated parameters and with optimizer state (momentum, Adam). Three partitions
 * split 64 examples unevenly (22, 21, 21): weights b/B that are not powers of two.
 */
class SynchronousStepTest {
  static final double TOLERANCE = 1e-12;
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = Spark.local("local[2]");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @ParameterizedTest(name = "{0} over {1} partitions")
  @CsvSource({"TwoPass, 2", "TwoPass, 4", "Paper, 2", "Paper, 4", "Exact, 2", "Exact, 4", "Rules, 2", "Rules, 4", "Exact, 3", "Rules, 3"})
  void stepEqualsTheSingleMachineStep(String model, int partitions) {
    TrainerRecipe recipe = Models.recipe(model);
    Trainer single = recipe.newTrainer();
    SparkTrainer spark = new SparkTrainer(sc, recipe, recipe.newTrainer(), partitions);
    double worst = 0;
    for (int step = 0; step < 2; step++) {
      Map<String, INDArray> feeds = Models.batch(64, 100 + step);
      Gradients want = single.gradients(feeds);
      Gradients got = spark.gradients(feeds);
      worst = Math.max(worst, Models.relative(got.loss(), want.loss()));
      worst = Math.max(worst, Models.relative(got.inputLoss(), want.inputLoss()));
      assertEquals(Double.isNaN(want.inputLoss()), Double.isNaN(got.inputLoss()), "l_x present on one side only");
      worst = Math.max(worst, worst(got.pass2(), want.pass2(), "g2"));
      worst = Math.max(worst, worst(got.pass3(), want.pass3(), "g3"));
      worst = Math.max(worst, worst(got.direction(), want.direction(), "direction"));
      worst = Math.max(worst, Models.relative(spark.lastOutput(), single.lastOutput()));
      StepResult a = single.step(feeds);
      StepResult b = spark.step(feeds);
      worst = Math.max(worst, Models.relative(b.loss(), a.loss()));
      worst = Math.max(worst, Models.relative(b.inputLoss(), a.inputLoss()));
      worst = Math.max(worst, worst(spark.parameters(), single.parameters(), "parameters"));
    }
    System.out.printf("%s over %d partitions: max relative difference %.3g%n", model, partitions, worst);
    assertTrue(worst < TOLERANCE, model + ": max relative difference " + worst);
  }

  @org.junit.jupiter.api.Test
  void float32StepsAgreeToFloat32Rounding() {
    // float32 models ship floats, half the bytes, and sum them in float32 as the trainer does
    TrainerRecipe recipe = Models.recipe("Float32");
    Trainer single = recipe.newTrainer();
    SparkTrainer spark = new SparkTrainer(sc, recipe, recipe.newTrainer(), 4);
    double worst = 0;
    for (int step = 0; step < 2; step++) {
      Map<String, INDArray> feeds = Models.batch(64, 300 + step);
      feeds.replaceAll((k, v) -> v.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
      StepResult a = single.step(feeds);
      StepResult b = spark.step(feeds);
      worst = Math.max(worst, Math.max(Models.relative(b.loss(), a.loss()), Models.relative(b.inputLoss(), a.inputLoss())));
      worst = Math.max(worst, worst(spark.parameters(), single.parameters(), "parameters"));
    }
    System.out.printf("float32 over 4 partitions: max relative difference %.3g%n", worst);
    assertTrue(worst < 1e-5, "max relative difference " + worst);
    // per step, 4 bytes a value: the parameters to each of 4 shards and the batch (6 inputs, 3 labels) out;
    // each shard's direction, L and l_x (16 bytes) and the batch's outputs (3 logits) back
    long values = spark.parameters().values().stream().mapToLong(INDArray::length).sum();
    assertEquals(2 * (4 * values * 4 + 64 * 9 * 4), spark.bytesSent());
    assertEquals(2 * (4 * (16 + values * 4) + 64 * 3 * 4), spark.bytesReceived());
  }

  @org.junit.jupiter.api.Test
  void clippingARuleReplacedGradientIsPerShard() {
    // clip = c clips the g2 that a learning rule replaced element-wise, inside the trainer: each
    // shard clips its own g2, and a sum of clipped values is not the clipped sum (README, Training on Spark)
    TrainerRecipe recipe = Models.recipe("Clipped");
    Map<String, INDArray> feeds = Models.batch(64, 7);
    Gradients want = recipe.newTrainer().gradients(feeds);
    Gradients got = new SparkTrainer(sc, recipe, recipe.newTrainer(), 4).gradients(feeds);
    // the clip acts on the direction; the reported g2 is the unclipped one and still sums exactly
    double clipped = Models.relative(got.direction().get("h.W"), want.direction().get("h.W"));
    double rest = Math.max(Models.relative(got.direction().get("logits.W"), want.direction().get("logits.W")),
        worst(got.pass2(), want.pass2(), "g2"));
    System.out.printf("clip = 0.01 over 4 partitions: the clipped direction differs by %.3g, the rest by %.3g%n", clipped, rest);
    assertTrue(clipped > 1e-3, "clipped direction of the layer below the rule: " + clipped);
    assertTrue(rest < TOLERANCE, "direction the rule did not replace, and g2: " + rest);
  }

  static double worst(Map<String, INDArray> got, Map<String, INDArray> want, String what) {
    assertEquals(want.keySet(), got.keySet(), what);
    double w = 0;
    for (String k : want.keySet()) {
      w = Math.max(w, Models.relative(got.get(k), want.get(k)));
    }
    return w;
  }
}
