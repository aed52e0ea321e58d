package dev.bpnet.runtime.io;

import dev.bpnet.runtime.data.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameters file (params.npz, best.npz, or one a user wrote) read against a model: every
 * name the model does not have, every shape that differs and, where all are needed, every
 * parameter missing, named together. The after-training commands ({@code predict},
 * {@code evaluate}, {@code export}, {@code gradients}) and the generated {@code <Model>Model}
 * classes' {@code load} share it.
 */
public final class ParamsFile {
  private ParamsFile() {}

  /**
   * A run directory's kept parameters: best.npz (the best validation epoch) when its run.json
   * says keep = best and the file is there, else params.npz (the last epoch's; a run with
   * early stopping and keep = last writes best.npz too, but keeps params.npz).
   */
  public static Path inRun(Path run) {
    Path best = run.resolve(dev.bpnet.runtime.train.TrainingLoop.BEST);
    return keepsBest(run) && Files.isRegularFile(best) ? best : run.resolve("params.npz");
  }

  /** Whether the run in {@code run} kept its best validation epoch: run.json's options say keep = best. */
  public static boolean keepsBest(Path run) {
    return "best".equals(keep(run));
  }

  /** The keep option recorded in a run's run.json (options.keep), or null. */
  private static String keep(Path run) {
    try {
      com.google.gson.JsonElement e = com.google.gson.JsonParser.parseString(
          Files.readString(run.resolve("run.json"), java.nio.charset.StandardCharsets.UTF_8));
      com.google.gson.JsonElement options = e.isJsonObject() ? e.getAsJsonObject().get("options") : null;
      com.google.gson.JsonElement v = options != null && options.isJsonObject() ? options.getAsJsonObject().get("keep") : null;
      return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
    } catch (java.io.IOException | com.google.gson.JsonParseException | IllegalStateException x) {
      return null;
    }
  }

  /** {@code path} itself, or, when it is a directory (a run of {@code bpnet train}), {@link #inRun}. */
  public static Path resolve(Path path) {
    return Files.isDirectory(path) ? inRun(path) : path;
  }

  /**
   * What is wrong with {@code given} for a model whose parameters have the shapes {@code model}
   * (in the model's order); empty when nothing is.
   *
   * @param option how the source is named in the messages (a file, or {@code --params P.npz})
   * @param all whether every parameter must be given (else the missing ones keep their values)
   */
  public static List<String> problems(Map<String, long[]> model, Map<String, INDArray> given, String option, boolean all) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : given.entrySet()) {
      long[] want = model.get(e.getKey());
      if (want == null) {
        problems.add("parameter '" + e.getKey() + "' in " + option + " is not in the model; its parameters are "
            + model.keySet());
      } else if (!Arrays.equals(want, e.getValue().shape())) {
        problems.add("parameter '" + e.getKey() + "' has shape " + Arrays.toString(e.getValue().shape()) + " in " + option
            + " but " + Arrays.toString(want) + " in the model");
      }
    }
    if (all) {
      for (String name : model.keySet()) {
        if (!given.containsKey(name)) {
          problems.add(option + " has no parameter '" + name + "' (" + Arrays.toString(model.get(name))
              + "); is it the parameters of another model?");
        }
      }
    }
    return problems;
  }

  /**
   * Every parameter of a model ({@code model}: names and shapes) from a parameters file or a run
   * directory ({@link #resolve}).
   *
   * @throws DataException naming every problem ({@link #problems}) when the file is not this
   *     model's, or when it cannot be read
   */
  public static Map<String, INDArray> read(Path fileOrRun, Map<String, long[]> model) {
    Path file = resolve(fileOrRun);
    Map<String, INDArray> values = Npz.read(file);
    List<String> problems = problems(model, values, file.toString(), true);
    if (!problems.isEmpty()) {
      throw new DataException(String.join("; ", problems));
    }
    return values;
  }
}
