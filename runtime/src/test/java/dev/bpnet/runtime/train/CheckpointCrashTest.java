package dev.bpnet.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A real child JVM ({@link CheckpointChild}) saves checkpoints in a loop and is killed with
 * SIGKILL ({@code destroyForcibly}) at random moments, over and over in the same directory.
 * After every kill the directory must hold a checkpoint that loads, whose json and npz belong to
 * the same save (every array holds its epoch), and which is no older than the last save the
 * child reported complete.
 */
class CheckpointCrashTest {
  private static final int TRIALS = 20;

  @TempDir Path dir;

  @Test
  void sigkillDuringSavesNeverLeavesAMissingOrMixedCheckpoint() throws Exception {
    Random random = new Random(20261124L);
    int fellBack = 0;
    int lastSaved = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), CheckpointChild.class.getName(), dir.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("OMP_NUM_THREADS", "1");
      Process p = pb.start();
      AtomicInteger saved = new AtomicInteger(lastSaved);
      int before = lastSaved;
      java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("saved ")) {
              saved.set(Integer.parseInt(line.substring(6)));
              ready.countDown();
            }
          }
        } catch (java.io.IOException ignored) {
          // the pipe breaks when the child dies
        }
      });
      reader.start();
      // from its first save on, the child is nearly always inside a save: kill it at a random moment
      assertTrue(ready.await(60, TimeUnit.SECONDS), "child started saving");
      Thread.sleep(random.nextInt(120));
      p.destroyForcibly();  // SIGKILL on Linux
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      reader.join(10_000);
      assertTrue(saved.get() > before, "the child continued from the last checkpoint");
      CheckpointStore.Loaded l = CheckpointStore.load(dir);
      Checkpoint c = l.checkpoint();
      int epoch = c.info().epoch();
      assertTrue(epoch >= saved.get(), "trial " + trial + ": loaded epoch " + epoch + " but the child had saved " + saved.get());
      assertEquals(10L * epoch, c.info().step(), "json and its own step");
      assertAll(c.parameters().get("w"), epoch, "w");
      assertAll(c.optimizerState().get("velocity/0"), -epoch, "velocity");
      assertEquals(10L * epoch, c.optimizerState().get("t").getLong(0));
      if (l.note() != null) {
        fellBack++;
      }
      lastSaved = epoch;
    }
    System.out.printf("%d kills, last epoch %d, %d loads fell back to a pair other than checkpoint.*%n", TRIALS, lastSaved, fellBack);
    assertTrue(lastSaved > 0, "some saves completed");
  }

  private static void assertAll(INDArray a, double expected, String what) {
    assertEquals(expected, a.minNumber().doubleValue(), what + " min");
    assertEquals(expected, a.maxNumber().doubleValue(), what + " max");
  }
}
