package dev.bpnet.cli;

import dev.bpnet.runtime.io.ParamsFile;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The commands' reading of a parameters file: {@link ParamsFile}'s problems, printed one a line. */
final class ParamsFiles {
  private ParamsFiles() {}

  /**
   * The parameters of {@code source}, every one the model has ({@code model}: names and shapes);
   * null after printing each problem to {@code err}.
   */
  static Map<String, INDArray> readAll(ParamsSource source, Map<String, long[]> model, java.io.PrintWriter err) {
    Map<String, INDArray> values = dev.bpnet.runtime.io.Npz.read(source.file());
    List<String> problems = ParamsFile.problems(model, values, source.option(), true);
    problems.forEach(m -> err.println("error: " + m));
    return problems.isEmpty() ? values : null;
  }
}
