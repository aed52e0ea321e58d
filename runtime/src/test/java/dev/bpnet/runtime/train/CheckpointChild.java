package dev.bpnet.runtime.train;

import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The child process of {@link CheckpointCrashTest}: saves checkpoints into a directory in a tight
 * loop, each one filled with its own epoch number so that a mixed pair is detectable, and prints
 * "saved N" after each completed save. It continues from the checkpoint already there.
 */
public final class CheckpointChild {
  private CheckpointChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int epoch = CheckpointStore.exists(dir) ? CheckpointStore.load(dir).checkpoint().info().epoch() : 0;
    make(0);  // loads ND4J's native code: kills should land in saves, not in start-up
    System.out.println("ready " + epoch);
    System.out.flush();
    while (true) {
      epoch++;
      CheckpointStore.save(dir, make(epoch));
      System.out.println("saved " + epoch);
      System.out.flush();
    }
  }

  /** 300,000 + 1,000 floats: a save takes a few milliseconds, so kills land inside them. */
  static Checkpoint make(int epoch) {
    return new Checkpoint(new Checkpoint.Info("Child", "hash", "float32", epoch, 10L * epoch, Integer.MAX_VALUE,
        epoch, 1, Map.of("batch", "1")),
        Map.of("w", Nd4j.valueArrayOf(new long[] {300, 1000}, (float) epoch)),
        Map.of("velocity/0", Nd4j.valueArrayOf(new long[] {1000}, -epoch, DataType.FLOAT), "t", Nd4j.scalar(10L * epoch)));
  }
}
