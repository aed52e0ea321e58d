package dev.bpnet.cli;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.syntax.Overrides;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.train.CheckpointException;
import dev.bpnet.runtime.train.CheckpointStore;
import dev.bpnet.runtime.train.EpochMetrics;
import dev.bpnet.runtime.train.NonFiniteException;
import dev.bpnet.runtime.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bpnet train FILE}: compiles the model in memory and runs the runtime's
 * {@link TrainingLoop} on it, printing a line per epoch (or every few); the loop writes
 * metrics.csv, params.npz and checkpoints to {@code --out}. {@code --resume DIR} continues such a
 * run.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Trains a model; writes metrics.csv, params.npz (and with early_stop or keep = best, best.npz) and"
        + " checkpoint.{npz,json} to --out.",
        "The test set is scored once, at the end, on the parameters kept (keep = last | best; --set test_every_epoch=yes"
        + " scores it after every epoch too); --set early_stop=N stops once validation has not improved for N epochs."})
final class TrainCommand extends ModelCommand {
  /** The checkpoint setting that records the data as a --data value (absolute paths). */
  static final String DATA_SOURCE = "data_source";

  @Option(names = "--epochs", paramLabel = "N", description = "epochs in all (default: the model's, or with --resume the resumed run's)")
  Integer epochs;

  @Option(names = "--data", paramLabel = "DATA", description = "what the model's data option accepts: a data set name (mnist, fashion_mnist, cifar10, ...), an IDX or CIFAR directory, a directory of x.npy and y.npy, an .npz or CSV file, or either with arguments in the train block's syntax, such as 'cifar10(crop = 4)', 'path(\"iris.csv\", label_column = \"species\")' or, for regression targets, 'path(\"t.csv\", label_columns = \"3..5\")' (default: the model's data option)")
  String data;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write the outcome (default: runs/<model>-<time>)")
  Path outDir;

  @Option(names = "--resume", paramLabel = "DIR", description = "continue the run whose --out was DIR, writing there")
  Path resumeDir;

  @Option(names = "--seed", paramLabel = "N", description = "the train option seed (initialisation, shuffling, splits): --set seed=N")
  String seed;

  @Option(names = "--save-every", paramLabel = "SECONDS", description = "save a checkpoint after an epoch only if this long has passed since the last (default: ${DEFAULT-VALUE}; the last epoch is always saved)")
  double saveEvery = 2;

  /** bpnet sweep's runs in its own process: the sweep's progress line holds the terminal, not each epoch's. */
  @Option(names = "--no-live", hidden = true)
  boolean noLive;

  @Option(names = "--spark", paramLabel = "MASTER", description = "run each step on Apache Spark: executors compute shards of"
      + " the batch, the driver updates (local[2], spark://host:7077, ...; needs the bpnet-spark module, which ./bpnet adds)")
  String spark;

  @Option(names = "--spark-partitions", paramLabel = "N", description = "shards per batch with --spark (default: Spark's default parallelism)")
  Integer sparkPartitions;

  @Option(names = "--spark-average", paramLabel = "K", description = "with --spark, local SGD: each executor takes K steps on its"
      + " shards of K batches with the model's optimizer, then parameters and optimizer state are averaged (default: synchronous steps)")
  Integer sparkAverage;

  @Override
  String usageProblem() {
    if (sparkPartitions != null && (sparkPartitions < 1 || spark == null)) {
      return sparkPartitions < 1 ? "--spark-partitions must be at least 1, got " + sparkPartitions
          : "--spark-partitions needs --spark MASTER";
    }
    if (sparkAverage != null && (sparkAverage < 1 || spark == null)) {
      return sparkAverage < 1 ? "--spark-average must be at least 1, got " + sparkAverage : "--spark-average needs --spark MASTER";
    }
    if (epochs != null && epochs < 1) {
      return "--epochs must be at least 1, got " + epochs;
    }
    if (!(saveEvery >= 0) || Double.isInfinite(saveEvery)) {
      return "--save-every must be a number of seconds, 0 or more, got " + saveEvery;
    }
    if (outDir != null) {
      return OutputPaths.runDirectoryProblem("--out", outDir);
    }
    if (resumeDir != null && Files.exists(resumeDir) && !Files.isDirectory(resumeDir)) {
      return "--resume " + resumeDir + ": is a file, not a directory; --resume takes the --out directory of a run";
    }
    return null;
  }

