package dev.bpnet.runtime.train;

import dev.bpnet.api.TrainEvaluation;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.io.Npz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The training loop of {@code bpnet train}, for embedded use too: epochs of shuffled
 * mini-batches through {@link Trainer#step}, with a running score, validation and test figures,
 * metrics.csv, checkpoints and a stop on NaN or infinity.
 *
 * <p>Per epoch e (0-based): {@code trainer.startEpoch(e)} (alpha and learning-rate schedules), the
 * batches of {@code batches.epoch(e)}, then the parameters are checked finite, the validation
 * and test sets scored, a row appended to {@code metrics.csv} and, with an output directory, a
 * checkpoint saved ({@link CheckpointStore}) and {@code params.npz} written. Per step the loop
 * tests only the two losses the step returns; when a value is not finite, {@link FaultFinder}
 * replays the epoch from the last good state to name the step, pass and parameter, and the
 * loop throws {@link NonFiniteException} with the trainer back at that state and the last good
 * checkpoint on disk. A run resumed from a checkpoint ends bit-identical to an uninterrupted one:
 * batch order is a function of (seed, epoch) and the checkpoint holds every other state.
 *
 * <p>{@link #evaluation} adds early stopping and the choice of the parameters kept ({@code
 * early_stop}, {@code keep}: the run follows its best validation epoch, {@link BestEpoch}, written
 * to {@code best.npz} whenever it improves and carried in the checkpoint), and says when the test
 * set is scored: by default once, after the last epoch, on the kept parameters ({@link #outcome}),
 * so that no one tunes on it; every epoch on request.
 *
 * <p>The data set's features feed the model's first input and its labels the first label.
 */
public final class TrainingLoop {

  /** Called after each epoch with its figures. */
  @FunctionalInterface
  public interface Listener {
    void epochEnd(EpochMetrics metrics);
  }

  private final Trainer trainer;
  private final Batches batches;
  private int epochs = 1;
  private Dataset validation;
  private Dataset test;
  private boolean regression;
  private Path out;
  private String modelHash;
  private long seed;
  private Map<String, String> hyperparameters = Map.of();
  private boolean live;
  private Duration saveInterval = Duration.ZERO;
  private Checkpoint resume;
  private TrainEvaluation evaluation = TrainEvaluation.DEFAULTS;
  private Outcome outcome;

  /** The file beside params.npz that holds the best validation epoch's parameters. */
  public static final String BEST = "best.npz";

  /**
   * How a run ended: the epochs it completed, whether early stopping ended it, its best
   * validation epoch (null when it does not follow one), the epoch whose parameters it kept, and
   * the test figure on them (accuracy, or MSE for regression; NaN without a test set).
   */
  public record Outcome(int epochs, boolean stoppedEarly, BestEpoch best, int keptEpoch, double test) {}

  /** A loop over {@code batches} (data, batch size and shuffle seed) for {@code trainer}. */
  public TrainingLoop(Trainer trainer, Batches batches) {
    this.trainer = Objects.requireNonNull(trainer, "trainer");
    this.batches = Objects.requireNonNull(batches, "batches");
  }

  /** The number of epochs the run is to have in all (a resumed run counts those already done). */
  public TrainingLoop epochs(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + n);
    }
    this.epochs = n;
    return this;
  }

  /** Scores this set after each epoch (val_* figures); null for none. */
  public TrainingLoop validation(Dataset d) {
    this.validation = d;
    return this;
  }

  /** Scores this set after each epoch (accuracy, or MSE for regression); null for none. */
  public TrainingLoop test(Dataset d) {
    this.test = d;
    return this;
  }

  /**
   * Early stopping, the parameters kept and when the test set is scored (default: none, the last
   * epoch's, once at the end). Following the best epoch needs a validation set.
   */
  public TrainingLoop evaluation(TrainEvaluation e) {
    this.evaluation = Objects.requireNonNull(e, "evaluation");
    return this;
  }

  /**
   * How the last {@link #run} ended; null before. With {@code keep = best} the trainer then holds
   * the best epoch's parameters (the checkpoint and params.npz keep the last epoch's).
   */
  public Outcome outcome() {
    return outcome;
  }

  /** Regression: errors are mean squared errors, not classification errors. */
  public TrainingLoop regression(boolean r) {
    this.regression = r;
    return this;
  }

  /**
   * Writes metrics.csv, params.npz and checkpoints to {@code dir}.
   *
   * @param hash identifies the model; null for one derived from the trainer's class and parameter
   *     shapes (see {@link #defaultModelHash})
   * @param shuffleSeed the seed of {@code batches}, recorded in checkpoint.json
   * @param settings hyperparameters a resumed run must share (batch, optimizer, ...); the number
   *     of epochs is not one of them: a finished run can be resumed to train further
   */
  public TrainingLoop output(Path dir, String hash, long shuffleSeed, Map<String, String> settings) {
    this.out = dir;
    this.modelHash = hash;
    this.seed = shuffleSeed;
    this.hyperparameters = Map.copyOf(settings);
    return this;
  }

  /** Shows a live progress line (only sensible on a terminal). */
  public TrainingLoop live(boolean on) {
    this.live = on;
    return this;
  }

  /**
   * Saves a checkpoint after an epoch only if this long has passed since the last save (the
   * last epoch, and the last good state on a stop, are always saved). Zero, the default, saves
   * after every epoch; runs of thousands of tiny epochs would otherwise spend their time in fsync.
   */
  public TrainingLoop saveInterval(Duration d) {
    this.saveInterval = Objects.requireNonNull(d);
    return this;
  }

  /**
   * Continues from {@code c}: checked against this model and settings first.
   *
   * @throws CheckpointException naming what differs (model hash, parameters, dtype, settings)
   */
  public TrainingLoop resume(Checkpoint c) {
    checkCompatible(c);
    this.resume = c;
    return this;
  }

  /** Runs the remaining epochs; returns their figures (empty if the checkpoint was already finished). */
  public List<EpochMetrics> run(Listener listener) {
    if (modelHash == null) {
      modelHash = defaultModelHash(trainer);
    }
    if (evaluation.tracksBest() && validation == null) {
      throw new IllegalStateException("early_stop and keep = best follow the validation figure: give a validation set");
    }
    int start = 0;
    long step = 0;
    double before = 0;
    BestEpoch best = null;
    if (resume != null) {
      resume.restoreInto(trainer);
      start = resume.info().epoch();
      step = resume.info().step();
      before = resume.info().seconds();
      best = evaluation.tracksBest() && resume.best() != null ? resume.best().withPatience(evaluation.earlyStop()) : null;
    }
    outcome = null;
    if (out != null) {
      try {
        java.nio.file.Files.createDirectories(out);
      } catch (java.io.IOException e) {
        throw new dev.bpnet.runtime.data.DataException(out + ": cannot create the output directory: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
      }
    }
    MetricsCsv csv = out == null ? null : new MetricsCsv(out.resolve("metrics.csv"), regression);
    Checkpoint good = Checkpoint.capture(trainer, info(start, step, before), best);
    if (csv != null) {
      // a test figure taken once at an earlier end is dropped: the run goes on, and will end again
      csv.start(start, !evaluation.testEveryEpoch());
      if (resume == null) {
        save(good);  // a good state on disk from the start: a stop in epoch 1 still leaves one
      } else if (best != null) {
        // best.npz may be newer than the checkpoint (written as the epoch improved, before a save
        // interval had passed): the checkpoint's is the one the resumed run continues from
        Npz.write(out.resolve(BEST), best.parameters());
      }
    }
    boolean stopped = best != null && best.exhausted(start);
    boolean saved = true;
    long savedAt = System.nanoTime();
    long t0 = System.nanoTime();
    String input = trainer.inputNames().get(0);
    String label = trainer.labelNames().get(0);
    List<EpochMetrics> all = new ArrayList<>();
    int e = start;
    int j = 0;
    try {
      for (; e < epochs && !stopped; e++) {
        beginEpoch(trainer, e);
        BatchScore score = new BatchScore(regression);
        j = 0;
        try (Progress bar = new Progress(live, e + 1, epochs, batches.batchesPerEpoch(), regression)) {
          for (Batch b : batches.epoch(e)) {
            StepResult r;
            try {
              r = trainer.step(Map.of(input, b.features(), label, b.labels()));
            } catch (IllegalArgumentException x) {
              if (resume == null || step != resume.info().step()) {
                throw x;
              }
              // the first update after a resume checks the restored optimizer state against the
              // parameters (StateArrays): a misfit is the checkpoint's fault, not a bug
              throw new CheckpointException("the checkpoint's optimizer state does not fit this model's parameters: "
                  + x.getMessage(), x);
            }
            j++;
            step++;
            // l_x is NaN by contract without a third pass; an infinite one is always a fault
            if (!Double.isFinite(r.loss()) || Double.isInfinite(r.inputLoss())) {
              throw stop(good, saved, e, j);
            }
            score.add(r.loss(), r.inputLoss(), trainer.lastOutput(), b.labels());
            bar.step(score);
          }
        }
        if (FaultFinder.firstNonFinite(trainer.parameters()) != null) {
          throw stop(good, saved, e, -1);
        }
        BatchScore val = validation == null ? null : score(validation);
        if (evaluation.tracksBest()) {
          double figure = validationFigure(val);
          BestEpoch next = BestEpoch.after(best, e + 1, figure, higherIsBetter(val), evaluation,
              () -> Checkpoint.copy(trainer.parameters()));
          if (next != best) {
            best = next;
            if (out != null) {
              Npz.write(out.resolve(BEST), best.parameters());
            }
          }
          stopped = best.exhausted(e + 1);
        }
        double testFigure = evaluation.testEveryEpoch() ? testFigure() : Double.NaN;
        double seconds = before + (System.nanoTime() - t0) / 1e9;
        EpochMetrics m = new EpochMetrics(e + 1, step, score.loss(), score.inputLoss(), score.error(),
            val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.inputLoss(),
            val == null ? Double.NaN : val.error(), testFigure, seconds);
        all.add(m);
        good = Checkpoint.capture(trainer, info(e + 1, step, seconds), best);
        saved = false;
        if (csv != null) {
          csv.append(m);
          if (e == epochs - 1 || stopped || System.nanoTime() - savedAt >= saveInterval.toNanos()) {
            save(good);
            saved = true;
            savedAt = System.nanoTime();
          }
        }
        listener.epochEnd(m);
      }
    } catch (NonFiniteException x) {
      throw x;
    } catch (RuntimeException x) {
      throw failed(x, e, j, good, saved);
    }
    if (!all.isEmpty()) {
      outcome = finish(all.get(all.size() - 1), best, stopped, csv);
    }
    return all;
  }

  /**
   * The end of a run: the kept parameters (with keep = best, the best epoch's are put into the
   * trainer) and the test figure on them, written into the kept epoch's row of metrics.csv.
   */
  private Outcome finish(EpochMetrics last, BestEpoch best, boolean stopped, MetricsCsv csv) {
    int kept = last.epoch();
    if (evaluation.keep() == dev.bpnet.api.Keep.BEST && best != null) {
      Map<String, INDArray> live = trainer.parameters();
      best.parameters().forEach((k, v) -> live.get(k).assign(v));
      kept = best.epoch();
    }
    double figure = evaluation.testEveryEpoch() && kept == last.epoch() ? last.test() : testFigure();
    if (csv != null && !evaluation.testEveryEpoch() && !Double.isNaN(figure)) {
      csv.setTest(kept, figure);
    }
    return new Outcome(last.epoch(), stopped && last.epoch() < epochs, best, kept, figure);
  }

  /**
   * The test set's accuracy, or MSE for regression, at the trainer's parameters; NaN without a
   * test set. Predicted by batches of the training size: a larger one would allocate every
   * pass's buffers again for it (for a conv net, gigabytes).
   */
  private double testFigure() {
    int bs = batches.batchSize();
    return test == null ? Double.NaN
        : regression ? Evaluate.meanSquaredError(trainer, test, bs) : Evaluate.accuracy(trainer, test, bs);
  }

  /** Validation accuracy for classifiers (when the trainer exposes its output), else the validation loss. */
  private double validationFigure(BatchScore val) {
    return higherIsBetter(val) ? 1 - val.error() : val.loss();
  }

  private boolean higherIsBetter(BatchScore val) {
    return !regression && !Double.isNaN(val.error());
  }

  /**
   * A failure that is not a non-finite value: the run directory must not be left holding a
   * checkpoint the next command trips on. A fresh run that completed no epoch leaves nothing
   * (its checkpoint held only the initialisation, which the seed reproduces), so the same --out
   * starts again; otherwise the last completed epoch's state is saved if it was not yet.
   */
  private TrainingFailedException failed(RuntimeException x, int epoch, int step, Checkpoint good, boolean saved) {
    String kept;
    int last = good.info().epoch();
    if (out == null) {
      kept = "nothing was saved (no output directory)";
    } else if (resume == null && last == 0) {
      try {
        CheckpointStore.remove(out);
        java.nio.file.Files.deleteIfExists(out.resolve("params.npz"));
        java.nio.file.Files.deleteIfExists(out.resolve(BEST));
        java.nio.file.Files.deleteIfExists(out.resolve("metrics.csv"));
        kept = "no epoch was completed, so nothing of this run was kept in " + out + ": it can start there again";
      } catch (java.io.IOException | RuntimeException cleanup) {
        kept = out + " holds the initial checkpoint, which could not be removed ("
            + dev.bpnet.runtime.io.IoErrors.describe(cleanup) + "); remove it, or use --resume " + out;
      }
    } else {
      if (!saved) {
        save(good);
      }
      kept = out + " holds the checkpoint after epoch " + last + "; --resume " + out + " continues from it";
    }
    return new TrainingFailedException(x, epoch + 1, step, last, kept);
  }

  /**
   * What happens as epoch e (0-based) starts: the trainer's hook, where the alpha and
   * learning-rate schedules live. The fault replay calls it too, so a replayed epoch runs
   * exactly as the original did.
   */
  static void beginEpoch(Trainer t, int epoch) {
    t.startEpoch(epoch);
  }

  /** Locates the fault, puts the trainer back at the last good state, saves it if it was not. */
  private NonFiniteException stop(Checkpoint good, boolean saved, int epoch, int lastStep) {
    NonFiniteException.Fault f;
    String replay = "seen in training but not on replay (non-deterministic backend?)";
    try {
      f = FaultFinder.locate(trainer, good, batches, epoch, lastStep);
    } catch (RuntimeException x) {
      // the replay only names the pass; its own failure must not replace the report of the fault
      f = null;
      replay = "the replay that names the pass failed (" + dev.bpnet.runtime.io.IoErrors.describe(x) + ")";
    }
    if (f == null) {  // report what the loop saw
      f = new NonFiniteException.Fault(epoch + 1, Math.max(lastStep, 0), good.info().step() + Math.max(lastStep, 0),
          lastStep < 0 ? "parameters after the epoch" : "loss of the step", null, replay);
    }
    good.restoreInto(trainer);
    if (out != null && !saved) {
      save(good);
    }
    return new NonFiniteException(f, good.info().epoch(), out == null ? null : out.resolve(CheckpointStore.JSON).toString());
  }

  private void save(Checkpoint c) {
    CheckpointStore.save(out, c);
    Npz.write(out.resolve("params.npz"), c.parameters());
  }

  /** Loss, l_x and error of a data set, by batches of the training size, parameters unchanged. */
  private BatchScore score(Dataset d) {
    BatchScore s = new BatchScore(regression);
    String input = trainer.inputNames().get(0);
    String label = trainer.labelNames().get(0);
    int bs = batches.batchSize();
    for (int from = 0; from < d.size(); from += bs) {
      int to = Math.min(d.size(), from + bs);
      INDArray x = d.features().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      INDArray y = d.labels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
      Gradients g = trainer.gradients(Map.of(input, x, label, y));
      s.add(g.loss(), g.inputLoss(), trainer.lastOutput(), y);
    }
    return s;
  }

  private Checkpoint.Info info(int epoch, long step, double seconds) {
    return new Checkpoint.Info(trainer.modelName(), modelHash, dtypeName(trainer.dataType()), epoch, step, epochs,
        seconds, seed, hyperparameters);
  }

  private void checkCompatible(Checkpoint c) {
    if (modelHash == null) {
      modelHash = defaultModelHash(trainer);
    }
    Checkpoint.Info i = c.info();
    List<String> why = new ArrayList<>();
    if (!i.modelHash().equals(modelHash)) {
      why.add("it was written by model " + i.model() + " (hash " + abbrev(i.modelHash()) + "), this is model "
          + trainer.modelName() + " (hash " + abbrev(modelHash) + ")");
    } else if (!i.model().equals(trainer.modelName())) {
      // the hash leaves the name out; a checkpoint naming another model is damaged or not this run's
      why.add("it names model " + i.model() + ", this is model " + trainer.modelName());
    }
    why.addAll(c.differences(trainer));
    String dtype = dtypeName(trainer.dataType());
    if (!i.dtype().equals(dtype)) {
      why.add("it is " + i.dtype() + ", this run is " + dtype);
    }
    if (i.seed() != seed) {
      why.add("its shuffle seed is " + i.seed() + ", this run's is " + seed);
    }
    Map<String, String> mine = new LinkedHashMap<>(hyperparameters);
    Map<String, String> theirs = new LinkedHashMap<>(i.hyperparameters());
    new java.util.TreeSet<>(union(mine, theirs)).forEach(k -> {
      if (!Objects.equals(mine.get(k), theirs.get(k))) {
        why.add(k + " is " + Objects.requireNonNullElse(theirs.get(k), "unset") + " in the checkpoint, "
            + Objects.requireNonNullElse(mine.get(k), "unset") + " here");
      }
    });
    if (!why.isEmpty()) {
      throw new CheckpointException("refusing to resume from a checkpoint of a different model or run: "
          + String.join("; ", why));
    }
  }

  private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.Set<String> s = new java.util.HashSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }

  private static String abbrev(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }

  /** float32 or float64, as models write it. */
  static String dtypeName(DataType t) {
    return t == DataType.DOUBLE ? "float64" : t == DataType.FLOAT ? "float32" : t.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The hash of trainers built without a compiler at hand: SHA-256 of the trainer's class name,
   * model name and parameter names and shapes. {@code bpnet train} hashes the compiled model
   * instead, which also tells apart models of the same shapes.
   */
  public static String defaultModelHash(Trainer t) {
    StringBuilder b = new StringBuilder(t.getClass().getName()).append('\n').append(t.modelName()).append('\n');
    t.parameters().forEach((k, v) -> b.append(k).append(' ').append(Arrays.toString(v.shape())).append('\n'));
    return sha256(b.toString());
  }

  /** Lower-case hex SHA-256 of the UTF-8 text. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- one call from a train block (TrainBlockRun)

  /**
   * Trains {@code trainer} as its train block {@code spec} says (a generated trainer's
   * {@code TRAIN}, or one edited: {@code TRAIN.withEpochs(5)}): its data, validation split,
   * batch size, shuffling seed and epochs, with no output directory; the figures are those
   * {@code bpnet train} prints for the same trainer and options. Relative data paths are read
   * from the working directory.
   */
  public static <T extends Trainer> TrainBlockRun<T> run(T trainer, TrainSpec spec) {
    return TrainBlockRun.run(trainer, spec, null, null, m -> {});
  }

  /**
   * As {@link #run(Trainer, TrainSpec)}, with a trainer of {@code cls} made as {@code bpnet train}
   * makes it: in the block's dtype, its parameters initialised from the block's seed.
   */
  public static <T extends Trainer> TrainBlockRun<T> run(Class<T> cls, TrainSpec spec) {
    return run(TrainBlockRun.instantiate(cls, spec), spec);
  }

  /**
   * As {@link #run(Trainer, TrainSpec)}, reading relative data paths against {@code modelDir} when
   * they are not in the working directory (null: the working directory only), writing
   * metrics.csv, params.npz and checkpoints to {@code out} (null: nothing written), and telling
   * {@code listener} each epoch's figures.
   */
  public static <T extends Trainer> TrainBlockRun<T> run(T trainer, TrainSpec spec, Path modelDir, Path out,
      Listener listener) {
    return TrainBlockRun.run(trainer, spec, modelDir, out, listener);
  }
}
