package dev.bpnet.spark;

import dev.bpnet.cli.Distribution;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
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

  @Override
  public Session open(Options options, TrainingGraph tg, DataType dtype, long seed, Trainer local, Batches batches) {
    String master = options.master();
    TrainerRecipe recipe = TrainerRecipe.of(tg, dtype, seed);
    try {
      SparkTrainer.refuseBatchStatistics(recipe);  // before Spark starts: nothing runs
    } catch (IllegalArgumentException e) {
      throw new StartException(e.getMessage(), e);
    }
    if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:" + LOG_CONFIG);
    }
    SparkConf conf = Kryos.configure(new SparkConf().setMaster(master).setAppName("bpnet train " + tg.program().name()));
    if (master.startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    JavaSparkContext sc;
    try {
      sc = new JavaSparkContext(conf);
    } catch (Exception e) {  // SparkException (undeclared in Java), IllegalArgumentException, ...
      throw new StartException("Spark did not start: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          + " (masters: local[N], spark://HOST:PORT, yarn, k8s://...)", e);
    }
    int shards = options.partitions() > 0 ? options.partitions() : sc.defaultParallelism();
    SparkTrainer t = new SparkTrainer(sc, recipe, local, shards);
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
            + options.average() + " steps" : "synchronous steps") + ", each batch in " + shards + " shards"
            + (clipsPerShard ? "; note: clip applies to each shard's g2, so steps differ from one machine's" : "");
      }

      @Override
      public void close() {
        sc.stop();
      }
    };
  }
}
