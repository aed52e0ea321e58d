package dev.bpnet.cli;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.train.CheckpointException;
import dev.bpnet.runtime.train.CheckpointStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * A command that runs a trained model on data ({@code predict}, {@code evaluate}): the trainer
 * with the parameters of {@code --params} or {@code --run}, and one split of any data source
 * {@code train} accepts, normalised and split exactly as training saw it.
 */
abstract class InferenceCommand extends ModelCommand {
  /** Which examples: the parts {@code train} makes of the data. */
  enum Split { test, validation, train }

  @ArgGroup(exclusive = true, multiplicity = "1")
  ParamsSource source;

  @Option(names = "--data", paramLabel = "DATA", description = "any data source train accepts (default: the data the run recorded"
      + " with --run, else the model's data option)")
  String data;

  @Option(names = "--split", paramLabel = "PART", description = "test, validation or train: the part of the data, split"
      + " and normalised as training saw it (default: ${DEFAULT-VALUE})")
  Split split = Split.test;

  /** A trained model and the examples to run it on. */
  record Prepared(TrainingGraph tg, Trainer trainer, Dataset examples, String description, boolean regression, int batch) {}

  /** Loads the model, its parameters and the data; prints what is wrong and returns null if anything is. */
  Prepared prepare(SourceFile src) throws java.io.IOException {
    TrainingGraph tg = compile(src);
    TrainSpec spec = tg.program().train();
    DataType dt = TrainerLoader.dataType(spec.dtype());
    Trainer t = TrainerLoader.instantiate(tg, dt, spec.seed());
    Map<String, long[]> shapes = new LinkedHashMap<>();
    t.parameters().forEach((k, v) -> shapes.put(k, v.shape()));
    Map<String, INDArray> values = ParamsFiles.readAll(source, shapes, err());
    if (values == null) {
      return null;
    }
    values.forEach((k, v) -> t.parameters().get(k).assign(v.castTo(dt)));
    String recorded = null;
    if (data == null && source.run != null && CheckpointStore.exists(source.run)) {
      try {
        recorded = CheckpointStore.load(source.run).checkpoint().info().hyperparameters().get(TrainCommand.DATA_SOURCE);
      } catch (CheckpointException e) {
        err().println("error: " + e.getMessage() + "; pass --data to choose the data");
        return null;
      }
    }
    dev.bpnet.runtime.data.TrainingData d;
    try {
      Path dir = Path.of(src.name()).toAbsolutePath().getParent();
      String given = data != null ? data : recorded;
      d = given != null ? TrainData.load(given, Map.of(), dir, tg.program(), dt)
          : TrainData.load(spec.data(), spec.dataArgs(), spec.dataText(), dir, tg.program(), dt);
      d = d.withValidation(spec.validationFor(d.regression()), spec.seed());
    } catch (DataException | IllegalArgumentException e) {
      err().println("error: " + e.getMessage());
      return null;
    }
    Dataset examples = switch (split) {
      case test -> d.test();
      case validation -> d.validation();
      case train -> d.train();
    };
    if (examples == null) {
      err().println("error: --split validation: the model holds out no validation set (validation = 0)");
      return null;
    }
    String what = String.format(Locale.ROOT, "%s, %s part (%,d examples)", d.description(), split, examples.size());
    return new Prepared(tg, t, examples, what, d.regression(), spec.batch());
  }

  /** The model's output for examples [from, to), as the trainer's predict gives it. */
  static INDArray output(Prepared p, int from, int to) {
    INDArray x = p.examples().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
    return p.trainer().predict(Map.of(p.trainer().inputNames().get(0), x));
  }
}
