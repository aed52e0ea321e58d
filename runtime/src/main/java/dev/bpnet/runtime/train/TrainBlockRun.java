package dev.bpnet.runtime.train;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.TrainingData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A run of a generated trainer as its train block describes it ({@code TrainingLoop.run}): the
 * block's data read and checked against the trainer's input and label ({@link TrainingData}, as
 * {@code bpnet train} reads it), its validation fraction split off with its seed, batches of its
 * size shuffled with its seed, its number of epochs. So the figures are {@code bpnet train}'s,
 * epoch for epoch, for the same trainer and options.
 *
 * @param trainer the trainer, trained
 * @param epochs each epoch's figures, as {@code bpnet train} prints them and writes metrics.csv
 * @param data the data it trained on, with its validation and test parts
 * @param outcome how it ended: epochs run, early stopping, the kept epoch and the test figure,
 *     scored once at the end on the kept parameters (the epochs' own test figures are NaN unless
 *     the block says test_every_epoch = yes)
 */
public record TrainBlockRun<T extends Trainer>(T trainer, List<EpochMetrics> epochs, TrainingData data,
    TrainingLoop.Outcome outcome) {

  /** The test figure (accuracy, or MSE for regression), taken once at the end on the kept parameters. */
  public double test() {
    return outcome.test();
  }

  /** The last epoch's figures. */
  public EpochMetrics last() {
    return epochs.get(epochs.size() - 1);
  }

  static <T extends Trainer> TrainBlockRun<T> run(T trainer, TrainSpec spec, Path modelDir, Path out,
      TrainingLoop.Listener listener) {
    Map<String, List<Integer>> inputs = new LinkedHashMap<>();
    Map<String, List<Integer>> labels = new LinkedHashMap<>();
    trainer.exampleDims().forEach((name, dims) -> (trainer.inputNames().contains(name) ? inputs : labels).put(name, dims));
    TrainingData d = TrainingData.load(spec.data(), spec.dataArgs(), spec.dataText(), modelDir,
        TrainingData.Target.of(trainer.modelName(), inputs, labels), trainer.dataType());
    // normalisation is refit on what is left for training, as bpnet train does
    TrainingData v = d.withValidation(spec.validationFor(d.regression()), spec.seed());
    if (spec.batch() > v.train().size()) {
      throw new IllegalArgumentException(String.format("batch = %d is larger than the %,d training examples (%s)",
          spec.batch(), v.train().size(), v.description()));
    }
    Batches batches = v.batches(spec.batch(), spec.seed());
    if (spec.evaluation().tracksBest() && v.validation() == null) {
      throw new IllegalArgumentException("early_stop and keep = best follow the validation figure, and "
          + v.description() + " has no validation set: give the train block validation = 0.1");
    }
    TrainingLoop loop = new TrainingLoop(trainer, batches).epochs(spec.epochs()).validation(v.validation()).test(v.test())
        .regression(d.regression()).evaluation(spec.evaluation());
    if (out != null) {
      loop.output(out, null, spec.seed(), Map.of("train", spec.describe()));
    }
    List<EpochMetrics> epochs = loop.run(listener);
    return new TrainBlockRun<>(trainer, epochs, v, loop.outcome());
  }

  /** A trainer of {@code cls} in the block's dtype, initialised from its seed, as {@code bpnet train} makes it. */
  static <T extends Trainer> T instantiate(Class<T> cls, TrainSpec spec) {
    DataType dt = switch (spec.dtype()) {
      case FLOAT32 -> DataType.FLOAT;
      case FLOAT64 -> DataType.DOUBLE;
    };
    try {
      return cls.getConstructor(DataType.class, long.class).newInstance(dt, spec.seed());
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot instantiate " + cls.getName(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(cls.getName() + " is not a generated trainer (no constructor (DataType, long))", e);
    }
  }
}
