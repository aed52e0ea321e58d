package dev.bpnet.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.AtomicFiles;
import dev.bpnet.runtime.io.Npz;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints on disk: {@code checkpoint.npz} (arrays {@code param/<name>} and
 * {@code optimizer/<key>}, readable with {@code np.load}) with {@code checkpoint.json} (run
 * information and the npz's SHA-256).
 *
 * <p>The pair must match even if the process dies between two renames. A save therefore
 * (1) writes {@code checkpoint.next.npz} then {@code checkpoint.next.json}, each atomically
 * (temporary file, fsync, rename); (2) moves the current pair to {@code checkpoint.previous.*}
 * (npz first); (3) moves the next pair to {@code checkpoint.*} (npz first). Every file on disk is
 * complete, and at every moment some json names, by hash, an npz that exists: {@link #load}
 * takes the newest such pair, wherever the files stand, and says so when it is not
 * {@code checkpoint.*}.
 */
public final class CheckpointStore {
  public static final String NPZ = "checkpoint.npz";
  public static final String JSON = "checkpoint.json";
  private static final List<String> STEMS = List.of("checkpoint", "checkpoint.next", "checkpoint.previous");
  private static final String PARAM = "param/";
  private static final String OPTIMIZER = "optimizer/";
  private static final int FORMAT = 1;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
      .serializeSpecialFloatingPointValues().create();

  private CheckpointStore() {}

  /** A checkpoint read back, with a note when it is not the one named checkpoint.json. */
  public record Loaded(Checkpoint checkpoint, Path json, Path npz, String note) {}

  /** Saves {@code c} in {@code dir} as described above; returns the path of checkpoint.json. */
  public static Path save(Path dir, Checkpoint c) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DataException(dir + ": cannot create the checkpoint directory: " + e, e);
    }
    removeLeftovers(dir);
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    c.parameters().forEach((k, v) -> arrays.put(PARAM + k, v));
    c.optimizerState().forEach((k, v) -> arrays.put(OPTIMIZER + k, v));
    Path nextNpz = dir.resolve("checkpoint.next.npz");
    Path nextJson = dir.resolve("checkpoint.next.json");
    Npz.write(nextNpz, arrays);
    byte[] json = GSON.toJson(toJson(c, sha256(nextNpz))).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(nextJson, out -> out.write(json));
    move(dir, "checkpoint.npz", "checkpoint.previous.npz");
    move(dir, "checkpoint.json", "checkpoint.previous.json");
    move(dir, "checkpoint.next.npz", NPZ);
    move(dir, "checkpoint.next.json", JSON);
    AtomicFiles.syncDirectory(dir);
    return dir.resolve(JSON);
  }

  /** Whether {@code dir} holds any checkpoint file at all. */
  public static boolean exists(Path dir) {
    return STEMS.stream().anyMatch(s -> Files.exists(dir.resolve(s + ".json")));
  }

  /**
   * The newest checkpoint in {@code dir} whose json and npz match.
   *
   * @throws CheckpointException if there is none, saying what was found wrong with each file
   */
  public static Loaded load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(dir + ": no such directory (--resume takes the --out directory of a run)");
    }
    Map<String, Path> npzByHash = new LinkedHashMap<>();
    for (String stem : STEMS) {
      Path npz = dir.resolve(stem + ".npz");
      if (Files.isRegularFile(npz)) {
        npzByHash.putIfAbsent(sha256(npz), npz);
      }
    }
    List<String> problems = new ArrayList<>();
    JsonObject best = null;
    Path bestJson = null;
    for (String stem : STEMS) {
      Path json = dir.resolve(stem + ".json");
      if (!Files.isRegularFile(json)) {
        continue;
      }
      JsonObject o;
      try {
        o = readJson(json);
      } catch (CheckpointException e) {
        problems.add(e.getMessage());
        continue;
      }
      if (!npzByHash.containsKey(o.get("npz_sha256").getAsString())) {
        problems.add(json + ": no checkpoint npz has the SHA-256 it names (its npz is missing or damaged)");
        continue;
      }
      if (best == null || newer(o, best)) {
        best = o;
        bestJson = json;
      }
    }
    if (best == null) {
      throw new CheckpointException(dir + ": no usable checkpoint"
          + (problems.isEmpty() ? " (no checkpoint.json)" : ": " + String.join("; ", problems)));
    }
    Path npz = npzByHash.get(best.get("npz_sha256").getAsString());
    Checkpoint c = fromJson(best, bestJson, readNpz(npz));
    String note = bestJson.getFileName().toString().equals(JSON) && npz.getFileName().toString().equals(NPZ) ? null
        : "using " + bestJson.getFileName() + " with " + npz.getFileName() + " (epoch " + c.info().epoch()
          + "): the last save was interrupted" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
    return new Loaded(c, bestJson, npz, note);
  }

  private static boolean newer(JsonObject a, JsonObject b) {
    long sa = a.get("step").getAsLong();
    long sb = b.get("step").getAsLong();
    return sa != sb ? sa > sb : a.get("epoch").getAsInt() > b.get("epoch").getAsInt();
  }

  private static JsonObject toJson(Checkpoint c, String npzHash) {
    Checkpoint.Info i = c.info();
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("model", i.model());
    o.addProperty("model_hash", i.modelHash());
    o.addProperty("dtype", i.dtype());
    o.addProperty("epoch", i.epoch());
    o.addProperty("step", i.step());
    o.addProperty("epochs", i.epochs());
    o.addProperty("finished", i.finished());
    o.addProperty("seconds", i.seconds());
    o.addProperty("npz", NPZ);
    o.addProperty("npz_sha256", npzHash);
    JsonObject rng = new JsonObject();
    JsonObject shuffle = new JsonObject();
    shuffle.addProperty("seed", i.seed());
    shuffle.addProperty("next_epoch", i.epoch());
    shuffle.addProperty("note", "epoch e's batch order depends only on (seed, e)");
    rng.add("batch_shuffle", shuffle);
    INDArray opt = c.optimizerState().get("rng");
    if (opt != null) {
      JsonArray words = new JsonArray();
      for (long w : opt.toLongVector()) {
        words.add(w);
      }
      rng.add("optimizer", words);
    }
    o.add("rng", rng);
    JsonObject hyper = new JsonObject();
    new TreeMap<>(i.hyperparameters()).forEach(hyper::addProperty);
    o.add("hyperparameters", hyper);
    JsonObject params = new JsonObject();
    c.parameters().forEach((k, v) -> params.add(k, GSON.toJsonTree(v.shape())));
    o.add("parameters", params);
    JsonObject scalars = new JsonObject();
    c.optimizerState().forEach((k, v) -> {
      if (v.rank() == 0) {
        scalars.addProperty(k, v.dataType() == DataType.LONG ? (Number) v.getLong(0) : (Number) v.getDouble(0));
      }
    });
    o.add("optimizer_scalars", scalars);
    return o;
  }

  private static Checkpoint fromJson(JsonObject o, Path file, Map<String, INDArray> arrays) {
    try {
      Map<String, String> hyper = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("hyperparameters").entrySet()) {
        hyper.put(e.getKey(), e.getValue().getAsString());
      }
      Checkpoint.Info info = new Checkpoint.Info(o.get("model").getAsString(), o.get("model_hash").getAsString(),
          o.get("dtype").getAsString(), o.get("epoch").getAsInt(), o.get("step").getAsLong(),
          o.get("epochs").getAsInt(), o.get("seconds").getAsDouble(),
          o.getAsJsonObject("rng").getAsJsonObject("batch_shuffle").get("seed").getAsLong(), hyper);
      Map<String, INDArray> params = new LinkedHashMap<>();
      Map<String, INDArray> opt = new LinkedHashMap<>();
      arrays.forEach((k, v) -> {
        if (k.startsWith(PARAM)) {
          params.put(k.substring(PARAM.length()), v);
        } else if (k.startsWith(OPTIMIZER)) {
          opt.put(k.substring(OPTIMIZER.length()), v);
        } else {
          throw new CheckpointException(file.resolveSibling(NPZ) + ": unexpected array '" + k
              + "' (a checkpoint holds param/... and optimizer/... arrays)");
        }
      });
      return new Checkpoint(info, params, opt);
    } catch (RuntimeException e) {
      if (e instanceof CheckpointException c) {
        throw c;
      }
      throw new CheckpointException(file + ": missing or malformed field: " + e.getMessage(), e);
    }
  }

  private static JsonObject readJson(Path json) {
    try {
      JsonElement e = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new CheckpointException(json + ": not a checkpoint (expected a JSON object)");
      }
      JsonObject o = e.getAsJsonObject();
      for (String f : List.of("format", "model", "model_hash", "dtype", "epoch", "step", "epochs", "seconds",
          "npz_sha256", "rng", "hyperparameters")) {
        if (!o.has(f)) {
          throw new CheckpointException(json + ": not a checkpoint: field '" + f + "' is missing");
        }
      }
      if (o.get("format").getAsInt() != FORMAT) {
        throw new CheckpointException(json + ": checkpoint format " + o.get("format") + ", this version reads " + FORMAT);
      }
      return o;
    } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
      throw new CheckpointException(json + ": damaged (not valid JSON): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CheckpointException(json + ": cannot read: " + e, e);
    }
  }

  private static Map<String, INDArray> readNpz(Path npz) {
    try {
      return Npz.read(npz);
    } catch (DataException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
  }

  /** Temporary files of saves killed half-way (complete files are never temporaries). */
  private static void removeLeftovers(Path dir) {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("\\.checkpoint\\..*\\.tmp")).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // stale temporaries waste space but harm nothing
    }
  }

  private static void move(Path dir, String from, String to) {
    try {
      Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      // nothing to move: the first save, or the previous pair is already out of the way
    } catch (IOException e) {
      throw new DataException(dir.resolve(from) + ": cannot rename to " + to + ": " + e, e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
