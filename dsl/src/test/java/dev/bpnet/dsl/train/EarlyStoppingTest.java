package dev.bpnet.dsl.train;

import static dev.bpnet.dsl.train.TrainingResumeTest.assertBitIdentical;
import static dev.bpnet.dsl.train.TrainingResumeTest.withoutSeconds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.Keep;
import dev.bpnet.api.TrainEvaluation;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.data.Splits;
import dev.bpnet.runtime.io.Npz;
import dev.bpnet.runtime.train.BestEpoch;
import dev.bpnet.runtime.train.Checkpoint;
import dev.bpnet.runtime.train.CheckpointStore;
import dev.bpnet.runtime.train.EpochMetrics;
import dev.bpnet.runtime.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Early stopping and keep = best in the training loop: a model whose parameters cannot move stops
 * exactly early_stop epochs after its first; on a model that learns and then overfits, best.npz
 * holds bit for bit the parameters of a run stopped at the best epoch, the test figure is taken
 * once on the kept parameters, and a run interrupted before or after its best epoch and resumed
 * stops at the same epoch with the same files as an uninterrupted one.
 */
class EarlyStoppingTest {
  @TempDir Path dir;

  /** An optimizer whose update is exactly zero: every epoch's validation figures are the first's. */
  private static final String FROZEN = "optimizer frozen(lr = 0.1) { update = 0 * g }\n";

  private static TrainingGraph model(String optimizer) {
    return FileCompiler.model(new SourceFile("m.bpnet", FROZEN + "model M { input x: [784] label y: [10]\n"
        + " h = relu(dense(x, 16))\n out = dense(h, 10)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { optimizer = " + optimizer + " batch = 20 seed = 5 } }\n"), null);
  }

  /** 300 training and 100 validation digits of the bundled subset, and 200 test digits. */
  private static Dataset.Split trainAndValidation() {
    return Splits.split(Mnist.bundled(DataType.FLOAT).split(400).first(), 0.25, 5);
  }

  private static Dataset test() {
    return Mnist.bundled(DataType.FLOAT).split(7800).rest();
  }

  private static TrainingLoop loop(Trainer t, Path out, TrainEvaluation e) {
    Dataset.Split s = trainAndValidation();
    return new TrainingLoop(t, new Batches(s.first(), 20, 5)).validation(s.rest()).test(test()).evaluation(e)
        .output(out, null, 5, Map.of("batch", "20"));
  }

