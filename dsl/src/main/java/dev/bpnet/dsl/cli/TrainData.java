package dev.bpnet.dsl.cli;

import dev.bpnet.dsl.ir.Program;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where {@code bpnet train} gets its data: "mnist" is the bundled 10,000-digit subset (8,000
 * train, 2,000 test); a directory holds IDX files (train-* and, if present, t10k-* as the test
 * set, else the last 20% of the training files). Shapes are checked against the model.
 */
record TrainData(Dataset train, Dataset test, String description) {

  static TrainData load(String data, Path modelDir, Program p, DataType dt) {
    TrainData d;
    if (data.equals("mnist")) {
      Dataset.Split s = Mnist.bundled(dt).split(8000);
      d = new TrainData(s.first(), s.rest(), "bundled MNIST subset (8,000 train, 2,000 test)");
    } else {
      Path dir = Path.of(data);
      if (!dir.isAbsolute() && !Files.isDirectory(dir) && modelDir != null) {
        dir = modelDir.resolve(data);
      }
      if (!Files.isDirectory(dir)) {
        throw new DataException("data '" + data + "' is neither a known data set (mnist) nor a directory");
      }
      Dataset train = Mnist.fromDirectory(dir, dt);
      if (hasTestFiles(dir)) {
        d = new TrainData(train, Mnist.testFromDirectory(dir, dt), dir + " (train and t10k files)");
      } else {
        Dataset.Split s = train.split(train.size() * 4 / 5);
        d = new TrainData(s.first(), s.rest(), dir + " (80% train, 20% test)");
      }
    }
    d.check(p);
    return d;
  }

  private static boolean hasTestFiles(Path dir) {
    try (var files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("t10k-images"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The model trains on its first input and first label: their shapes must match the data. */
  private void check(Program p) {
    List<Integer> in = p.inputs().get(0).shape().dims().subList(1, p.inputs().get(0).shape().rank());
    List<Integer> lb = p.labels().isEmpty() ? List.of() : p.labels().get(0).shape().dims().subList(1, p.labels().get(0).shape().rank());
    if (p.labels().isEmpty() || in.size() != 1 || lb.size() != 1) {
      throw new DataException("model " + p.name() + " must have one input [n] and one label [k] to train on this data");
    }
    if (train.featureCount() != in.get(0)) {
      throw new DataException(description + " has " + train.featureCount() + " features per example but input '"
          + p.inputs().get(0).name() + "' is [" + in.get(0) + "]");
    }
    if (train.classCount() != lb.get(0)) {
      throw new DataException(description + " has " + train.classCount() + " classes but label '"
          + p.labels().get(0).name() + "' is [" + lb.get(0) + "]");
    }
  }
}
