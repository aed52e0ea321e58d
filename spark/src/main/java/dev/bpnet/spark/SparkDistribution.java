package dev.bpnet.spark;

import dev.bpnet.cli.Distribution;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.DataOption;
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
    shipJar(conf, master);
    try {
      return new JavaSparkContext(conf);
    } catch (Exception e) {  // SparkException (undeclared in Java), IllegalArgumentException, ...
      throw new StartException("Spark did not start: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          + " (masters: local[N], spark://HOST:PORT, yarn, k8s://...)", e);
    }
  }

  /**
   * On a cluster (spark://, yarn, k8s://) the executors need bpnet's classes, which Spark ships
   * only as jars ({@code spark.jars}; spark-submit sets it to the application's jar): unless it is
   * set, the jar this class was loaded from, when it was loaded from one (the job jar run with
   * {@code java -cp}); otherwise the run is refused before Spark starts, saying what to do, rather
   * than failing in every task for want of a class.
   */
  static void shipJar(SparkConf conf, String master) {
    boolean cluster = master.startsWith("spark://") || master.startsWith("yarn") || master.startsWith("k8s://");
    if (!cluster || conf.contains("spark.jars")) {
      return;
    }
    java.security.CodeSource cs = SparkDistribution.class.getProtectionDomain().getCodeSource();
    String where = cs == null || cs.getLocation() == null ? "an unknown place" : cs.getLocation().getPath();
    if (where.endsWith(".jar")) {
      conf.set("spark.jars", where);
      return;
    }
    throw new StartException("the executors of " + master + " need bpnet's classes in a jar, and this driver loads"
        + " them from " + where + ": build the job jar (mvn -B -pl spark -am package -DskipTests -Djobjar) and name"
        + " it in spark.jars (JAVA_TOOL_OPTIONS=-Dspark.jars=spark/target/bpnet-spark-job.jar ./bpnet train ...), or"
        + " run it with spark-submit (README, Training on Spark)", null);
  }

  /**
   * {@code npz-dir:PATH}, {@code csv-files:PATH[#label_column=N,header=auto|yes|no,part_bytes=N]} or
   * {@code parquet:PATH[#features=NAME,label=NAME]} (columns {@code features} and {@code label} by
   * default), read by the executors ({@link StreamedData}); each also takes the subset arguments
   * {@code train}, {@code offset}, {@code subset_seed} and {@code test} ({@link
   * TrainingData#indexed}). Arguments are checked before Spark starts: one that cannot apply to
   * such data, or is unknown or out of range, is a diagnostic located in the --data value.
   */
  @Override
  public TrainingData stream(Options options, String data, TrainingData.Target target, DataType dtype) {
    int colon = data.indexOf(':');
    String kind = data.substring(0, colon);
    String rest = data.substring(colon + 1);
    int hash = rest.lastIndexOf('#');
    String path = hash < 0 ? rest : rest.substring(0, hash);
    Arguments args = hash < 0 ? Arguments.NONE : Arguments.of(kind, data, colon + 1 + hash + 1);
    if (path.isBlank()) {
      throw new DataException("--data " + data + ": no path after " + kind + ":");
    }
    if (!path.contains("://") && !path.startsWith("file:") && !java.nio.file.Path.of(path).isAbsolute()) {
      path = java.nio.file.Path.of(path).toAbsolutePath().normalize().toString();  // a resumed run reads it from anywhere
    }
    Map<String, String> own = args.own();
    Csv.Options csv = kind.equals("csv-files") ? csvOptions(data, own) : null;
    JavaSparkContext sc = context(options.master(), target.model());
    started = sc;
    int classes = target.labelWidth();
    StreamedData d = switch (kind) {
      case "npz-dir" -> StreamedData.npz(sc, path, classes, dtype);
      case "csv-files" -> StreamedData.csv(sc, path, csv, classes, dtype,
          (long) Double.parseDouble(own.getOrDefault("part_bytes", "0")));
      default -> StreamedData.parquet(sc, path, own.getOrDefault("features", "features"), own.getOrDefault("label",
          "label"), classes, dtype);
    };
    if (d.featureCount() != target.features()) {
      throw new DataException(d.description() + ": " + d.featureCount() + " features per example but the model's input '"
          + target.input() + "' is " + target.example());
    }
    streamed = d;
    String source = kind + ":" + path + (hash < 0 ? "" : rest.substring(hash));
    return TrainingData.indexed(d.indexed(), d.regression(), d.description(), source, target, args.subset());
  }

  /**
   * The arguments after {@code #} in a --data value, checked: the source's own (CSV options,
   * Parquet columns) as text, and the subset's as numbers.
   */
  private record Arguments(Map<String, String> own, Map<String, Double> subset) {
    static final Arguments NONE = new Arguments(Map.of(), Map.of());

    /** Subset arguments that choose a part; test_offset has no test set to choose from (it is held out at random). */
    private static final List<String> SUBSET = List.of("train", "offset", "subset_seed", "test");

    /** Why the file-backed sets' other arguments cannot apply to data that stays on the executors. */
    private static final Map<String, String> REFUSED = Map.of(
        "normalize", "its statistics come from the training examples' features, which the driver does not hold (it holds"
            + " each example's index and label); write the files normalised",
        "crop", "augmentation transforms each training batch's images on the driver, which holds only the examples'"
            + " indices; augment the files beforehand, or train without --spark on --data FILE",
        "flip", "augmentation transforms each training batch's images on the driver, which holds only the examples'"
            + " indices; augment the files beforehand, or train without --spark on --data FILE",
        "test_offset", "it chooses from a test set, and this data has none: its test examples are held out at random;"
            + " test = N holds out N");

    /** The arguments of {@code data} from index {@code from} (0-based; after the '#'), for a source of {@code kind}. */
    static Arguments of(String kind, String data, int from) {
      List<String> own = switch (kind) {
        case "csv-files" -> List.of("label_column", "header", "part_bytes");
        case "parquet" -> List.of("features", "label");
        default -> List.of();
      };
      Diagnostics diag = new Diagnostics();
      Map<String, String> text = new LinkedHashMap<>();
      Map<String, Double> subset = new LinkedHashMap<>();
      int at = from;
      for (String kv : data.substring(from).split(",", -1)) {
        int lead = kv.length() - kv.stripLeading().length();
        int eq = kv.indexOf('=');
        String name = (eq < 0 ? kv : kv.substring(0, eq)).strip();
        String value = eq < 0 ? "" : kv.substring(eq + 1).strip();
        Pos pos = new Pos(Distribution.DATA, 1, at + lead + 1, Math.max(1, name.length()));
        Pos valuePos = new Pos(Distribution.DATA, 1, eq < 0 ? at + kv.length() + 1 : at + eq + 2
            + (kv.substring(eq + 1).length() - kv.substring(eq + 1).stripLeading().length()), Math.max(1, value.length()));
        at += kv.length() + 1;
        if (eq < 0 || value.isEmpty()) {
          diag.error(ErrorCode.E12, eq < 0 ? pos : valuePos, "'" + name + "' needs a value after '#': NAME=VALUE, as in "
              + (own.isEmpty() ? "train=1000" : own.get(0) + "=..."));
        } else if (REFUSED.containsKey(name)) {
          diag.error(ErrorCode.E63, pos, name, REFUSED.get(name));
        } else if (SUBSET.contains(name)) {
          Double v = number(value);
          String problem = DataOption.outside(name, v);
          if (problem != null) {
            diag.error(ErrorCode.E7, valuePos, name, "must be " + problem);
          } else if (subset.put(name, v) != null) {
            diag.error(ErrorCode.E7, pos, name, "given twice");
          }
        } else if (own.contains(name)) {
          if (text.put(name, value) != null) {
            diag.error(ErrorCode.E7, pos, name, "given twice");
          } else if (name.equals("part_bytes") && !(number(value) != null && number(value) >= 1
              && number(value) == Math.rint(number(value)) && number(value) < 0x1p62)) {
            diag.error(ErrorCode.E7, valuePos, name, "must be a whole number of bytes, at least 1, got " + value);
          }
        } else {
          List<String> known = new java.util.ArrayList<>(own);
          known.addAll(SUBSET);
          diag.unknown(ErrorCode.E8, pos, name, known, name, kind + " (it takes " + String.join(", ", known) + ")");
        }
      }
      diag.stopIfErrors();
      return new Arguments(text, subset);
    }

    private static Double number(String s) {
      try {
        return Double.valueOf(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
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
