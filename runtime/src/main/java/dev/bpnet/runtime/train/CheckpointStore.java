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
import dev.bpnet.runtime.io.Finite;
import dev.bpnet.runtime.io.IoErrors;
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
 * Checkpoints on disk: {@code checkpoint.npz} (arrays {@code param/<name>},
 * {@code optimizer/<key>} and {@code state/<key>}, the trainer's own state, readable with
 * {@code np.load}) with {@code checkpoint.json} (run
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
  private static final String BEST = "best/";
  private static final String STATE = "state/";
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
      throw new DataException(dir + ": cannot create the checkpoint directory: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
    removeLeftovers(dir);
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    c.parameters().forEach((k, v) -> arrays.put(PARAM + k, v));
    c.optimizerState().forEach((k, v) -> arrays.put(OPTIMIZER + k, v));
    c.trainerState().forEach((k, v) -> arrays.put(STATE + k, v));
    if (c.best() != null) {
      c.best().parameters().forEach((k, v) -> arrays.put(BEST + k, v));
    }
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

  /** Deletes every checkpoint file in {@code dir}: the current, previous and next pairs. */
  public static void remove(Path dir) throws IOException {
    for (String stem : STEMS) {
      Files.deleteIfExists(dir.resolve(stem + ".npz"));
      Files.deleteIfExists(dir.resolve(stem + ".json"));
    }
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
    List<Path> candidates = new ArrayList<>();
    Map<Path, JsonObject> parsed = new LinkedHashMap<>();
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
      parsed.put(json, o);
      candidates.add(json);
    }
    // newest first; a pair whose json and npz disagree gives way to the next one
    candidates.sort((a, b) -> newer(parsed.get(a), parsed.get(b)) ? -1 : newer(parsed.get(b), parsed.get(a)) ? 1 : 0);
    for (Path json : candidates) {
      JsonObject o = parsed.get(json);
      Path npz = npzByHash.get(o.get("npz_sha256").getAsString());
      Checkpoint c;
      try {
        c = fromJson(o, json, npz, readNpz(npz));
      } catch (CheckpointException e) {
        problems.add(e.getMessage());
        continue;
      }
      String note = json.getFileName().toString().equals(JSON) && npz.getFileName().toString().equals(NPZ) ? null
          : "using " + json.getFileName() + " with " + npz.getFileName() + " (epoch " + c.info().epoch()
            + "): the last save was interrupted" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
      return new Loaded(c, json, npz, note);
    }
    throw new CheckpointException(dir + ": no usable checkpoint"
        + (problems.isEmpty() ? " (no checkpoint.json)" : ": " + String.join("; ", problems)));
  }

  /** How far a run got: the epochs its newest checkpoint has, and whether early stopping ended it there. */
  public record Progress(int epoch, boolean stoppedEarly) {}

  /**
   * How far the run in {@code dir} got, from its checkpoints' json alone: the newest json that is
   * valid and has its npz beside it (the same stem); null when there is none. A sweep asks this of
   * each of its runs; {@link #load} would hash and read every npz (hundreds of MB for a net with
   * untied convolutions) to learn one number. A damaged npz shows when the run is resumed.
   */
  public static Progress progress(Path dir) {
    JsonObject newest = null;
    for (String stem : STEMS) {
      Path json = dir.resolve(stem + ".json");
      if (!Files.isRegularFile(json) || !Files.isRegularFile(dir.resolve(stem + ".npz"))) {
        continue;
      }
      try {
        JsonObject o = readJson(json);
        newest = newest == null || newer(o, newest) ? o : newest;
      } catch (CheckpointException e) {
        // as load: another pair may do
      }
    }
    if (newest == null) {
      return null;
    }
    int epoch = newest.get("epoch").getAsInt();
    JsonObject b = newest.has("best") ? newest.getAsJsonObject("best") : null;
    return new Progress(epoch, b != null
        && new BestEpoch(b.get("epoch").getAsInt(), b.get("figure").getAsDouble(), b.get("patience").getAsInt(), Map.of())
            .exhausted(epoch));
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
    if (c.best() != null) {
      // written only by runs that follow their best epoch, so older checkpoints read as before
      JsonObject best = new JsonObject();
      best.addProperty("epoch", c.best().epoch());
      best.addProperty("figure", c.best().figure());
      best.addProperty("patience", c.best().patience());
      o.add("best", best);
    }
    return o;
  }

  /**
   * The checkpoint of a validated json and its npz, after checking that they agree on what both
   * record (parameter names and shapes, optimizer scalars, the optimizer's generator) and that
   * every array is finite: a hand-edited pair with a recomputed SHA-256 is still refused.
   */
  private static Checkpoint fromJson(JsonObject o, Path file, Path npz, Map<String, INDArray> arrays) {
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
    Map<String, INDArray> bestParams = new LinkedHashMap<>();
    Map<String, INDArray> state = new LinkedHashMap<>();
    arrays.forEach((k, v) -> {
      if (k.startsWith(PARAM)) {
        params.put(k.substring(PARAM.length()), v);
      } else if (k.startsWith(OPTIMIZER)) {
        opt.put(k.substring(OPTIMIZER.length()), v);
      } else if (k.startsWith(STATE)) {
        state.put(k.substring(STATE.length()), v);
      } else if (k.startsWith(BEST) && o.has("best")) {
        bestParams.put(k.substring(BEST.length()), v);
      } else {
        throw new CheckpointException(npz + ": unexpected array '" + k
            + "' (a checkpoint holds param/..., optimizer/..., state/... and, with a 'best' field, best/... arrays)");
      }
      String bad = Finite.firstNonFinite(v);
      if (bad != null) {
        throw new CheckpointException(npz + ": damaged checkpoint: array '" + k + "' holds " + bad
            + " (a checkpoint is only ever saved with finite values)");
      }
    });
    agree(file, npz, "parameters", shapes(o.getAsJsonObject("parameters")), shapes(params, PARAM));
    agree(file, npz, "optimizer_scalars", numbers(o.getAsJsonObject("optimizer_scalars")), scalars(opt));
    JsonElement rng = o.getAsJsonObject("rng").get("optimizer");
    INDArray words = opt.get("rng");
    String recorded = rng == null ? "none" : rng.toString();
    String stored = words == null ? "none" : words.dataType().isIntType() && words.rank() == 1
        ? java.util.Arrays.toString(words.toLongVector()).replace(" ", "") : "not a vector of whole numbers";
    if (!recorded.equals(stored)) {
      throw new CheckpointException(file + ": damaged checkpoint: field 'rng.optimizer' is " + recorded + ", but "
          + npz.getFileName() + "'s optimizer/rng is " + stored);
    }
    BestEpoch best = null;
    if (o.has("best")) {
      // the best epoch's parameters are laid out like the parameters
      Map<String, String> want = shapes(o.getAsJsonObject("parameters"));
      Map<String, String> got = shapes(bestParams, BEST);
      if (!want.equals(got)) {
        throw new CheckpointException(file + ": damaged checkpoint: field 'best' needs " + npz.getFileName()
            + "'s best/ arrays laid out as 'parameters' " + want + ", but they are " + got);
      }
      JsonObject b = o.getAsJsonObject("best");
      best = new BestEpoch(b.get("epoch").getAsInt(), b.get("figure").getAsDouble(), b.get("patience").getAsInt(), bestParams);
    }
    return new Checkpoint(info, params, opt, state, best);
  }


  /** The json's record of {@code field} against what the npz holds, entry by entry. */
  private static void agree(Path json, Path npz, String field, Map<String, String> recorded, Map<String, String> stored) {
    for (String k : new java.util.TreeSet<>(union(recorded.keySet(), stored.keySet()))) {
      String r = recorded.get(k);
      String s = stored.get(k);
      if (!java.util.Objects.equals(r, s)) {
        throw new CheckpointException(json + ": damaged checkpoint: field '" + field + "." + k + "' is "
            + (r == null ? "missing" : r) + ", but " + npz.getFileName() + " holds "
            + (s == null ? "no such array" : s));
      }
    }
  }

  private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.Set<String> u = new java.util.LinkedHashSet<>(a);
    u.addAll(b);
    return u;
  }

  /** Shapes as "[4, 8]", from validated json. */
  private static Map<String, String> shapes(JsonObject o) {
    Map<String, String> m = new LinkedHashMap<>();
    o.entrySet().forEach(e -> {
      List<Long> dims = new ArrayList<>();
      e.getValue().getAsJsonArray().forEach(d -> dims.add(d.getAsLong()));
      m.put(e.getKey(), dims.toString());
    });
    return m;
  }

  private static Map<String, String> shapes(Map<String, INDArray> arrays, String prefix) {
    Map<String, String> m = new LinkedHashMap<>();
    arrays.forEach((k, v) -> m.put(k, java.util.Arrays.toString(v.shape())));
    return m;
  }

  /** Numbers as exact decimals, from validated json, so 4 and 4.0 agree and -3 does not. */
  private static Map<String, String> numbers(JsonObject o) {
    Map<String, String> m = new LinkedHashMap<>();
    o.entrySet().forEach(e -> {
      java.math.BigDecimal d = e.getValue().getAsBigDecimal();
      // a fraction was written from a double: read it back as one, as the npz's value is compared
      m.put(e.getKey(), decimal(d.stripTrailingZeros().scale() > 0 ? java.math.BigDecimal.valueOf(d.doubleValue()) : d));
    });
    return m;
  }

  /** The 0-d arrays of the optimizer state, as {@link #toJson} records them. */
  private static Map<String, String> scalars(Map<String, INDArray> opt) {
    Map<String, String> m = new LinkedHashMap<>();
    opt.forEach((k, v) -> {
      if (v.rank() == 0) {
        m.put(k, v.dataType().isIntType() ? decimal(java.math.BigDecimal.valueOf(v.getLong(0)))
            : Double.isFinite(v.getDouble(0)) ? decimal(java.math.BigDecimal.valueOf(v.getDouble(0))) : "not finite");
      }
    });
    return m;
  }

  private static String decimal(java.math.BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static JsonObject readJson(Path json) {
    JsonElement e;
    try {
      e = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
    } catch (JsonParseException | IllegalStateException | NumberFormatException x) {
      throw new CheckpointException(json + ": damaged checkpoint: not valid JSON" + where(x), x);
    } catch (IOException x) {
      throw new CheckpointException(json + ": cannot read: " + IoErrors.describe(x), x);
    }
    if (!e.isJsonObject()) {
      throw new CheckpointException(json + ": not a checkpoint (expected a JSON object)");
    }
    JsonObject o = e.getAsJsonObject();
    for (String f : List.of("format", "model", "model_hash", "dtype", "epoch", "step", "epochs", "finished",
        "seconds", "npz", "npz_sha256", "rng", "hyperparameters", "parameters", "optimizer_scalars")) {
      if (!o.has(f)) {
        throw new CheckpointException(json + ": not a checkpoint: field '" + f + "' is missing");
      }
    }
    long format = whole(o, "format", json, Long.MIN_VALUE, Long.MAX_VALUE);
    if (format != FORMAT) {
      throw new CheckpointException(json + ": checkpoint format " + format + ", this version reads " + FORMAT);
    }
    validate(o, json);
    return o;
  }

  /**
   * Checks every field {@link #fromJson} and {@link #load} read, so that a hand-edited or damaged
   * json is refused naming the field, before any number reaches an int (no overflow, no negative
   * epoch).
   */
  private static void validate(JsonObject o, Path json) {
    for (String f : List.of("model", "model_hash", "dtype", "npz", "npz_sha256")) {
      text(o, f, json);
    }
    if (!o.get("npz").getAsString().equals(NPZ)) {
      // the npz is found by its hash, never by this name: a path here is damage (or mischief)
      throw damaged(json, "npz", o.get("npz"), "\"" + NPZ + "\"");
    }
    if (!o.get("npz_sha256").getAsString().matches("[0-9a-f]{64}")) {
      throw damaged(json, "npz_sha256", o.get("npz_sha256"), "a SHA-256 in 64 hexadecimal digits");
    }
    long epochs = whole(o, "epochs", json, 1, Integer.MAX_VALUE);
    // a run never completes more epochs than it plans ('epochs')
    whole(o, "epoch", "epoch", json, 0, epochs, " (its 'epochs')");
    long epoch = o.get("epoch").getAsLong();
    JsonElement finished = o.get("finished");
    if (!finished.isJsonPrimitive() || !finished.getAsJsonPrimitive().isBoolean()
        || finished.getAsBoolean() != epoch >= epochs) {
      throw damaged(json, "finished", finished, (epoch >= epochs) + " (epoch " + epoch + " of " + epochs + ")");
    }
    whole(o, "step", json, 0, Long.MAX_VALUE);
    JsonElement seconds = o.get("seconds");
    if (!seconds.isJsonPrimitive() || !seconds.getAsJsonPrimitive().isNumber()
        || !Double.isFinite(seconds.getAsDouble()) || seconds.getAsDouble() < 0) {
      throw damaged(json, "seconds", seconds, "a finite number of seconds, 0 or more");
    }
    JsonObject rng = object(o, "rng", json);
    JsonObject shuffle = object(rng, "rng.batch_shuffle", "batch_shuffle", json);
    if (!shuffle.has("seed")) {
      throw new CheckpointException(json + ": damaged checkpoint: field 'rng.batch_shuffle.seed' is missing");
    }
    whole(shuffle, "seed", "rng.batch_shuffle.seed", json, Long.MIN_VALUE, Long.MAX_VALUE);
    if (shuffle.has("next_epoch")) {
      whole(shuffle, "next_epoch", "rng.batch_shuffle.next_epoch", json, epoch, epoch, " (its 'epoch')");
    }
    if (rng.has("optimizer")) {
      JsonElement words = rng.get("optimizer");
      if (!words.isJsonArray() || words.getAsJsonArray().size() != 2) {
        throw damaged(json, "rng.optimizer", words, "the generator's two state words");
      }
      JsonObject w = new JsonObject();
      for (int i = 0; i < 2; i++) {
        w.add(String.valueOf(i), words.getAsJsonArray().get(i));
        whole(w, String.valueOf(i), "rng.optimizer[" + i + "]", json, Long.MIN_VALUE, Long.MAX_VALUE);
      }
    }
    for (Map.Entry<String, JsonElement> p : object(o, "parameters", json).entrySet()) {
      String path = "parameters." + p.getKey();
      if (!p.getValue().isJsonArray()) {
        throw damaged(json, path, p.getValue(), "a shape, a list of whole numbers 0 or more");
      }
      JsonObject dims = new JsonObject();
      com.google.gson.JsonArray a = p.getValue().getAsJsonArray();
      for (int i = 0; i < a.size(); i++) {
        dims.add(String.valueOf(i), a.get(i));
        whole(dims, String.valueOf(i), path + "[" + i + "]", json, 0, Long.MAX_VALUE);
      }
    }
    for (Map.Entry<String, JsonElement> v : object(o, "optimizer_scalars", json).entrySet()) {
      JsonElement x = v.getValue();
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw damaged(json, "optimizer_scalars." + v.getKey(), x, "a number");
      }
      try {
        x.getAsBigDecimal();
      } catch (NumberFormatException e) {
        throw damaged(json, "optimizer_scalars." + v.getKey(), x, "a number");
      }
    }
    if (o.has("best")) {
      JsonObject best = object(o, "best", json);
      for (String f : List.of("epoch", "figure", "patience")) {
        if (!best.has(f)) {
          throw new CheckpointException(json + ": damaged checkpoint: field 'best." + f + "' is missing");
        }
      }
      whole(best, "epoch", "best.epoch", json, 1, Math.max(1, epoch), " (its 'epoch')");
      whole(best, "patience", "best.patience", json, 0, Integer.MAX_VALUE);
      JsonElement figure = best.get("figure");
      if (!figure.isJsonPrimitive() || !figure.getAsJsonPrimitive().isNumber() || !Double.isFinite(figure.getAsDouble())) {
        throw damaged(json, "best.figure", figure, "a finite number (the best validation figure)");
      }
    }
    for (Map.Entry<String, JsonElement> h : object(o, "hyperparameters", json).entrySet()) {
      if (!h.getValue().isJsonPrimitive()) {
        throw damaged(json, "hyperparameters." + h.getKey(), h.getValue(), "a string");
      }
    }
  }

  /** " at line 3, column 7" from a JSON parser's message, or "". */
  private static String where(Exception x) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+) column (\\d+)")
        .matcher(String.valueOf(x.getMessage()));
    return m.find() ? " at line " + m.group(1) + ", column " + m.group(2) : "";
  }

  private static CheckpointException damaged(Path json, String field, JsonElement value, String expected) {
    String shown = value.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 37) + "...";
    }
    return new CheckpointException(json + ": damaged checkpoint: field '" + field + "' is " + shown
        + ", expected " + expected);
  }

  private static String text(JsonObject o, String field, Path json) {
    JsonElement v = o.get(field);
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
      throw damaged(json, field, v, "a string");
    }
    return v.getAsString();
  }

  private static JsonObject object(JsonObject o, String field, Path json) {
    return object(o, field, field, json);
  }

  private static JsonObject object(JsonObject o, String path, String field, Path json) {
    JsonElement v = o.get(field);
    if (v == null) {
      throw new CheckpointException(json + ": damaged checkpoint: field '" + path + "' is missing");
    }
    if (!v.isJsonObject()) {
      throw damaged(json, path, v, "a JSON object");
    }
    return v.getAsJsonObject();
  }

  private static long whole(JsonObject o, String field, Path json, long min, long max) {
    return whole(o, field, field, json, min, max, "");
  }

  private static long whole(JsonObject o, String field, String path, Path json, long min, long max) {
    return whole(o, field, path, json, min, max, "");
  }

  /** A whole number in [min, max], compared exactly (as a decimal) so nothing overflows on the way. */
  private static long whole(JsonObject o, String field, String path, Path json, long min, long max, String bound) {
    JsonElement v = o.get(field);
    String expected = "a whole number" + (min == Long.MIN_VALUE ? "" : max == Long.MAX_VALUE
        ? " of at least " + min : " from " + min + " to " + max + bound);
    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw damaged(json, path, v, expected);
    }
    java.math.BigDecimal d;
    try {
      d = v.getAsBigDecimal();
    } catch (NumberFormatException x) {
      throw damaged(json, path, v, expected);
    }
    if (d.stripTrailingZeros().scale() > 0 || d.compareTo(java.math.BigDecimal.valueOf(min)) < 0
        || d.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
      throw damaged(json, path, v, expected);
    }
    // a whole number in range: the property is replaced by its exact long, so later reads agree
    long n = d.longValueExact();
    o.addProperty(field, n);
    return n;
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
      throw new DataException(dir.resolve(from) + ": cannot rename to " + to + ": " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
