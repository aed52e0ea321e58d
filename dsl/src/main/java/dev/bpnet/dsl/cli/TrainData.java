package dev.bpnet.dsl.cli;

import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.syntax.TrainOptions;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.data.Synthetic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where {@code bpnet train} gets its data: "mnist" is the bundled 10,000-digit subset (8,000
 * train, 2,000 test); "teacher_student", "cosine" and "cubic" are the generated regression
 * tasks of seeds 001, 004 and 002 ({@link Synthetic}); a directory holds IDX files (train-*
 * and, if present, t10k-* as the test set, else the last 20% of the training files). Shapes
 * are checked against the model. {@code regression}: the labels are real-valued targets, so
 * the test figure is the mean squared error rather than accuracy.
 */
record TrainData(Dataset train, Dataset test, String description, boolean regression) {

  static TrainData load(String data, Map<String, Double> args, Path modelDir, Program p, DataType dt) {
    int[] widths = widths(p);
    TrainData d;
    if (data.equals("mnist")) {
      Dataset.Split s = Mnist.bundled(dt).split(8000);
      d = new TrainData(s.first(), s.rest(), "bundled MNIST subset (8,000 train, 2,000 test)", false);
    } else if (Synthetic.ARGUMENTS.containsKey(data)) {
      Map<String, Double> a = new java.util.LinkedHashMap<>(Synthetic.ARGUMENTS.get(data));
      a.putAll(args);
      Synthetic.TrainTest s = Synthetic.trainAndTest(data, a, widths[0], widths[1], dt);
      d = new TrainData(s.train(), s.test(), describe(data, a, s), true);
    } else {
      Path dir = Path.of(data);
      if (!dir.isAbsolute() && !Files.isDirectory(dir) && modelDir != null) {
        dir = modelDir.resolve(data);
      }
      if (!Files.isDirectory(dir)) {
        throw new DataException("data '" + data + "' is neither a known data set ("
            + String.join(", ", new java.util.TreeSet<>(TrainOptions.DATA.keySet())) + ") nor a directory");
      }
      Dataset train = Mnist.fromDirectory(dir, dt);
      if (hasTestFiles(dir)) {
        d = new TrainData(train, Mnist.testFromDirectory(dir, dt), dir + " (train and t10k files)", false);
      } else {
        Dataset.Split s = train.split(train.size() * 4 / 5);
        d = new TrainData(s.first(), s.rest(), dir + " (80% train, 20% test)", false);
      }
    }
    d.check(p, widths);
    return d;
  }

  /** What the training line says about a generated set: the paper, the formula, the sizes. */
  private static String describe(String name, Map<String, Double> a, Synthetic.TrainTest s) {
    int n = s.train().size();
    long seed = a.get("seed").longValue();
    return switch (name) {
      case "teacher_student" -> String.format("teacher-student data (seed 001: y = sigmoid(W_g v), v ~ N(0, 1); "
          + "%,d train, %,d test, data seed %d)", n, s.test().size(), seed);
      case "cosine" -> String.format("scaled cosine (seed 004: y = (1 + cos(pi x))/2, x ~ U(-1, 1); "
          + "%,d points, tested on the same points, data seed %d)", n, seed);
      default -> String.format(java.util.Locale.ROOT, "noisy cubic (seed 002: y = x^3 - 3x^2 - x + 1 + N(0, %s^2), "
          + "%d points on [-1, 3]; tested on the noise-free curve at %d points, data seed %d)",
          a.get("noise"), n, s.test().size(), seed);
    };
  }

  private static boolean hasTestFiles(Path dir) {
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("t10k-images"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The model trains on its first input [n] and first label [k]: {n, k}. */
  private static int[] widths(Program p) {
    List<Integer> in = p.inputs().get(0).shape().dims().subList(1, p.inputs().get(0).shape().rank());
    List<Integer> lb = p.labels().isEmpty() ? List.of() : p.labels().get(0).shape().dims().subList(1, p.labels().get(0).shape().rank());
    if (p.labels().isEmpty() || in.size() != 1 || lb.size() != 1) {
      throw new DataException("model " + p.name() + " must have one input [n] and one label [k] to train on this data");
    }
    return new int[] {in.get(0), lb.get(0)};
  }

  private void check(Program p, int[] widths) {
    if (train.featureCount() != widths[0]) {
      throw new DataException(description + " has " + train.featureCount() + " features per example but input '"
          + p.inputs().get(0).name() + "' is [" + widths[0] + "]");
    }
    if (train.classCount() != widths[1]) {
      throw new DataException(description + " has " + train.classCount() + (regression ? " targets" : " classes")
          + " per example but label '" + p.labels().get(0).name() + "' is [" + widths[1] + "]");
    }
  }
}
