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

  /** What a sweep reads of each run: the newest json's epoch, and early stopping, without the npz. */
  @Test
  void progressReadsTheNewestJsonWithAnNpzBesideIt() throws Exception {
    assertNull(CheckpointStore.progress(dir.resolve("nope")));
    assertNull(CheckpointStore.progress(dir));
    CheckpointStore.save(dir, CheckpointChild.make(1));
    CheckpointStore.save(dir, CheckpointChild.make(2));
    assertEquals(new CheckpointStore.Progress(2, false), CheckpointStore.progress(dir));
    // killed between the renames: checkpoint.json has no checkpoint.npz beside it, the previous pair counts
    Files.move(dir.resolve("checkpoint.npz"), dir.resolve("checkpoint.previous.npz"), StandardCopyOption.REPLACE_EXISTING);
    assertEquals(new CheckpointStore.Progress(1, false), CheckpointStore.progress(dir));
    Files.writeString(dir.resolve("checkpoint.previous.json"), "{");
    assertNull(CheckpointStore.progress(dir), "a damaged json counts as none");

    Path stopped = dir.resolve("stopped");
    Checkpoint plain = CheckpointChild.make(4);
    CheckpointStore.save(stopped, new Checkpoint(plain.info(), plain.parameters(), plain.optimizerState(), Map.of(),
        new BestEpoch(2, 0.875, 2, Map.of("w", plain.parameters().get("w")))));
    assertEquals(new CheckpointStore.Progress(4, true), CheckpointStore.progress(stopped), "epoch 4, best 2, patience 2");
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

  /**
   * Fields of a lone checkpoint.json (no previous pair to fall back on) edited by hand: each one is
   * a damaged checkpoint naming the field, never a run that silently goes on.
   */
  @Test
  void everyFieldReadBackIsChecked() throws Exception {
    CheckpointStore.save(dir, CheckpointChild.make(2));
    Path json = dir.resolve("checkpoint.json");
    String good = Files.readString(json);
    Map<String, java.util.function.Consumer<com.google.gson.JsonObject>> damage = new java.util.LinkedHashMap<>();
    damage.put("parameters", o -> o.add("parameters", com.google.gson.JsonParser.parseString("[1, 2]")));
    damage.put("parameters.w", o -> o.getAsJsonObject("parameters").remove("w"));
    damage.put("parameters.w[0]", o -> o.getAsJsonObject("parameters").add("w",
        com.google.gson.JsonParser.parseString("[-4, 1000]")));
    damage.put("parameters.w'", o -> o.getAsJsonObject("parameters").add("w",
        com.google.gson.JsonParser.parseString("[5, 1000]")));
    damage.put("finished", o -> o.addProperty("finished", "yes"));
    damage.put("optimizer_scalars.t", o -> o.getAsJsonObject("optimizer_scalars").addProperty("t", -3));
    damage.put("npz", o -> o.addProperty("npz", "../../../etc/passwd"));
    damage.put("rng.batch_shuffle.next_epoch", o -> o.getAsJsonObject("rng").getAsJsonObject("batch_shuffle")
        .addProperty("next_epoch", 7));
    for (Map.Entry<String, java.util.function.Consumer<com.google.gson.JsonObject>> d : damage.entrySet()) {
      com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(good).getAsJsonObject();
      d.getValue().accept(o);
      Files.writeString(json, o.toString());
      CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir), d.getKey());
      String field = d.getKey().replace("'", "");
      assertTrue(e.getMessage().contains("damaged checkpoint: field '" + field + "'"), d.getKey() + ": " + e.getMessage());
      assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
    Files.writeString(json, good);
    assertEquals(2, CheckpointStore.load(dir).checkpoint().info().epoch());
  }

  /** An npz edited with its SHA-256 recomputed: a NaN, or a scalar that disagrees with the json. */
  @Test
  void arraysAreCheckedFiniteAndAgainstTheJson() throws Exception {
    CheckpointStore.save(dir, CheckpointChild.make(2));
    Map<String, INDArray> arrays = new java.util.LinkedHashMap<>(Npz.read(dir.resolve("checkpoint.npz")));
    arrays.get("param/w").putScalar(new long[] {3, 17}, Float.NaN);
    rewrite(arrays);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("array 'param/w' holds NaN at index [3, 17]"), e.getMessage());

    arrays = new java.util.LinkedHashMap<>(Npz.read(dir.resolve("checkpoint.npz")));
    arrays.get("param/w").putScalar(new long[] {3, 17}, 2f);
    arrays.remove("optimizer/t");
    rewrite(arrays);
    e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("field 'optimizer_scalars.t' is 20, but checkpoint.npz holds no such array"),
        e.getMessage());
  }

  /**
   * The best epoch of runs with early stopping or keep = best: saved and read back (its arrays as
   * best/NAME), and every hand-edited field or array refused naming it.
   */
  @Test
  void theBestEpochIsSavedAndChecked() throws Exception {
    Checkpoint plain = CheckpointChild.make(4);
    Map<String, INDArray> bestParams = Map.of("w", plain.parameters().get("w").mul(2));
    Checkpoint c = new Checkpoint(plain.info(), plain.parameters(), plain.optimizerState(), Map.of(), new BestEpoch(2, 0.875, 2, bestParams));
    assertTrue(c.stoppedEarly(), "epoch 4, best 2, patience 2");
    CheckpointStore.save(dir, c);
    assertTrue(Npz.read(dir.resolve("checkpoint.npz")).containsKey("best/w"));
    Checkpoint back = CheckpointStore.load(dir).checkpoint();
    assertEquals(2, back.best().epoch());
    assertEquals(0.875, back.best().figure());
    assertEquals(2, back.best().patience());
    assertEquals(bestParams.get("w"), back.best().parameters().get("w"));
    assertTrue(back.stoppedEarly());

    Path json = dir.resolve("checkpoint.json");
    String good = Files.readString(json);
    Map<String, java.util.function.Consumer<com.google.gson.JsonObject>> damage = new java.util.LinkedHashMap<>();
    damage.put("best.epoch", o -> o.getAsJsonObject("best").addProperty("epoch", 5));
    damage.put("best.figure", o -> o.getAsJsonObject("best").addProperty("figure", "high"));
    damage.put("best.patience", o -> o.getAsJsonObject("best").addProperty("patience", -1));
    damage.put("best", o -> o.addProperty("best", 3));
    for (Map.Entry<String, java.util.function.Consumer<com.google.gson.JsonObject>> d : damage.entrySet()) {
      com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(good).getAsJsonObject();
      d.getValue().accept(o);
      Files.writeString(json, o.toString());
      CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir), d.getKey());
      assertTrue(e.getMessage().contains("damaged checkpoint: field '" + d.getKey() + "'"), d.getKey() + ": " + e.getMessage());
    }
    Files.writeString(json, good);
    Map<String, INDArray> arrays = new java.util.LinkedHashMap<>(Npz.read(dir.resolve("checkpoint.npz")));
    arrays.remove("best/w");
    rewrite(arrays);
    CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointStore.load(dir));
    assertTrue(e.getMessage().contains("field 'best' needs checkpoint.npz's best/ arrays laid out as 'parameters'"), e.getMessage());
  }

  /** A damaged newest pair gives way to the previous one, as a pair whose npz is missing does. */
  @Test
  void aNewestPairThatDisagreesFallsBackToThePrevious() throws Exception {
    CheckpointStore.save(dir, CheckpointChild.make(1));
    CheckpointStore.save(dir, CheckpointChild.make(2));
    Path json = dir.resolve("checkpoint.json");
    Files.writeString(json, Files.readString(json).replaceFirst("\"t\": 20", "\"t\": 21"));
    CheckpointStore.Loaded l = CheckpointStore.load(dir);
    assertEquals(1, l.checkpoint().info().epoch());
    assertTrue(l.note().contains("'optimizer_scalars.t' is 21"), l.note());
  }

  /** Replaces checkpoint.npz and the SHA-256 its json records, as a careful hand edit would. */
  private void rewrite(Map<String, INDArray> arrays) throws Exception {
    Npz.write(dir.resolve("checkpoint.npz"), arrays);
    Path json = dir.resolve("checkpoint.json");
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    o.addProperty("npz_sha256", CheckpointStore.sha256(dir.resolve("checkpoint.npz")));
    Files.writeString(json, o.toString());
  }
}
