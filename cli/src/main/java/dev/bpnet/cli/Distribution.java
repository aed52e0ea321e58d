package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import java.util.Optional;
import java.util.ServiceLoader;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where {@code bpnet train --spark MASTER} runs its steps. The command does not depend on the
 * engine: a module of its own (bpnet-spark) provides this through {@link ServiceLoader}, and the
 * {@code ./bpnet} script puts that module on the classpath when the option is given, so that
 * nobody else loads Spark's dependencies.
 */
public interface Distribution {

  /** The engine's name, as in the option: {@code spark}. */
  String name();

  /**
   * How to run.
   *
   * @param master where to run (for Spark: local[N], spark://host:7077, yarn, ...)
   * @param partitions shards per global batch; 0 for the engine's default parallelism
   * @param average 0 for synchronous steps; k >= 1 for local SGD, parameters averaged every k steps
   */
  record Options(String master, int partitions, int average) {}

  /**
   * Starts the engine and wraps the driver's trainer.
   *
   * @param tg the model, compiled again for the executors
   * @param dtype the trainer's data type
   * @param seed the trainer's seed (executors' trainers start identical to the driver's)
   * @param local the driver's trainer: its parameters and optimizer are the run's
   * @param batches the training loop's batches (local SGD reads a round's batches ahead)
   * @throws StartException if the engine cannot start with these options
   */
  Session open(Options options, TrainingGraph tg, DataType dtype, long seed, Trainer local, Batches batches);

  /** The pseudo-file of diagnostics located in the --data value (its arguments after '#'). */
  String DATA = "--data";

  /** Prefixes of --data values whose examples the engine's workers read themselves. */
  java.util.List<String> STREAMED = java.util.List.of("npz-dir:", "csv-files:", "parquet:");

  /** Whether {@code data} names examples the engine's workers read themselves ({@link #STREAMED}). */
  static boolean streams(String data) {
    return data != null && STREAMED.stream().anyMatch(data::startsWith);
  }

  /**
   * The training data {@code data} names ({@link #streams}), read by the engine's workers, which
   * keep the features: the data set returned holds each example's index and label, and the
   * trainer of the session {@link #open} then starts reads indices. Starts the engine.
   *
   * @throws dev.bpnet.runtime.data.DataException if the data cannot be read or does not fit {@code target}
   * @throws dev.bpnet.dsl.diag.CompileException for arguments of {@code data} that are wrong or cannot apply,
   *     located in the pseudo-file {@link #DATA}, before the engine starts
   * @throws StartException if the engine cannot start
   */
  default dev.bpnet.runtime.data.TrainingData stream(Options options, String data,
      dev.bpnet.runtime.data.TrainingData.Target target, DataType dtype) {
    throw new StartException(name() + " reads no data itself", null);
  }

  /** Stops what {@link #stream} started if no session took it over (a run refused before it started). */
  default void release() {}

  /** The engine could not start with the options given (a master URL it cannot parse or reach, ...): the user's to fix. */
  final class StartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A running engine; closing it stops the engine. */
  interface Session extends AutoCloseable {
    /** The trainer the training loop steps: its steps run on the engine. */
    Trainer trainer();

    /** One line for the run's header, such as "on Spark local[2], 2 shards per batch". */
    String description();

    @Override
    void close();
  }

  /** The engine named {@code name} on the classpath, if any. */
  static Optional<Distribution> find(String name) {
    return ServiceLoader.load(Distribution.class).stream().map(ServiceLoader.Provider::get)
        .filter(d -> d.name().equals(name)).findFirst();
  }
}
