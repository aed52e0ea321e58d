package dev.bpnet.cli;

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
 * parameter missing, named together. {@code gradients}, {@code export} and the other
 * after-training commands share it.
 */
final class ParamsFile {
  private ParamsFile() {}

  /**
   * A run directory's kept parameters: best.npz (the best validation epoch) when its run.json
   * says keep = best and the file is there, else params.npz (the last epoch's; a run with
   * early stopping and keep = last writes best.npz too, but keeps params.npz).
   */
  static Path inRun(Path run) {
    Path best = run.resolve(dev.bpnet.runtime.train.TrainingLoop.BEST);
    return "best".equals(RunRecord.option(run, "keep")) && Files.isRegularFile(best) ? best : run.resolve("params.npz");
  }

  /**
   * What is wrong with {@code given} for a model whose parameters have the shapes {@code model}
   * (in the model's order); empty when nothing is.
   *
   * @param all whether every parameter must be given (else the missing ones keep their values)
   */
  static List<String> problems(Map<String, long[]> model, Map<String, INDArray> given, String option, boolean all) {
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
   * The parameters of {@code source}, every one the model has ({@code model}: names and shapes);
   * null after printing each problem to {@code err}.
   */
  static Map<String, INDArray> readAll(ParamsSource source, Map<String, long[]> model, java.io.PrintWriter err)
      throws java.io.IOException {
    Map<String, INDArray> values = dev.bpnet.runtime.io.Npz.read(source.file());
    List<String> problems = problems(model, values, source.option(), true);
    problems.forEach(m -> err.println("error: " + m));
    return problems.isEmpty() ? values : null;
  }
}
