package dev.bpnet.dsl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.train.Checkpoint;
import dev.bpnet.runtime.train.CheckpointStore;
import dev.bpnet.runtime.train.NonFiniteException;
import dev.bpnet.runtime.train.TrainingLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * NaN injection: training stops with a message naming the epoch, step, pass and parameter, the
 * trainer goes back to the last good state, and the checkpoint on disk is that state, intact.
 */
class NonFiniteStopTest {
  @TempDir Path dir;

  static final String MODEL = TrainingResumeTest.model("16", "", "optimizer = momentum(lr = 0.05) passes = 3 alpha = 0.7");

  static Trainer trainer() {
    var tg = FileCompiler.model(new SourceFile("m.bpnet", MODEL), null);
    return TrainerLoader.instantiate(tg, DataType.FLOAT, 9);
  }

  /** A NaN pixel in one training example: the first batch holding it is named, epoch 1. */
  @Test
  void aNaNInTheDataStopsAtItsBatch() {
    Dataset clean = TrainingResumeTest.data(DataType.FLOAT);
    INDArray x = clean.features().dup();
    int row = 123;
    x.putScalar(row, 400, Float.NaN);
    Batches batches = new Batches(Dataset.of(x, clean.labels()), 50, 9);
    int position = indexOf(batches.order(0), row);
    Trainer t = trainer();
    Map<String, INDArray> initial = copy(t.parameters());
    NonFiniteException e = assertThrows(NonFiniteException.class, () -> new TrainingLoop(t, batches).epochs(3)
        .output(dir, null, 9, Map.of()).run(m -> { }));
    System.out.println(e.getMessage());
    int step = position / 50 + 1;
    assertTrue(e.getMessage().contains("epoch 1, step " + step + " "), e.getMessage());
    assertTrue(e.getMessage().contains("the batch's data — 'x' holds NaN or infinity"), e.getMessage());
    assertEquals(0, e.lastGoodEpoch());
    assertTrue(TrainingResumeTest.bitIdentical(initial, t.parameters()), "back at the initial state");
    assertEquals(0, CheckpointStore.load(dir).checkpoint().info().epoch(), "the initial checkpoint is there");
  }

  /**
   * A NaN in a gradient (g2) or in an update, injected in epoch 2, step 3 by a wrapping trainer:
   * the loop sees it one step later as a NaN loss; the replay names the step, pass and parameter.
   */
  @ParameterizedTest
  @CsvSource({
      "g2, h.b, 'epoch 2, step 3 (update 15 of the run): backward pass (g2), parameter h.b'",
      "update, out.W, 'epoch 2, step 3 (update 15 of the run): optimizer update, parameter out.W'"})
  void aNaNInAGradientOrUpdateIsNamedAndTheLastCheckpointKept(String mode, String param, String expected) {
    Dataset d = TrainingResumeTest.data(DataType.FLOAT);
    Batches batches = new Batches(d, 50, 9);
    int[] order = batches.order(1);
    INDArray marker = d.features().getRow(order[2 * 50]).dup();  // first row of epoch 2's third batch
    Trainer t = new Poisoning(trainer(), marker, mode, param);
    NonFiniteException e = assertThrows(NonFiniteException.class, () -> new TrainingLoop(t, batches).epochs(3)
        .output(dir, null, 9, Map.of()).run(m -> { }));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains("the last good checkpoint (after epoch 1) is " + dir.resolve("checkpoint.json")), e.getMessage());
    assertEquals(2, e.fault().epoch());
    assertEquals(3, e.fault().stepInEpoch());
    assertEquals(param, e.fault().parameter());
    Checkpoint c = CheckpointStore.load(dir).checkpoint();
    assertEquals(1, c.info().epoch());
    assertTrue(TrainingResumeTest.bitIdentical(c.parameters(), t.parameters()), "the trainer is back at the checkpoint");
    c.parameters().forEach((k, v) -> assertTrue(Double.isFinite(v.sumNumber().doubleValue()), k + " finite"));
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    throw new AssertionError(v);
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> m) {
    Map<String, INDArray> c = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.dup()));
    return c;
  }

  /** A trainer that, on the batch starting with {@code marker}, puts a NaN into g2 or into the updated parameter. */
  static final class Poisoning implements Trainer {
    private final Trainer t;
    private final INDArray marker;
    private final String mode;
    private final String param;

    Poisoning(Trainer t, INDArray marker, String mode, String param) {
      this.t = t;
      this.marker = marker;
      this.mode = mode;
      this.param = param;
    }

    private boolean hit(Map<String, INDArray> feeds) {
      return feeds.get("x").get(NDArrayIndex.point(0), NDArrayIndex.all()).equals(marker);
    }

    @Override
    public StepResult step(Map<String, INDArray> feeds) {
      StepResult r = t.step(feeds);
      if (hit(feeds)) {
        t.parameters().get(param).putScalar(0, Float.NaN);  // what the NaN gradient or update does
      }
      return r;
    }

    @Override
    public Gradients gradients(Map<String, INDArray> feeds) {
      Gradients g = t.gradients(feeds);
      if (hit(feeds) && mode.equals("g2")) {
        g.pass2().get(param).putScalar(0, Float.NaN);
      }
      return g;
    }

    @Override
    public String modelName() {
      return t.modelName();
    }

    @Override
    public List<String> inputNames() {
      return t.inputNames();
    }

    @Override
    public List<String> labelNames() {
      return t.labelNames();
    }

    @Override
    public DataType dataType() {
      return t.dataType();
    }

    @Override
    public Map<String, INDArray> parameters() {
      return t.parameters();
    }

    @Override
    public INDArray predict(Map<String, INDArray> inputs) {
      return t.predict(inputs);
    }

    @Override
    public Optimizer optimizer() {
      return t.optimizer();
    }

    @Override
    public INDArray lastOutput() {
      return t.lastOutput();
    }
  }
}
