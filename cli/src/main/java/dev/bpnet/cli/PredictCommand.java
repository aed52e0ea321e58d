package dev.bpnet.cli;

import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.io.Npz;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bpnet predict FILE --params P.npz [--data DATA] [--out F.csv|F.npz]}: the model's output
 * for every example; for classifiers the class probabilities and the arg-max class.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Writes the model's output for every example of a data split: for classifiers the class probabilities"
        + " (the softmax of the output, unless its rows already are distributions) and the arg-max class.")
final class PredictCommand extends InferenceCommand {
  @Option(names = "--out", paramLabel = "F.csv|F.npz", converter = OutputPaths.FileArgument.class, description = "where to write the predictions (default: CSV on standard output)")
  Path outFile;

  @Override
  String usageProblem() {
    if (outFile == null) {
      return null;
    }
    String name = outFile.getFileName() == null ? "" : outFile.getFileName().toString();
    if (!name.endsWith(".csv") && !name.endsWith(".npz")) {
      return "--out must name a .csv or .npz file, got " + outFile;
    }
    return OutputPaths.fileProblem("--out", outFile, file, source.file());
  }

  @Override
  int run(SourceFile src) throws IOException {
    Prepared p = prepare(src);
    if (p == null) {
      return Main.MODEL_ERRORS;
    }
    int n = p.examples().size();
    INDArray output = Nd4j.create(DataType.DOUBLE, n, p.examples().labels().columns());
    for (int from = 0; from < n; from += p.batch()) {
      int to = Math.min(n, from + p.batch());
      output.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to), org.nd4j.linalg.indexing.NDArrayIndex.all())
          .assign(output(p, from, to).castTo(DataType.DOUBLE));
    }
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    arrays.put("output", output);
    if (!p.regression()) {
      INDArray probabilities = distributions(output) ? output : softmax(output);
      arrays.put("probabilities", probabilities);
      arrays.put("class", output.argMax(1).castTo(DataType.INT));
      arrays.put("label", p.examples().labels().argMax(1).castTo(DataType.INT));
    }
    if (outFile != null && outFile.toString().endsWith(".npz")) {
      Npz.write(outFile, arrays);
    } else {
      String csv = csv(arrays, p.regression());
      if (outFile == null) {
        out().print(csv);
        out().flush();
        return Main.OK;
      }
      Files.writeString(outFile, csv, StandardCharsets.UTF_8);
    }
    out().printf("wrote %s: %s for %s%n", outFile, p.regression() ? "outputs" : "class probabilities and classes", p.description());
    return Main.OK;
  }

  /** Whether every row is already a probability distribution (non-negative, summing to 1). */
  static boolean distributions(INDArray out) {
    return out.minNumber().doubleValue() >= 0 && out.sum(1).sub(1.0).amaxNumber().doubleValue() < 1e-6;
  }

  /** Row-wise softmax, in double, shifted by each row's maximum. */
  static INDArray softmax(INDArray out) {
    INDArray e = out.subColumnVector(out.max(1).reshape(out.rows(), 1));
    e = org.nd4j.linalg.ops.transforms.Transforms.exp(e, true);
    return e.divColumnVector(e.sum(1).reshape(out.rows(), 1));
  }

  private static String csv(Map<String, INDArray> a, boolean regression) {
    StringWriter s = new StringWriter();
    PrintWriter w = new PrintWriter(s);
    INDArray values = regression ? a.get("output") : a.get("probabilities");
    int k = (int) values.columns();
    StringBuilder header = new StringBuilder(regression ? "index" : "index,label,class");
    for (int j = 0; j < k; j++) {
      header.append(regression ? ",out_" : ",p_").append(j);
    }
    w.println(header);
    double[][] v = values.toDoubleMatrix();
    for (int i = 0; i < v.length; i++) {
      StringBuilder line = new StringBuilder().append(i);
      if (!regression) {
        line.append(',').append(a.get("label").getInt(i)).append(',').append(a.get("class").getInt(i));
      }
      for (double x : v[i]) {
        line.append(',').append(String.format(Locale.ROOT, "%.6g", x));
      }
      w.println(line);
    }
    w.flush();
    return s.toString();
  }
}