  @Test
  void aModelThatCannotImproveStopsPatienceEpochsAfterItsFirst() throws Exception {
    TrainingGraph tg = model("frozen()");
    for (int patience : new int[] {1, 3}) {
      Path out = dir.resolve("frozen" + patience);
      Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 5);
      TrainingLoop loop = loop(t, out, new TrainEvaluation(patience, Keep.LAST, false)).epochs(20);
      List<EpochMetrics> epochs = loop.run(m -> { });
      assertEquals(1 + patience, epochs.size(), "epoch 1 is the best; " + patience + " more without improvement");
      epochs.forEach(m -> assertEquals(epochs.get(0).valError(), m.valError(), "frozen: the same validation figure"));
      TrainingLoop.Outcome o = loop.outcome();
      assertTrue(o.stoppedEarly());
      assertEquals(1 + patience, o.epochs());
      assertEquals(1, o.best().epoch());
      assertEquals(1 - epochs.get(0).valError(), o.best().figure(), "the figure followed is the validation accuracy");
      assertEquals(1 + patience, o.keptEpoch(), "keep = last");
      Checkpoint c = CheckpointStore.load(out).checkpoint();
      assertEquals(1 + patience, c.info().epoch(), "the stopping epoch is saved");
      assertFalse(c.info().finished());
      assertTrue(c.stoppedEarly());
      assertEquals(2 + patience, Files.readAllLines(out.resolve("metrics.csv")).size());
      assertTrue(Files.exists(out.resolve(TrainingLoop.BEST)), "best.npz is written with early_stop, whatever is kept");
    }
  }

  @Test
  void withoutEarlyStoppingOrKeepBestNothingChanges() throws Exception {
    Trainer t = TrainerLoader.instantiate(model("frozen()"), DataType.FLOAT, 5);
    TrainingLoop loop = loop(t, dir, TrainEvaluation.DEFAULTS).epochs(3);
    List<EpochMetrics> epochs = loop.run(m -> { });
    assertEquals(3, epochs.size());
    assertNull(loop.outcome().best());
    assertFalse(Files.exists(dir.resolve(TrainingLoop.BEST)));
    assertNull(CheckpointStore.load(dir).checkpoint().best());
    // the test figure once, at the end, in the last row
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertTrue(rows.get(0).endsWith(",test_accuracy,seconds"), rows.get(0));
    for (int i = 1; i < rows.size(); i++) {
      String test = rows.get(i).split(",", -1)[7];
      assertEquals(i == rows.size() - 1, !test.isEmpty(), rows.get(i));
    }
    epochs.forEach(m -> assertTrue(Double.isNaN(m.test()), "no test figure per epoch by default"));
    assertEquals(Double.parseDouble(rows.get(3).split(",", -1)[7]), loop.outcome().test(), 1e-6);
  }

  /**
   * A scripted validation curve through the run's own decision ({@link BestEpoch#after}, then
   * {@link BestEpoch#exhausted}), as the loop applies it after each epoch: the epoch it stops at and
   * the best epoch it keeps.
   */
  private static int[] follow(double[] curve, boolean higherIsBetter, TrainEvaluation e) {
    BestEpoch best = null;
    for (int epoch = 1; epoch <= curve.length; epoch++) {
      int at = epoch;
      best = BestEpoch.after(best, epoch, curve[epoch - 1], higherIsBetter, e, () -> Map.of("epoch", Nd4j.scalar(at)));
      assertEquals(best.epoch(), best.parameters().get("epoch").getInt(0), "parameters read for the new best only");
      if (best.exhausted(epoch)) {
        return new int[] {epoch, best.epoch()};
      }
    }
    return new int[] {curve.length, best.epoch()};
  }

  @Test
  void minDeltaCountsOnlyImprovementsLargerThanItOnAScriptedCurve() {
    // validation accuracy: +0.005, then +0.0005, -0.0015, +0.0018 over the best, then +0.0042
    double[] accuracy = {0.900, 0.905, 0.9055, 0.904, 0.9068, 0.911, 0.911, 0.911};
    TrainEvaluation patience2 = new TrainEvaluation(2, Keep.LAST, false);
    // strictly better counts: epochs 2, 3, 5, 6 improve; 7 and 8 tie, and ties keep the earlier epoch
    assertArrayEquals(new int[] {8, 6}, follow(accuracy, true, patience2));
    // min_delta 0.001: epoch 3 (+0.0005) does not count, nor does 4; stopped at 4 with epoch 2
    assertArrayEquals(new int[] {4, 2}, follow(accuracy, true, patience2.withMinDelta(0.001)));
    // min_delta 0.002 with patience 3: epoch 5 is +0.0018 over epoch 2, not counted, so it stops there
    assertArrayEquals(new int[] {5, 2}, follow(accuracy, true, new TrainEvaluation(3, Keep.LAST, false, 0.002)));
    // exactly min_delta better is not more than it (binary fractions: no rounding)
    double[] steps = {0.5, 0.625, 0.75};
    assertArrayEquals(new int[] {2, 1}, follow(steps, true, new TrainEvaluation(1, Keep.LAST, false, 0.125)));
    assertArrayEquals(new int[] {3, 3}, follow(steps, true, new TrainEvaluation(1, Keep.LAST, false, 0.124)));
    // a loss: lower is better, by more than min_delta
    double[] loss = {1.0, 0.8, 0.79, 0.785, 0.70, 0.70};
    assertArrayEquals(new int[] {6, 5}, follow(loss, false, patience2));
    assertArrayEquals(new int[] {4, 2}, follow(loss, false, patience2.withMinDelta(0.05)));
    // keep = best alone never stops, and min_delta still decides the best epoch
    assertArrayEquals(new int[] {6, 2}, follow(loss, false, new TrainEvaluation(0, Keep.BEST, false, 0.15)));
  }

  @Test
  void aMarginNoEpochCanBeatStopsTheLearningModelAfterItsFirstEpoch() throws Exception {
    // accuracy is a fraction: nothing beats epoch 1 by more than 1, though the model learns
    Trainer t = TrainerLoader.instantiate(model(LEARNS), DataType.FLOAT, 5);
    TrainingLoop loop = loop(t, dir, new TrainEvaluation(2, Keep.BEST, false, 1.0)).epochs(10);
    List<EpochMetrics> epochs = loop.run(m -> { });
    assertEquals(3, epochs.size());
    assertTrue(epochs.get(2).trainLoss() < epochs.get(0).trainLoss(), "the model learns, and it does not count");
    assertEquals(1, loop.outcome().best().epoch());
    assertEquals(1, loop.outcome().keptEpoch());
  }

  /** The learning model: 300 digits at a large rate overfit within a few epochs. */
  private static final String LEARNS = "sgd(lr = 0.3)";

  @Test
  void bestNpzHoldsTheParametersOfARunStoppedAtTheBestEpoch() throws Exception {
    TrainingGraph tg = model(LEARNS);
    Path run = dir.resolve("early");
    Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 5);
    TrainingLoop loop = loop(t, run, new TrainEvaluation(2, Keep.BEST, false)).epochs(40);
    List<EpochMetrics> epochs = loop.run(m -> { });
    TrainingLoop.Outcome o = loop.outcome();
    assertTrue(o.stoppedEarly(), "stops before 40 epochs: " + epochs);
    int best = o.best().epoch();
    assertTrue(best > 1, "the model learns before it stops improving: best epoch " + best);
    assertEquals(best + 2, o.epochs());
    double bestAccuracy = epochs.stream().mapToDouble(m -> 1 - m.valError()).max().orElseThrow();
    assertEquals(bestAccuracy, o.best().figure());
    assertEquals(best, epochs.stream().filter(m -> 1 - m.valError() == bestAccuracy).findFirst().orElseThrow().epoch(),
        "the first epoch with the highest validation accuracy");

    // a run of exactly `best` epochs, without early stopping: its last parameters are best.npz
    Path plain = dir.resolve("plain");
    Trainer u = TrainerLoader.instantiate(tg, DataType.FLOAT, 5);
    TrainingLoop shorter = loop(u, plain, TrainEvaluation.DEFAULTS).epochs(best);
    shorter.run(m -> { });
    assertBitIdentical(Npz.read(plain.resolve("params.npz")), Npz.read(run.resolve(TrainingLoop.BEST)), "best.npz");
    assertBitIdentical(u.parameters(), t.parameters(), "keep = best: the trainer ends with the best epoch's parameters");
    // params.npz is the last epoch's, which the checkpoint holds too
    assertBitIdentical(CheckpointStore.load(run).checkpoint().parameters(), Npz.read(run.resolve("params.npz")), "params.npz");
    // the one test figure is the kept epoch's, in its row, and equals the shorter run's (its last)
    assertEquals(shorter.outcome().test(), o.test());
    assertEquals(best, o.keptEpoch());
    List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
    for (int i = 1; i < rows.size(); i++) {
      String test = rows.get(i).split(",", -1)[7];
      assertEquals(i == best, !test.isEmpty(), rows.get(i));
    }
  }

  @Test
  void aResumedRunStopsAtTheSameEpochWithTheSameFiles() throws Exception {
    TrainingGraph tg = model(LEARNS);
    TrainEvaluation e = new TrainEvaluation(2, Keep.BEST, false);
    Path whole = dir.resolve("whole");
    TrainingLoop uninterrupted = loop(TrainerLoader.instantiate(tg, DataType.FLOAT, 5), whole, e).epochs(40);
    uninterrupted.run(m -> { });
    int best = uninterrupted.outcome().best().epoch();
    int stop = uninterrupted.outcome().epochs();
    // interrupted before the best epoch (the best moves after the resume), and after it (the patience counter runs on)
    for (int at : new int[] {best - 1, best + 1}) {
      Path split = dir.resolve("split" + at);
      loop(TrainerLoader.instantiate(tg, DataType.FLOAT, 5), split, e).epochs(at).run(m -> { });
      Checkpoint half = CheckpointStore.load(split).checkpoint();
      assertNotNull(half.best());
      assertFalse(half.stoppedEarly());
      Trainer resumedTrainer = TrainerLoader.instantiate(tg, DataType.FLOAT, 5);
      TrainingLoop resumed = loop(resumedTrainer, split, e).epochs(40).resume(half);
      resumed.run(m -> { });
      assertEquals(stop, resumed.outcome().epochs(), "resumed at " + at);
      assertEquals(best, resumed.outcome().best().epoch());
      assertEquals(uninterrupted.outcome().test(), resumed.outcome().test());
      for (String f : List.of("params.npz", TrainingLoop.BEST)) {
        assertBitIdentical(Npz.read(whole.resolve(f)), Npz.read(split.resolve(f)), f + " resumed at " + at);
      }
      Checkpoint a = CheckpointStore.load(whole).checkpoint();
      Checkpoint b = CheckpointStore.load(split).checkpoint();
      assertBitIdentical(a.parameters(), b.parameters(), "checkpoint");
      assertBitIdentical(a.best().parameters(), b.best().parameters(), "checkpoint's best");
      assertEquals(a.best().figure(), b.best().figure());
      assertEquals(withoutSeconds(whole), withoutSeconds(split), "metrics.csv, resumed at " + at);
      // and once stopped, a resume has nothing to do
      TrainingLoop again = loop(TrainerLoader.instantiate(tg, DataType.FLOAT, 5), split, e).epochs(40).resume(b);
      assertTrue(again.run(m -> { }).isEmpty());
    }
  }
}
