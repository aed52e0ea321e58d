package dev.bpnet.dsl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.DType;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.data.Splits;
import dev.bpnet.runtime.train.Checkpoint;
import dev.bpnet.runtime.train.CheckpointException;
import dev.bpnet.runtime.train.CheckpointStore;
import dev.bpnet.runtime.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run stopped after 2 epochs and resumed from its checkpoint in a fresh trainer ends
 * bit-identical to an uninterrupted 4-epoch run: every parameter, every optimizer state array,
 * every metrics.csv figure but the seconds. Optimizers with state (momentum, Adam, reinforced
 * backprop with its random masks), both dtypes, three passes, and feedback matrices (fixed, and
 * updated like W) are covered.
 */
class TrainingResumeTest {
  static final int EPOCHS = 4;

  @TempDir Path dir;

  static String model(String hidden, String feedback, String options) {
    return "model M { input x: [784] label y: [10]\n h = relu(dense(x, " + hidden + "))\n"
        + " h2 = relu(dense(h, 12" + feedback + "))\n out = dense(h2, 10" + feedback + ")\n"
        + " loss = softmax_cross_entropy(out, y)\n train { " + options + " batch = 50 seed = 9 } }\n";
  }

  static Dataset data(DataType dt) {
    return Mnist.bundled(dt).split(600).first();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = '|', value = {
      "momentum(lr = 0.05, momentum = 0.9)|float32|passes = 3 alpha = 0.8|",
      "reinforced(lr = 0.3, gamma0 = 0.99, lambda = 0.01)|float64||",
      "momentum(lr = 0.05, nesterov = true)|float64||, feedback = random_updated",
      "adam(lr = 0.002)|float32|passes = 3 alpha = 0.5 third = exact|, feedback = random",
      // schedules read the epoch and the update count, which the checkpoint must carry
      "sgd(lr = 0.1)|float32|passes = 3 alpha = 0.9 schedule = exponential(beta = 0.99, floor = 0.02)"
          + " alpha_schedule = linear(to = 0.6, epochs = 4) lr_over_alpha = true|"})
  void aResumedRunEndsBitIdentical(String optimizer, String dtype, String passes, String feedback) throws Exception {
    String options = "optimizer = " + optimizer + " dtype = " + dtype + " " + (passes == null ? "" : passes);
    var tg = FileCompiler.model(new SourceFile("m.bpnet", model("16", feedback == null ? "" : feedback, options)), null);
    DataType dt = TrainerLoader.dataType(DType.of(dtype));
    Dataset.Split split = Splits.split(data(dt), 0.1, 9);

    Trainer whole = TrainerLoader.instantiate(tg, dt, 9);
    loop(whole, split, dir.resolve("whole")).epochs(EPOCHS).run(m -> { });

    Trainer first = TrainerLoader.instantiate(tg, dt, 9);
    loop(first, split, dir.resolve("split")).epochs(2).run(m -> { });
    Checkpoint half = CheckpointStore.load(dir.resolve("split")).checkpoint();
    assertEquals(2, half.info().epoch());

    Trainer resumed = TrainerLoader.instantiate(tg, dt, 9);  // fresh: parameters and RNG from the seed
    loop(resumed, split, dir.resolve("split")).epochs(EPOCHS).resume(half).run(m -> { });

    assertBitIdentical(whole.parameters(), resumed.parameters(), "parameter");
    assertBitIdentical(whole.optimizer().state(), resumed.optimizer().state(), "optimizer state");
    assertFalse(bitIdentical(half.parameters(), resumed.parameters()), "the last two epochs changed the parameters");
    if (feedback != null && feedback.contains("updated")) {
      assertFalse(bitIdentical(Map.of("B", half.parameters().get("out.B")), Map.of("B", resumed.parameters().get("out.B"))),
          "updated feedback matrices move and are checkpointed");
    }
    List<String> a = withoutSeconds(dir.resolve("whole"));
    List<String> b = withoutSeconds(dir.resolve("split"));
    assertEquals(a, b, "metrics.csv");
    assertEquals(EPOCHS + 1, a.size());
  }

