package dev.bpnet.cli;

import com.google.gson.GsonBuilder;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Gradients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bpnet evaluate FILE --params P.npz [--data DATA] [--json F.json]}: the loss, l_x (three
 * passes), accuracy and confusion matrix (classifiers) or mean squared error (regression) of a
 * trained model on a data split.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Prints the loss, l_x (three-pass models), and the accuracy with a confusion matrix (classifiers) or the"
        + " mean squared error (regression) of a trained model on a data split.")
final class EvaluateCommand extends InferenceCommand {
  @Option(names = "--json", paramLabel = "F.json", converter = OutputPaths.FileArgument.class, description = "also write the figures as JSON")
  Path json;

  @Override
  String usageProblem() {
    return json == null ? null : OutputPaths.fileProblem("--json", json, file, source.file());
  }

  @Override
  int run(SourceFile src) throws IOException {
    Prepared p = prepare(src);
    if (p == null) {
      return Main.MODEL_ERRORS;
    }
    int n = p.examples().size();
    int k = (int) p.examples().labels().columns();
    String input = p.trainer().inputNames().get(0);
    String label = p.trainer().labelNames().get(0);
    double loss = 0;
    double inputLoss = 0;
    double squares = 0;
    long[][] confusion = new long[k][k];
    for (int from = 0; from < n; from += p.batch()) {
      int to = Math.min(n, from + p.batch());
      INDArray x = p.examples().features().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      INDArray y = p.examples().labels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      Gradients g = p.trainer().gradients(Map.of(input, x, label, y));
      // L and l_x are batch means: weighted by the batch's size, they average over the examples
      loss += g.loss() * (to - from);
      inputLoss += g.inputLoss() * (to - from);
      // the output the gradients' forward pass left, not a second forward pass
      INDArray last = p.trainer().lastOutput();
      double[][] out = (last != null ? last : output(p, from, to)).toDoubleMatrix();
      double[][] want = y.toDoubleMatrix();
      for (int i = 0; i < out.length; i++) {
        if (p.regression()) {
          for (int j = 0; j < k; j++) {
            squares += (out[i][j] - want[i][j]) * (out[i][j] - want[i][j]);
          }
        } else {
          confusion[argMax(want[i])][argMax(out[i])]++;
        }
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("model", p.tg().program().name());
    figures.put("parameters", source.file().toString());
    figures.put("data", p.description());
    figures.put("examples", n);
    figures.put("loss", loss / n);
    if (!Double.isNaN(inputLoss)) {
      figures.put("input_loss", inputLoss / n);
    }
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s on %s, parameters %s%nloss %.6g",
        p.tg().program().name(), p.description(), source.file(), loss / n));
    text.append(Double.isNaN(inputLoss) ? ", l_x not computed (it comes from the third pass; passes = 2)"
        : String.format(Locale.ROOT, ", l_x %.6g", inputLoss / n));
    if (p.regression()) {
      double mse = squares / ((double) n * k);
      figures.put("mse", mse);
      text.append(String.format(Locale.ROOT, ", mean squared error %.6g%n", mse));
    } else {
      long correct = 0;
      for (int c = 0; c < k; c++) {
        correct += confusion[c][c];
      }
      figures.put("accuracy", (double) correct / n);
      figures.put("confusion", confusion);
      text.append(String.format(Locale.ROOT, ", accuracy %.2f%% (%d of %d)%n", 100.0 * correct / n, correct, n));
      text.append(matrix(confusion));
    }
    out().print(text);
    if (json != null) {
      Files.writeString(json, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
          .toJson(figures) + "\n", StandardCharsets.UTF_8);
      out().println("wrote " + json);
    }
    return Main.OK;
  }

  private static int argMax(double[] v) {
    int best = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[best]) {
        best = j;
      }
    }
    return best;
  }

  /** The confusion matrix as a table: a row per true class, a column per predicted class. */
  static String matrix(long[][] m) {
    int width = 4;
    for (long[] row : m) {
      for (long v : row) {
        width = Math.max(width, Long.toString(v).length() + 1);
      }
    }
    StringBuilder b = new StringBuilder("confusion matrix (rows: true class, columns: predicted class):\n");
    b.append(" ".repeat(6));
    for (int j = 0; j < m.length; j++) {
      b.append(String.format("%" + width + "d", j));
    }
    b.append('\n');
    for (int i = 0; i < m.length; i++) {
      b.append(String.format("%6d", i));
      for (long v : m[i]) {
        b.append(String.format("%" + width + "d", v));
      }
      b.append('\n');
    }
    return b.toString();
  }
}
