package dev.bpnet.dsl.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.syntax.TrainSpec;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.Npz;
import dev.bpnet.runtime.train.Evaluate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bpnet train FILE}: compiles the model in memory, trains it with a live progress
 * line, and writes the trained parameters and per-epoch metrics to {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Trains a model and writes params.npz and metrics.csv to --out.")
final class TrainCommand extends ModelCommand {
  @Option(names = "--epochs", paramLabel = "N", description = "epochs (default: the model's)")
  Integer epochs;

  @Option(names = "--data", paramLabel = "DIR", description = "data set name (with its default arguments) or IDX directory (default: the model's data option)")
  String data;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write the outcome (default: runs/<model>-<time>)")
  Path outDir;

  @Override
  int run(SourceFile src) throws Exception {
    TrainingGraph tg = compile(src);
    TrainSpec spec = tg.program().train();
    DataType dt = BpNetCompiler.dataType(spec.dtype());
    TrainData d;
    try {
      Path dir = Path.of(src.name()).toAbsolutePath().getParent();
      d = data != null ? TrainData.load(data, Map.of(), dir, tg.program(), dt)
          : TrainData.load(spec.data(), spec.dataArgs(), dir, tg.program(), dt);
    } catch (DataException | IllegalArgumentException e) {
      // IllegalArgumentException: generator arguments out of range, possible only through the Java API's TrainSpec
      err().println("error: " + e.getMessage());
      return Main.MODEL_ERRORS;
    }
    Trainer t = BpNetCompiler.instantiate(tg, dt, spec.seed());
    int n = epochs != null ? epochs : spec.epochs();
    Path out = outDir != null ? outDir : Path.of("runs", tg.program().name() + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(out);
    out().printf("training %s on %s: %d epochs, batch %d, %s%n", tg.program().name(), d.description(), n, spec.batch(),
        tg.hasThirdPass() ? "3 passes (" + spec.third() + ", alpha " + spec.alpha() + ")" : "2 passes");
    // regression data: the test figure is the mean squared error, accuracy would mean nothing
    String metric = d.regression() ? "test_mse" : "test_accuracy";
    Path csv = out.resolve("metrics.csv");
    int every = reportEvery(n);
    if (every > 1) {
      out().printf("printing every %d epochs; metrics.csv has them all%n", every);
    }
    Batches batches = new Batches(d.train(), spec.batch(), spec.seed());
    String input = t.inputNames().get(0);
    String label = t.labelNames().get(0);
    // A live progress line only on a terminal (not in logs or CI), and only for epochs long enough to watch:
    // each bar probes the terminal, which costs more than a whole epoch of a 5-point data set.
    boolean live = System.console() != null && batches.batchesPerEpoch() >= 10;
    long start = System.nanoTime();
    int saved = 0;
    for (int e = 0; e < n; e++) {
      double loss = 0;
      double lx = 0;
      int steps = 0;
      t.optimizer().startEpoch(e);
      try (ProgressBar pb = live ? new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", e + 1, n))
          .setInitialMax(batches.batchesPerEpoch()).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
          .continuousUpdate().build() : null) {
        for (Batch b : batches.epoch(e)) {
          StepResult r = t.step(Map.of(input, b.features(), label, b.labels()));
          if (!Double.isFinite(r.loss())) {
            err().printf("error: the loss is %s at epoch %d, step %d; stopping%s%n", r.loss(), e + 1, steps + 1,
                saved == 0 ? " (nothing saved yet)" : "; the parameters after epoch " + saved + " are in " + out.resolve("params.npz"));
            return Main.MODEL_ERRORS;
          }
          loss += r.loss();
          lx += r.inputLoss();
          steps++;
          if (pb != null) {
            pb.step();
            pb.setExtraMessage(String.format(" loss %.4f%s", loss / steps, tg.hasThirdPass() ? String.format(" l_x %.4f", lx / steps) : ""));
          }
        }
      }
      double test = d.regression() ? Evaluate.meanSquaredError(t, d.test(), 500) : Evaluate.accuracy(t, d.test(), 500);
      double secs = (System.nanoTime() - start) / 1e9;
      boolean report = (e + 1) % every == 0 || e == 0 || e == n - 1;
      if (report) {
        // regression losses fall far below 1e-4: significant digits, not decimals
        out().printf("epoch %d/%d: loss " + (d.regression() ? "%.4g" : "%.4f") + "%s, %s (%.1f s)%n", e + 1, n, loss / steps,
            tg.hasThirdPass() ? String.format(", l_x %.4f", lx / steps) : "",
            d.regression() ? String.format("test mse %.4g", test) : String.format("test accuracy %.2f%%", 100 * test), secs);
      }
      // appended, not rewritten: runs of thousands of short epochs (the 5-point cubic) stay linear
      if (e == 0) {
        Files.writeString(csv, "epoch,train_loss,train_input_loss," + metric + ",seconds\n", StandardCharsets.UTF_8);
      }
      Files.writeString(csv, String.format(java.util.Locale.ROOT, d.regression() ? "%d,%.6g,%.6g,%.6g,%.2f%n"
          : "%d,%.6g,%.6g,%.6f,%.2f%n", e + 1, loss / steps, lx / steps, test, secs),
          StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      if (report) {
        // saved (and fsynced) with the printed epochs only: thousands of tiny epochs would spend their time syncing
        Npz.write(out.resolve("params.npz"), t.parameters());
        saved = e + 1;
      }
    }
    out().println("wrote " + out.resolve("params.npz") + " and " + csv);
    return Main.OK;
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
