package dev.bpnet.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.io.Npz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checkpoint files: names NumPy sees, the fallback pair, and clear errors on damaged files. */
class CheckpointStoreTest {
  @TempDir Path dir;

  @Test
  void savesParametersAndOptimizerStateUnderDocumentedNames() {
    CheckpointStore.save(dir, CheckpointChild.make(3));
    Map<String, INDArray> npz = Npz.read(dir.resolve("checkpoint.npz"));
    assertEquals(java.util.Set.of("param/w", "optimizer/velocity/0", "optimizer/t"), npz.keySet());
    CheckpointStore.Loaded l = CheckpointStore.load(dir);
    assertNull(l.note());
    assertEquals(3, l.checkpoint().info().epoch());
    assertEquals(30L, l.checkpoint().optimizerState().get("t").getLong(0));
  }

  @Test
  void anInterruptedSaveFallsBackToTheNewestMatchingPairAndSaysSo() throws Exception {
    CheckpointStore.save(dir, CheckpointChild.make(1));
    CheckpointStore.save(dir, CheckpointChild.make(2));
    // as if killed right after step (2)'s first rename: checkpoint.npz gone, checkpoint.json still epoch 2
    Files.move(dir.resolve("checkpoint.npz"), dir.resolve("checkpoint.previous.npz"), StandardCopyOption.REPLACE_EXISTING);
    CheckpointStore.Loaded l = CheckpointStore.load(dir);
    assertEquals(2, l.checkpoint().info().epoch());
    assertNotNull(l.note());
    assertTrue(l.note().contains("interrupted"), l.note());
  }

  @Test
  void aDamagedNpzFallsBackToThePreviousPair() throws Exception {
    CheckpointStore.save(dir, CheckpointChild.make(1));
    CheckpointStore.save(dir, CheckpointChild.make(2));
    byte[] b = Files.readAllBytes(dir.resolve("checkpoint.npz"));
    b[b.length / 2] ^= 1;  // one flipped bit: the SHA-256 in checkpoint.json no longer matches
    Files.write(dir.resolve("checkpoint.npz"), b);
    CheckpointStore.Loaded l = CheckpointStore.load(dir);
    assertEquals(1, l.checkpoint().info().epoch());
    assertTrue(l.note().contains("checkpoint.json: no checkpoint npz has the SHA-256 it names"), l.note());
  }

  @Test
  void noUsableCheckpointIsAClearError() throws Exception {
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("no such directory"), e.getMessage());

    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("no usable checkpoint (no checkpoint.json)"), e.getMessage());

    CheckpointStore.save(dir, CheckpointChild.make(1));
    Files.writeString(dir.resolve("checkpoint.json"), "{\"format\": 1, \"epoch\": ", StandardCharsets.UTF_8);
    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("checkpoint.json: damaged checkpoint: not valid JSON at line 1"), e.getMessage());
    // the parser's own words name its exception class and its web page: not ours to show
    Files.writeString(dir.resolve("checkpoint.json"), "{\"format\": 1, epoch: ]", StandardCharsets.UTF_8);
    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("http"), e.getMessage());

    Files.writeString(dir.resolve("checkpoint.json"), "{\"format\": 1}", StandardCharsets.UTF_8);
    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("checkpoint.json: not a checkpoint: field 'model' is missing"), e.getMessage());
  }
}
