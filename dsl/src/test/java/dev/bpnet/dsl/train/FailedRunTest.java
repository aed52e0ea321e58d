package dev.bpnet.dsl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.train.CheckpointStore;
import dev.bpnet.runtime.train.EpochMetrics;
import dev.bpnet.runtime.train.TrainingFailedException;
import dev.bpnet.runtime.train.TrainingLoop;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A run that fails for a reason other than a NaN (here a trainer that throws, as a train-time
 * bug did) never leaves a checkpoint that makes the next command crash: a fresh run that
 * completed no epoch leaves nothing, so the same output directory starts again; a later failure
 * leaves the last completed epoch's checkpoint, which --resume continues to the same result as
 * an uninterrupted run.
 */
class FailedRunTest {
  @TempDir Path dir;

  /** {@code t}, whose step throws on update number {@code failAt} (1-based) of this trainer. */
  static Trainer failingAt(Trainer t, int failAt) {
    int[] steps = {0};
    return (Trainer) Proxy.newProxyInstance(Trainer.class.getClassLoader(), new Class<?>[] {Trainer.class},
        (proxy, m, args) -> {
          if (m.getName().equals("step") && ++steps[0] == failAt) {
            throw new ArrayIndexOutOfBoundsException("Index 1 out of bounds for length 1");
          }
          try {
            return m.invoke(t, args);
          } catch (InvocationTargetException x) {
            throw x.getCause();
          }
        });
  }

  static Batches batches() {
    return new Batches(TrainingResumeTest.data(DataType.FLOAT), 50, 9);
  }

  @Test
  void aFreshRunFailingInItsFirstEpochLeavesNothingAndTheSameDirectoryStartsAgain() throws Exception {
    TrainingFailedException e = assertThrows(TrainingFailedException.class, () -> new TrainingLoop(
        failingAt(NonFiniteStopTest.trainer(), 3), batches()).epochs(2).output(dir, "m", 9, Map.of()).run(m -> { }));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().startsWith("training failed in epoch 1 after 2 step(s) of it: Index 1 out of bounds"),
        e.getMessage());
    assertTrue(e.getMessage().contains("nothing of this run was kept in " + dir), e.getMessage());
    assertFalse(CheckpointStore.exists(dir), "no checkpoint left");
    assertFalse(Files.exists(dir.resolve("params.npz")));
    assertFalse(Files.exists(dir.resolve("metrics.csv")));
    List<EpochMetrics> again = new TrainingLoop(NonFiniteStopTest.trainer(), batches()).epochs(2)
        .output(dir, "m", 9, Map.of()).run(m -> { });
    assertEquals(2, again.size(), "the same directory takes a fresh run");
  }

  @Test
  void aFailureAfterAnEpochLeavesThatEpochsCheckpointWhichResumesToTheUninterruptedRun(@TempDir Path whole)
      throws Exception {
    int perEpoch = batches().batchesPerEpoch();
    // save only at the end, so the failed run itself must write epoch 1's state before it stops
    TrainingFailedException e = assertThrows(TrainingFailedException.class, () -> new TrainingLoop(
        failingAt(NonFiniteStopTest.trainer(), perEpoch + 2), batches()).epochs(3)
        .saveInterval(java.time.Duration.ofHours(1)).output(dir, "m", 9, Map.of()).run(m -> { }));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("epoch 2 after 1 step(s)"), e.getMessage());
    assertTrue(e.getMessage().contains(dir + " holds the checkpoint after epoch 1; --resume " + dir), e.getMessage());
    assertEquals(1, e.lastGoodEpoch());
    var loaded = CheckpointStore.load(dir);
    assertEquals(1, loaded.checkpoint().info().epoch());

    Trainer resumed = NonFiniteStopTest.trainer();
    new TrainingLoop(resumed, batches()).epochs(3).output(dir, "m", 9, Map.of()).resume(loaded.checkpoint())
        .run(m -> { });
    Trainer uninterrupted = NonFiniteStopTest.trainer();
    new TrainingLoop(uninterrupted, batches()).epochs(3).output(whole, "m", 9, Map.of()).run(m -> { });
    assertTrue(TrainingResumeTest.bitIdentical(uninterrupted.parameters(), resumed.parameters()),
        "resuming the failed run's checkpoint ends where the uninterrupted run does");
  }
}