  /**
   * Dropout draws masks from the trainer's generator every step: the checkpoint carries the
   * generator's state (state/rng), so the resumed run draws the masks the uninterrupted one
   * draws. Without it the resumed epochs would start the masks from the seed again and differ.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"float32, passes = 3 alpha = 0.8 third = exact", "float64, passes = 2"})
  void aResumedRunWithDropoutEndsBitIdentical(String dtype, String passes) throws Exception {
    String src = "model M { input x: [784] label y: [10]\n h = relu(dense(x, 16))\n d = dropout(h, 0.3)\n"
        + " h2 = tanh(dense(d, 12))\n out = dense(dropout(h2, p = 0.1), 10)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { optimizer = momentum(lr = 0.05) dtype = " + dtype + " " + passes + " batch = 50 seed = 9 } }\n";
    var tg = FileCompiler.model(new SourceFile("m.bpnet", src), null);
    DataType dt = TrainerLoader.dataType(DType.of(dtype));
    Dataset.Split split = Splits.split(data(dt), 0.1, 9);

    Trainer whole = TrainerLoader.instantiate(tg, dt, 9);
    loop(whole, split, dir.resolve("whole")).epochs(EPOCHS).run(m -> { });

    Trainer first = TrainerLoader.instantiate(tg, dt, 9);
    loop(first, split, dir.resolve("split")).epochs(2).run(m -> { });
    Checkpoint half = CheckpointStore.load(dir.resolve("split")).checkpoint();
    assertEquals(java.util.Set.of("rng"), half.trainerState().keySet(), "the checkpoint holds the masks' generator");
    try (var zip = new java.util.zip.ZipFile(dir.resolve("split/checkpoint.npz").toFile())) {
      assertTrue(zip.getEntry("state/rng.npy") != null, "checkpoint.npz has state/rng");
    }

    Trainer resumed = TrainerLoader.instantiate(tg, dt, 9);
    loop(resumed, split, dir.resolve("split")).epochs(EPOCHS).resume(half).run(m -> { });
    assertBitIdentical(whole.parameters(), resumed.parameters(), "parameter");
    assertBitIdentical(whole.optimizer().state(), resumed.optimizer().state(), "optimizer state");
    assertBitIdentical(whole.state(), resumed.state(), "trainer state");
    assertEquals(withoutSeconds(dir.resolve("whole")), withoutSeconds(dir.resolve("split")), "metrics.csv");

    // the control: the same resume without the generator's state draws other masks
    Trainer fresh = TrainerLoader.instantiate(tg, dt, 9);
    Checkpoint forgetful = new Checkpoint(half.info(), half.parameters(), half.optimizerState(), fresh.state(), half.best());
    loop(fresh, split, dir.resolve("forgetful")).epochs(EPOCHS).resume(forgetful).run(m -> { });
    assertFalse(bitIdentical(whole.parameters(), fresh.parameters()), "a resume that starts the masks again differs");
  }

  /**
   * Batch norm's running statistics are fixed parameters that each step moves: checkpoint.npz and
   * params.npz carry them, and the resumed run ends bit-identical, statistics included.
   */
  @Test
  void aResumedRunWithBatchNormEndsBitIdentical() throws Exception {
    String src = "model M { input x: [784] label y: [10]\n h = relu(batch_norm(dense(x, 16, bias = no)))\n"
        + " h2 = tanh(layer_norm(dense(h, 12)))\n out = dense(dropout(h2, 0.2), 10)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { optimizer = momentum(lr = 0.05) passes = 3 alpha = 0.8 third = exact batch = 50 seed = 9 } }\n";
    var tg = FileCompiler.model(new SourceFile("m.bpnet", src), null);
    Dataset.Split split = Splits.split(data(DataType.FLOAT), 0.1, 9);
    Trainer whole = TrainerLoader.instantiate(tg, DataType.FLOAT, 9);
    loop(whole, split, dir.resolve("whole")).epochs(EPOCHS).run(m -> { });
    Trainer first = TrainerLoader.instantiate(tg, DataType.FLOAT, 9);
    loop(first, split, dir.resolve("split")).epochs(2).run(m -> { });
    Checkpoint half = CheckpointStore.load(dir.resolve("split")).checkpoint();
    assertTrue(half.parameters().containsKey("h.running_mean") && half.parameters().containsKey("h.running_var"));
    try (var zip = new java.util.zip.ZipFile(dir.resolve("split/params.npz").toFile())) {
      assertTrue(zip.getEntry("h.running_var.npy") != null, "params.npz has the running statistics");
    }
    Trainer resumed = TrainerLoader.instantiate(tg, DataType.FLOAT, 9);
    loop(resumed, split, dir.resolve("split")).epochs(EPOCHS).resume(half).run(m -> { });
    assertBitIdentical(whole.parameters(), resumed.parameters(), "parameter");
    assertFalse(bitIdentical(Map.of("v", half.parameters().get("h.running_var")),
        Map.of("v", resumed.parameters().get("h.running_var"))), "the running variance moved in the last epochs");
    assertEquals(withoutSeconds(dir.resolve("whole")), withoutSeconds(dir.resolve("split")), "metrics.csv");
  }