  /** The settings a resumed run was started with (its run.json), applied before this command's own. */
  private List<String> recordedSettings = List.of();

  /** This command's settings: --set, then --seed. */
  private List<String> givenSettings() {
    List<String> given = new ArrayList<>(sets);
    if (seed != null) {
      given.add("seed=" + seed);
    }
    return given;
  }

  /** The file and the settings, and the --data value, which diagnostics of data Spark reads point into. */
  @Override
  Map<String, String> sources(SourceFile src) {
    Map<String, String> m = new LinkedHashMap<>(super.sources(src));
    if (data != null) {
      m.put(Distribution.DATA, data);
    }
    return m;
  }

  @Override
  Overrides overrides() {
    return new Overrides(recordedSettings).then(givenSettings());
  }

  @Override
  int run(SourceFile src) throws Exception {
    if (resumeDir != null && outDir != null && !resumeDir.toAbsolutePath().normalize().equals(outDir.toAbsolutePath().normalize())) {
      err().println("error: --resume " + resumeDir + " writes to that directory; leave out --out " + outDir);
      return Main.USAGE;
    }
    if (resumeDir != null) {
      // a resumed run is the run that was started: its settings again, then any given now (checked below)
      try {
        recordedSettings = RunRecord.overrides(resumeDir);
      } catch (CheckpointException e) {
        err().println("error: " + e.getMessage());
        return Main.MODEL_ERRORS;
      }
      if (!recordedSettings.isEmpty()) {
        out().println("note: the run was started with " + new Overrides(recordedSettings).commandLine() + "; applying them again");
      }
      // the run's own model, not the file's first, unless --model names one (then the checkpoint checks it)
      if (model == null) {
        model = RunRecord.model(resumeDir);
      }
    }
    TrainingGraph tg = compile(src);
    TrainSpec spec = tg.program().train();
    DataType dt = TrainerLoader.dataType(spec.dtype());
    CheckpointStore.Loaded resumed = null;
    if (resumeDir != null) {
      try {
        resumed = CheckpointStore.load(resumeDir);
      } catch (CheckpointException e) {
        err().println("error: " + e.getMessage());
        return Main.MODEL_ERRORS;
      }
      if (resumed.note() != null) {
        out().println("note: " + resumed.note());
      }
    }
    // a resumed run reads the data its checkpoint recorded (from any working directory), unless --data says otherwise
    String recorded = resumed == null ? null : resumed.checkpoint().info().hyperparameters().get(DATA_SOURCE);
    Distribution engine = null;
    if (spark != null) {
      engine = Distribution.find("spark").orElse(null);
      if (engine == null) {
        err().println("error: --spark needs the bpnet-spark module on the classpath; ./bpnet adds it when --spark is given"
            + " (README, Training on Spark)");
        return Main.USAGE;
      }
    }
    try {
      return run(src, tg, spec, dt, resumed, recorded, engine);
    } finally {
      if (engine != null) {
        engine.release();
      }
    }
  }

  private Distribution.Options engineOptions() {
    return new Distribution.Options(spark, sparkPartitions == null ? 0 : sparkPartitions,
        sparkAverage == null ? 0 : sparkAverage);
  }

