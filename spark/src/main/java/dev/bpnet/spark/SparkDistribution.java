package dev.bpnet.spark;

import dev.bpnet.cli.Distribution;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Csv;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.TrainingData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code bpnet train --spark MASTER}: a Spark context for the run and a {@link SparkTrainer}
 * around the driver's trainer. Settings Spark reads from {@code spark-submit} or
 * {@code spark-defaults.conf} (memory, executors, ...) apply as usual; the master and the
 * application's name come from the command.
 */
public final class SparkDistribution implements Distribution {
  /** Spark's own logging at WARN unless the user configured Log4j: INFO lines would bury the epoch lines. */
  private static final String LOG_CONFIG = "bpnet-spark-log4j2.properties";

  @Override
  public String name() {
    return "spark";
  }

  /** The context {@link #stream} started for the data, until a session takes it over; else null. */
  private JavaSparkContext started;
  private StreamedData streamed;

  private static JavaSparkContext context(String master, String model) {
    if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:" + LOG_CONFIG);
    }
    SparkConf conf = Kryos.configure(new SparkConf().setMaster(master).setAppName("bpnet train " + model));
    if (master.startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    try {
      return new JavaSparkContext(conf);
    } catch (Exception e) {  // SparkException (undeclared in Java), IllegalArgumentException, ...
      throw new StartException("Spark did not start: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          + " (masters: local[N], spark://HOST:PORT, yarn, k8s://...)", e);
    }
  }

  /**
   * {@code npz-dir:PATH}, {@code csv-files:PATH[#label_column=N,header=auto|yes|no]} or
   * {@code parquet:PATH[#features=NAME,label=NAME]} (columns {@code features} and {@code label} by
   * default), read by the executors ({@link StreamedData}).
   */
  @Override
  public TrainingData stream(Options options, String data, TrainingData.Target target, DataType dtype) {
    int colon = data.indexOf(':');
    String kind = data.substring(0, colon);
    String rest = data.substring(colon + 1);
    int hash = rest.lastIndexOf('#');
    String path = hash < 0 ? rest : rest.substring(0, hash);
    Map<String, String> args = new LinkedHashMap<>();
    if (hash >= 0) {
      for (String kv : rest.substring(hash + 1).split(",")) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
          throw new DataException("--data " + data + ": '" + kv + "' is not NAME=VALUE");
        }
        args.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
      }
    }
    if (path.isBlank()) {
      throw new DataException("--data " + data + ": no path after " + kind + ":");
    }
    if (!path.contains("://") && !path.startsWith("file:") && !java.nio.file.Path.of(path).isAbsolute()) {
      path = java.nio.file.Path.of(path).toAbsolutePath().normalize().toString();  // a resumed run reads it from anywhere
    }
    List<String> allowed = switch (kind) {
      case "csv-files" -> List.of("label_column", "header");
      case "parquet" -> List.of("features", "label");
      default -> List.of();
    };
    for (String k : args.keySet()) {
      if (!allowed.contains(k)) {
        throw new DataException("--data " + data + ": " + kind + ": takes " + (allowed.isEmpty() ? "no options"
            : "only " + String.join(", ", allowed)) + ", not '" + k + "'");
      }
    }
    JavaSparkContext sc = context(options.master(), target.model());
    started = sc;
    int classes = target.labelWidth();
    StreamedData d = switch (kind) {
      case "npz-dir" -> StreamedData.npz(sc, path, classes, dtype);
      case "csv-files" -> StreamedData.csv(sc, path, csvOptions(data, args), classes, dtype);
      default -> StreamedData.parquet(sc, path, args.getOrDefault("features", "features"), args.getOrDefault("label",
          "label"), classes, dtype);
    };
    if (d.featureCount() != target.features()) {
      throw new DataException(d.description() + ": " + d.featureCount() + " features per example but the model's input '"
          + target.input() + "' is " + target.example());
    }
    streamed = d;
    String source = kind + ":" + path + (args.isEmpty() ? "" : "#" + String.join(",", args.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
    return TrainingData.indexed(d.indexed(), d.regression(), d.description(), source, target);
  }

  private static Csv.Options csvOptions(String data, Map<String, String> args) {
    try {
      int label = Integer.parseInt(args.getOrDefault("label_column", "0"));
      Csv.Header h = Csv.Header.valueOf(args.getOrDefault("header", "auto").toUpperCase(java.util.Locale.ROOT));
      return new Csv.Options(label, h);
    } catch (IllegalArgumentException e) {
      throw new DataException("--data " + data + ": label_column takes a whole number, header auto, yes or no");
    }
  }

  @Override
  public void release() {
    if (started != null) {
      started.stop();
      started = null;
    }
  }

  @Override
  public Session open(Options options, TrainingGraph tg, DataType dtype, long seed, Trainer local, Batches batches) {
    String master = options.master();
    TrainerRecipe recipe = TrainerRecipe.of(tg, dtype, seed);
    try {
      SparkTrainer.refuseBatchStatistics(recipe);  // before Spark starts: nothing runs
    } catch (IllegalArgumentException e) {
      throw new StartException(e.getMessage(), e);
    }
    if (streamed != null && options.average() > 0) {
      throw new StartException("--spark-average: local SGD does not read data on the executors yet; use synchronous"
          + " steps", null);
    }
    JavaSparkContext sc = started != null ? started : context(master, tg.program().name());
    started = null;  // the session stops it
    int shards = streamed != null ? streamed.partitions()
        : options.partitions() > 0 ? options.partitions() : sc.defaultParallelism();
    SparkTrainer t = new SparkTrainer(sc, recipe, local, shards);
    if (streamed != null) {
      t.streaming(streamed);
    }
    if (options.average() > 0) {
      t.averaging(batches, options.average());
    }
    // clip acts inside the trainer on the g2 a rule replaced: each shard clips its own (README, Training on Spark)
    boolean clipsPerShard = tg.program().train().clip() > 0 && !tg.ruleReplaced().isEmpty();
    return new Session() {
      @Override
      public Trainer trainer() {
        return t;
      }

      @Override
      public String description() {
        return "on Spark " + master + ": " + (options.average() > 0 ? "local SGD, parameters averaged every "
            + options.average() + " steps" : "synchronous steps") + (streamed != null ? ", each batch over the "
            + shards + " partitions of the data on the executors" : ", each batch in " + shards + " shards")
            + (clipsPerShard ? "; note: clip applies to each shard's g2, so steps differ from one machine's" : "");
      }

      @Override
      public void close() {
        sc.stop();
      }
    };
  }
}