  @Test
  void aCheckpointOfAnotherModelOrOtherSettingsIsRefusedWithTheReason() {
    var tg = FileCompiler.model(new SourceFile("m.bpnet", model("16", "", "optimizer = sgd(lr = 0.1)")), null);
    Dataset.Split split = Splits.split(data(DataType.FLOAT), 0.1, 9);
    loop(TrainerLoader.instantiate(tg, DataType.FLOAT, 9), split, dir).epochs(1).run(m -> { });
    Checkpoint c = CheckpointStore.load(dir).checkpoint();

    var other = FileCompiler.model(new SourceFile("m.bpnet", model("17", "", "optimizer = sgd(lr = 0.1)")), null);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> loop(TrainerLoader.instantiate(other, DataType.FLOAT, 9), split, dir).resume(c));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("refusing to resume from a checkpoint of a different model"), e.getMessage());
    assertTrue(e.getMessage().contains("(hash "), e.getMessage());
    assertTrue(e.getMessage().contains("parameter h.W is [784, 16] in the checkpoint but [784, 17] in this model"), e.getMessage());

    Trainer same = TrainerLoader.instantiate(tg, DataType.FLOAT, 9);
    e = assertThrows(CheckpointException.class, () -> new TrainingLoop(same, new Batches(split.first(), 25, 9))
        .output(dir, null, 9, Map.of("batch", "25")).resume(c));
    assertTrue(e.getMessage().contains("batch is 50 in the checkpoint, 25 here"), e.getMessage());

    Trainer doubled = TrainerLoader.instantiate(tg, DataType.DOUBLE, 9);
    e = assertThrows(CheckpointException.class,
        () -> loop(doubled, Splits.split(data(DataType.DOUBLE), 0.1, 9), dir).resume(c));
    assertTrue(e.getMessage().contains("it is float32, this run is float64"), e.getMessage());
  }

  static TrainingLoop loop(Trainer t, Dataset.Split split, Path out) {
    return new TrainingLoop(t, new Batches(split.first(), 50, 9)).validation(split.rest())
        .output(out, null, 9, Map.of("batch", "50"));
  }

  static List<String> withoutSeconds(Path run) throws Exception {
    return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
  }

  static void assertBitIdentical(Map<String, INDArray> a, Map<String, INDArray> b, String what) {
    assertEquals(a.keySet(), b.keySet(), what + " names");
    a.forEach((k, v) -> assertTrue(bitIdentical(Map.of(k, v), Map.of(k, b.get(k))), what + " " + k + " differs"));
  }

  /** Same shape, type and bits (float32 widens to float64 exactly, so comparing the widened bits is exact). */
  static boolean bitIdentical(Map<String, INDArray> a, Map<String, INDArray> b) {
    for (Map.Entry<String, INDArray> e : a.entrySet()) {
      INDArray x = e.getValue();
      INDArray y = b.get(e.getKey());
      if (x.dataType() != y.dataType() || !java.util.Arrays.equals(x.shape(), y.shape())) {
        return false;
      }
      if (x.dataType() == DataType.LONG) {
        if (!java.util.Arrays.equals(x.dup().data().asLong(), y.dup().data().asLong())) {
          return false;
        }
        continue;
      }
      double[] u = x.dup().data().asDouble();
      double[] v = y.dup().data().asDouble();
      for (int i = 0; i < u.length; i++) {
        if (Double.doubleToRawLongBits(u[i]) != Double.doubleToRawLongBits(v[i])) {
          return false;
        }
      }
    }
    return true;
  }
}
