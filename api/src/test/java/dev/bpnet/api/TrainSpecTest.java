package dev.bpnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The typed options read and print as the language writes them: dumps, generated comments and
 * checkpoints hold the words, so the enums must give back exactly those.
 */
class TrainSpecTest {
  @Test
  void wordsRoundTrip() {
    assertEquals(List.of("paper", "exact"), Third.WORDS);
    assertEquals(List.of("float32", "float64"), DType.WORDS);
    assertEquals(List.of("xavier", "kaiming", "three_pass"), Init.WORDS);
    for (Third t : Third.values()) {
      assertSame(t, Third.of(t.word()));
    }
    for (DType d : DType.values()) {
      assertSame(d, DType.of(d.word()));
    }
    for (Init i : Init.values()) {
      assertSame(i, Init.of(i.word()));
    }
    assertEquals("three_pass", Init.THREE_PASS.toString());
    var e = assertThrows(IllegalArgumentException.class, () -> Third.of("Paper"));
    assertEquals("third must be one of paper, exact, got 'Paper'", e.getMessage());
  }

  @Test
  void describeWritesTheTrainBlock() {
    TrainSpec t = TrainSpec.DEFAULTS.withPasses(3).withAlpha(0.8).withThird("exact").withDtype(DType.FLOAT64)
        .withInit("three_pass").withOptimizer("adam", Map.of("lr", 0.002, "beta1", 0.8))
        .withData("cubic", Map.of("n", 5.0));
    assertEquals("passes = 3  alpha = 0.8  third = exact  optimizer = adam(beta1 = 0.8, lr = 0.002)  init = three_pass"
        + "  batch = 32  epochs = 10  seed = 42  dtype = float64  data = cubic(n = 5.0)", t.describe());
    assertEquals(new TrainSpec(3, 0.8, Third.EXACT, new OptimizerSpec("adam", Map.of("beta1", 0.8, "lr", 0.002)),
        Init.THREE_PASS, 32, 10, 42, DType.FLOAT64, "cubic", Map.of("n", 5.0), TrainSchedules.NONE, Double.NaN, 0, TrainEvaluation.DEFAULTS), t);
  }

  @Test
  void g3IsWrittenOnlyWhenNotTheDefaultAndEveryOtherOptionKeepsIt() {
    assertEquals(List.of("b", "w", "none"), FeedbackThird.WORDS);
    for (FeedbackThird f : FeedbackThird.values()) {
      assertSame(f, FeedbackThird.of(f.word()));
    }
    assertEquals(FeedbackThird.B, TrainSpec.DEFAULTS.feedbackThird());
    TrainSpec none = TrainSpec.DEFAULTS.withFeedbackThird(FeedbackThird.NONE);
    assertEquals(TrainSpec.DEFAULTS.describe() + "  g3 = none", none.describe());
    TrainSpec all = none.withValidation(0.2).withPasses(3).withAlpha(0.5).withThird(Third.EXACT).withInit(Init.XAVIER)
        .withBatch(8).withEpochs(2).withSeed(3).withDtype(DType.FLOAT64).withData("mnist").withData("cubic", Map.of())
        .withData("mnist", Map.of(), Map.of()).withOptimizer("adam", Map.of()).withSchedules(TrainSchedules.NONE)
        .withClip(1).withEvaluation(TrainEvaluation.DEFAULTS);
    assertEquals(FeedbackThird.NONE, all.feedbackThird());
  }

  @Test
  void optimizersAreCheckedAgainstTheirArguments() {
    OptimizerSpec r = new OptimizerSpec("reinforced", Map.of("beta", 0.99));
    assertEquals(0.8, r.arguments().get("lr"));
    assertEquals(new Schedule.Exponential(0.99, 0.02), r.ownSchedule());
    assertEquals(Schedule.NONE, new OptimizerSpec("sgd", Map.of()).ownSchedule());
    var e = assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec("sgd", Map.of("momentum", 0.9)));
    assertEquals("optimizer 'sgd' has no argument 'momentum'; it takes [lr, weight_decay]", e.getMessage());
    // any other name is an optimizer declared in the language, which the compiler checks
    OptimizerSpec declared = new OptimizerSpec("my_adam", Map.of("lr", 0.1, "weight_decay", 0.0));
    assertEquals(Map.of("lr", 0.1, "weight_decay", 0.0), declared.arguments());
    assertEquals(Schedule.NONE, declared.ownSchedule());
  }

  @Test
  void learningRateScheduleIsNullWhenItIsTheOptimizersOwn() {
    TrainSpec reinforced = TrainSpec.DEFAULTS.withOptimizer("reinforced", Map.of());
    assertEquals(null, reinforced.schedules().learningRate(reinforced));
    TrainSpec stepped = reinforced.withSchedules(TrainSchedules.NONE.withLr(new Schedule.Step(List.of(5), 0.5)));
    assertEquals(new Schedule.Step(List.of(5), 0.5), stepped.schedules().learningRate(stepped));
  }
}