  /** The run, its data read (by the engine, for data on its workers) and checked. */
  private int run(SourceFile src, TrainingGraph tg, TrainSpec spec, DataType dt, CheckpointStore.Loaded resumed,
      String recorded, Distribution engine) throws Exception {
    dev.bpnet.runtime.data.TrainingData d;
    String given = data != null ? data : recorded;
    if (Distribution.streams(given) && engine == null) {
      err().println("error: --data " + given + " is read by Spark's executors: give --spark MASTER (README, Training"
          + " on Spark)");
      return Main.USAGE;
    }
    try {
      Path dir = Path.of(src.name()).toAbsolutePath().getParent();
      d = Distribution.streams(given) ? engine.stream(engineOptions(), given, TrainData.target(tg.program()), dt)
          : given != null ? TrainData.load(given, Map.of(), dir, tg.program(), dt)
          : TrainData.load(spec.data(), spec.dataArgs(), spec.dataText(), dir, tg.program(), dt);
    } catch (Distribution.StartException e) {
      err().println("error: --spark " + spark + ": " + e.getMessage());
      return Main.USAGE;
    } catch (DataException | IllegalArgumentException e) {
      // IllegalArgumentException: generator arguments out of range, possible only through the Java API's TrainSpec
      err().println("error: " + (data == null && recorded != null ? "the data recorded in the checkpoint: " : "")
          + e.getMessage());
      return Main.MODEL_ERRORS;
    }
    // a resumed run goes on to the epochs it was started for, unless told otherwise
    boolean epochsSet = givenSettings().stream().anyMatch(g -> Overrides.name(g).equals("epochs"));
    int n = epochs != null ? epochs : resumed != null && !epochsSet ? resumed.checkpoint().info().epochs() : spec.epochs();
    int done = resumed == null ? 0 : resumed.checkpoint().info().epoch();
    // normalisation is refit on what is left for training; augmentation applies to training batches only
    dev.bpnet.runtime.data.TrainingData v = d.withValidation(spec.validationFor(d.regression()), spec.seed());
    Trainer t = TrainerLoader.instantiate(tg, dt, spec.seed());
    Path out = resumeDir != null ? resumeDir : outDir != null ? outDir : Path.of("runs", tg.program().name() + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    if (resumeDir == null && CheckpointStore.exists(out)) {
      err().println("error: " + out + " already holds a checkpoint; continue it with --resume " + out
          + ", or choose another --out");
      return Main.USAGE;
    }
    if (spec.evaluation().tracksBest() && v.validation() == null) {
      // a file's data (--data or a path) is known to be regression only now; the compiler checks the rest (E60)
      err().printf("error: %s needs a validation set, but validation = %s holds none out of %s; write validation = 0.1"
          + " (or --set validation=0.1)%n", spec.evaluation().earlyStop() > 0 ? "early_stop = " + spec.evaluation().earlyStop()
          : "keep = best", Double.isNaN(spec.validation()) ? "auto" : Double.toString(spec.validation()), d.description());
      return Main.MODEL_ERRORS;
    }
    if (spec.batch() > v.train().size()) {
      // not shrunk silently: the batch size is part of the experiment (a batch mean's 1/B reaches rules such as difference)
      err().printf("error: batch = %d is larger than the %,d training examples (%s); use batch = %d for full-batch"
          + " training, or more data%n", spec.batch(), v.train().size(), v.description(), v.train().size());
      return Main.MODEL_ERRORS;
    }
    Batches batches = v.batches(spec.batch(), spec.seed());
    Distribution.Session started = null;
    if (engine != null) {
      try {
        started = engine.open(engineOptions(), tg, dt, spec.seed(), t, batches);
      } catch (Distribution.StartException e) {
        err().println("error: --spark " + spark + ": " + e.getMessage());
        return Main.USAGE;
      }
    }
    try (Distribution.Session session = started) {
      return train(src, tg, spec, d, v, batches, session == null ? t : session.trainer(), resumed, recorded, n, done, out,
          session);
    }
  }

  /** The run itself, on this machine or, with a session, on an engine such as Spark. */
  private int train(SourceFile src, TrainingGraph tg, TrainSpec spec, dev.bpnet.runtime.data.TrainingData d, dev.bpnet.runtime.data.TrainingData v, Batches batches, Trainer t,
      CheckpointStore.Loaded resumed, String recorded, int n, int done, Path out, Distribution.Session session)
      throws Exception {
    Map<String, String> settings = settings(spec, d);
    // recorded for --resume; a checkpoint written before it was recorded resumes without it
    if (d.source() != null && (resumed == null || recorded != null)) {
      settings.put(DATA_SOURCE, d.source());
    }
    TrainingLoop loop = new TrainingLoop(t, batches).epochs(n).validation(v.validation()).test(v.test())
        .regression(d.regression()).evaluation(spec.evaluation()).output(out, ModelHash.of(tg), spec.seed(), settings)
        .saveInterval(Duration.ofMillis(Math.round(saveEvery * 1000)))
        // a live line only on a terminal, and only for epochs long enough to watch: each bar probes the terminal
        .live(!noLive && System.console() != null && batches.batchesPerEpoch() >= 10);
    if (resumed != null) {
      try {
        loop.resume(resumed.checkpoint());
      } catch (CheckpointException e) {
        err().println("error: " + e.getMessage());
        return Main.MODEL_ERRORS;
      }
      // only now: a checkpoint of another model is refused even when its run is finished
      if (resumed.checkpoint().stoppedEarly()) {
        var b = resumed.checkpoint().best();
        out().printf("the run in %s stopped early at epoch %d: %s; nothing to do%n", resumeDir, done,
            notImproved(b, done, d.regression()));
        return Main.OK;
      }
      if (done >= n) {
        out().printf("the run in %s is finished (%d of %d epochs); nothing to do (pass --epochs N with N > %d to train further)%n",
            resumeDir, done, resumed.checkpoint().info().epochs(), done);
        return Main.OK;
      }
    }
    Files.createDirectories(out);
    new RunRecord(Path.of(src.name()).toAbsolutePath().normalize().toString(), tg.program().name(), overrides().settings(),
        options(spec, d, n), v.examples()).write(out);
    out().printf("%s %s on %s: %s; %s, batch %d, %s%n", resumeDir != null ? "resuming" : "training",
        tg.program().name(), d.description(), v.selection(),
        done > 0 ? "epochs " + (done + 1) + "-" + n + " of " + n : n + " epochs", spec.batch(),
        tg.hasThirdPass() ? "3 passes (" + spec.third().word() + ", alpha " + spec.alpha() + ")" : "2 passes");
    if (session != null) {
      out().println(session.description());
    }
    int every = reportEvery(n);
    if (every > 1) {
      out().printf("printing every %d epochs; metrics.csv has them all%n", every);
    }
    int first = done + 1;
    Curves curves = new Curves(out);
    try {
      loop.run(m -> {
        if (m.epoch() % every == 0 || m.epoch() == first || m.epoch() == n) {
          out().println(line(m, n, d.regression()));
        }
        curves.refresh(false);
      });
    } catch (NonFiniteException e) {
      err().println("error: " + e.getMessage());
      curves.refresh(true);
      return Main.MODEL_ERRORS;
    }
    curves.refresh(true);
    TrainingLoop.Outcome o = loop.outcome();
    if (o != null) {
      end(o, spec, d.regression()).forEach(out()::println);
    }
    boolean best = o != null && o.best() != null;
    out().println("wrote " + out.resolve("params.npz") + (best ? ", " + out.resolve(TrainingLoop.BEST) : "") + ", "
        + out.resolve(CheckpointStore.JSON) + ", " + out.resolve("metrics.csv")
        + (curves.drawn ? " and " + out.resolve(PlotCommand.CURVES) : ""));
    return Main.OK;
  }

  /**
   * The lines that end a run: why it stopped, when early stopping ended it, and the test figure,
   * once, on the parameters it kept, naming them.
   */
  static List<String> end(TrainingLoop.Outcome o, TrainSpec spec, boolean regression) {
    List<String> lines = new ArrayList<>();
    if (o.stoppedEarly()) {
      lines.add(String.format("stopped early at epoch %d: %s", o.epochs(), notImproved(o.best(), o.epochs(), regression)));
    }
    if (Double.isNaN(o.test())) {
      return lines;
    }
    String figure = regression ? String.format("test mse %.4g", o.test()) : String.format("test accuracy %.2f%%", 100 * o.test());
    String on;
    if (spec.evaluation().keep() == dev.bpnet.api.Keep.BEST) {
      on = "on the parameters of epoch " + o.keptEpoch() + ", the best validation epoch (keep = best: " + TrainingLoop.BEST
          + (o.keptEpoch() == o.epochs() ? ", the last epoch's too)" : "; params.npz holds epoch " + o.epochs() + "'s)");
    } else {
      on = "on the parameters of epoch " + o.keptEpoch() + ", the last (keep = last: params.npz)";
    }
    lines.add(figure + " " + on);
    return lines;
  }

  /** "validation accuracy has not improved for 3 epochs since epoch 4 (97.13%)", or the loss's for regression. */
  static String notImproved(dev.bpnet.runtime.train.BestEpoch b, int epoch, boolean regression) {
    return String.format("validation %s has not improved for %d epoch%s since epoch %d (%s)", regression ? "loss" : "accuracy",
        epoch - b.epoch(), epoch - b.epoch() == 1 ? "" : "s", b.epoch(),
        regression ? String.format("%.4g", b.figure()) : String.format("%.2f%%", 100 * b.figure()));
  }

  /**
   * The run's curves.png, redrawn as epochs finish but at most every 10 seconds (a drawing takes
   * a few hundred milliseconds; epochs of tiny data sets take less), and at the end. A picture
   * that cannot be drawn is a warning: it never stops the training.
   */
  private final class Curves {
    private final Path dir;
    private long last = System.nanoTime();
    private boolean warned;
    boolean drawn;

    Curves(Path dir) {
      this.dir = dir;
    }

    void refresh(boolean now) {
      if (!now && System.nanoTime() - last < 10_000_000_000L) {
        return;
      }
      last = System.nanoTime();
      try {
        PlotCommand.curves(dir);
        drawn = Files.exists(dir.resolve(PlotCommand.CURVES));
      } catch (java.io.IOException | dev.bpnet.cli.plot.RunMetrics.MetricsException | RuntimeException e) {
        if (!warned) {
          warned = true;
          err().println("warning: " + dir.resolve(PlotCommand.CURVES) + " not drawn: " + dev.bpnet.runtime.io.IoErrors.clean(
              String.valueOf(e.getMessage())));
        }
      }
    }
  }

  private static String line(EpochMetrics m, int n, boolean regression) {
    // regression losses fall far below 1e-4: significant digits, not decimals
    String f = regression ? "%.4g" : "%.4f";
    StringBuilder b = new StringBuilder(String.format("epoch %d/%d: loss " + f, m.epoch(), n, m.trainLoss()));
    if (!Double.isNaN(m.trainInputLoss())) {
      b.append(String.format(", l_x %.4f", m.trainInputLoss()));
    }
    if (!Double.isNaN(m.valLoss())) {
      b.append(String.format(", val loss " + f, m.valLoss()));
      if (!Double.isNaN(m.valError())) {
        b.append(regression ? String.format(" mse %.4g", m.valError()) : String.format(" accuracy %.2f%%", 100 * (1 - m.valError())));
      }
    }
    if (!Double.isNaN(m.test())) {  // only with test_every_epoch = yes: by default the test set is scored once, at the end
      b.append(regression ? String.format(", test mse %.4g", m.test()) : String.format(", test accuracy %.2f%%", 100 * m.test()));
    }
    return b.append(String.format(" (%.1f s)", m.seconds())).toString();
  }

  /** The run's effective train options, in a train block's words (validation: the fraction used), for run.json. */
  private static Map<String, String> options(TrainSpec s, dev.bpnet.runtime.data.TrainingData d, int epochs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("passes", Integer.toString(s.passes()));
    m.put("alpha", Double.toString(s.alpha()));
    m.put("third", s.third().word());
    m.put("optimizer", s.optimizer().describe());
    m.put("init", s.init().word());
    m.put("batch", Integer.toString(s.batch()));
    m.put("epochs", Integer.toString(epochs));
    m.put("seed", Long.toString(s.seed()));
    m.put("dtype", s.dtype().word());
    m.put("data", d.source() != null ? d.source() : d.description());
    m.put("schedule", s.schedules().lr().describe());
    m.put("alpha_schedule", s.schedules().alpha().describe());
    m.put("lr_over_alpha", Boolean.toString(s.schedules().lrOverAlpha()));
    m.put("validation", Double.toString(s.validationFor(d.regression())));
    m.put("clip", s.clip() == 0 ? "none" : Double.toString(s.clip()));
    m.put("early_stop", s.evaluation().earlyStop() == 0 ? "none" : Integer.toString(s.evaluation().earlyStop()));
    m.put("min_delta", Double.toString(s.evaluation().minDelta()));
    m.put("keep", s.evaluation().keep().word());
    m.put("test_every_epoch", s.evaluation().testEveryEpoch() ? "yes" : "no");
    m.put("g3", s.feedbackThird().word());
    return m;
  }

  /** What a resumed run must share with the checkpoint; not the epoch count, which may grow. */
  private static Map<String, String> settings(TrainSpec s, dev.bpnet.runtime.data.TrainingData d) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("passes", Integer.toString(s.passes()));
    m.put("alpha", Double.toString(s.alpha()));
    // the words and text checkpoints have always held, so that older runs still resume
    m.put("third", s.third().word());
    m.put("optimizer", s.optimizer().name() + s.optimizer().args());
    m.put("init", s.init().word());
    m.put("batch", Integer.toString(s.batch()));
    m.put("schedules", s.schedules().describe().strip());
    m.put("validation", Double.toString(s.validationFor(d.regression())));
    if (s.clip() > 0) {
      // only when set, so that checkpoints written before clip existed still resume
      m.put("clip", Double.toString(s.clip()));
    }
    // only when set, so that checkpoints written before them still resume; test_every_epoch changes no step
    if (s.evaluation().earlyStop() > 0) {
      m.put("early_stop", Integer.toString(s.evaluation().earlyStop()));
    }
    if (s.evaluation().keep() == dev.bpnet.api.Keep.BEST) {
      m.put("keep", "best");
    }
    if (s.evaluation().minDelta() > 0) {
      m.put("min_delta", Double.toString(s.evaluation().minDelta()));
    }
    if (s.feedbackThird() != dev.bpnet.api.FeedbackThird.B) {
      // only when set, so that checkpoints written before g3 existed still resume
      m.put("g3", s.feedbackThird().word());
    }
    m.put("data", d.description());
    if (d.subset() != null) {
      // only when given: runs recorded before subsets existed resume unchanged
      m.put("examples", d.subset());
    }
    return m;
  }

  /**
   * Every epoch up to 50; beyond, the smallest of 2, 5, 10, 20, 50, 100, ... that keeps the
   * output to about 50 lines (the first and last epochs are always printed).
   */
  static int reportEvery(int epochs) {
    int every = 1;
    for (int i = 0; (epochs + every - 1) / every > 50; i++) {
      every = (int) Math.pow(10, i / 3) * new int[] {2, 5, 10}[i % 3];
    }
    return every;
  }
}
