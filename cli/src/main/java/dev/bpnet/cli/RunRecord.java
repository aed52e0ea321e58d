package dev.bpnet.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bpnet.runtime.io.AtomicFiles;
import dev.bpnet.runtime.io.IoErrors;
import dev.bpnet.runtime.train.CheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code run.json} of a {@code bpnet train} run: the model file and model, the command-line
 * settings ({@code --set}, {@code --seed}) a resumed run applies again, the effective train
 * options, and which examples train, validate and test. Written atomically when the run starts
 * (and again when it is resumed); the checkpoint holds the state, this the experiment.
 */
record RunRecord(String file, String model, List<String> overrides, Map<String, String> options,
    Map<String, String> examples) {
  static final String NAME = "run.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  RunRecord {
    overrides = List.copyOf(overrides);
    options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    examples = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(examples));
  }

  void write(Path dir) {
    JsonObject o = new JsonObject();
    o.addProperty("file", file);
    o.addProperty("model", model);
    JsonArray sets = new JsonArray();
    overrides.forEach(sets::add);
    o.add("overrides", sets);
    o.add("options", GSON.toJsonTree(options));
    o.add("examples", GSON.toJsonTree(examples));
    byte[] bytes = (GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(dir.resolve(NAME), out -> out.write(bytes));
  }

  /** The model recorded in {@code dir}'s run.json; null when there is none or it cannot be read. */
  static String model(Path dir) {
    try {
      JsonElement e = JsonParser.parseString(Files.readString(dir.resolve(NAME), StandardCharsets.UTF_8));
      JsonElement m = e.isJsonObject() ? e.getAsJsonObject().get("model") : null;
      return m != null && m.isJsonPrimitive() ? m.getAsString() : null;
    } catch (IOException | JsonParseException | IllegalStateException x) {
      return null;
    }
  }

  /**
   * The settings recorded in {@code dir}'s run.json; none when there is no run.json (a run
   * written before it existed).
   *
   * @throws CheckpointException when the file cannot be read or is not a run record
   */
  static List<String> overrides(Path dir) {
    Path f = dir.resolve(NAME);
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    JsonElement e;
    try {
      e = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
    } catch (JsonParseException | IllegalStateException x) {
      throw new CheckpointException(f + ": damaged run record: not valid JSON");
    } catch (IOException x) {
      throw new CheckpointException(f + ": cannot read: " + IoErrors.describe(x));
    }
    JsonElement sets = e.isJsonObject() ? e.getAsJsonObject().get("overrides") : null;
    if (sets == null || !sets.isJsonArray()) {
      throw new CheckpointException(f + ": damaged run record: 'overrides' is not a list of settings");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement s : sets.getAsJsonArray()) {
      if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString()) {
        throw new CheckpointException(f + ": damaged run record: 'overrides' holds " + s + ", not a setting NAME=VALUE");
      }
      out.add(s.getAsString());
    }
    return out;
  }
}
