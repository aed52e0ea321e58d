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

  @Option(names = "--data", paramLabel = "DIR", description = "data set name or IDX directory (default: the model's data option)")
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
      d = TrainData.load(data != null ? data : spec.data(), dir, tg.program(), dt);
    } catch (DataException e) {
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
    StringBuilder csv = new StringBuilder("epoch,train_loss,train_input_loss,test_accuracy,seconds\n");
    Batches batches = new Batches(d.train(), spec.batch(), spec.seed());
    String input = t.inputNames().get(0);
    String label = t.labelNames().get(0);
    long start = System.nanoTime();
    for (int e = 0; e < n; e++) {
      double loss = 0;
      double lx = 0;
      int steps = 0;
      t.optimizer().startEpoch(e);
      ProgressBarBuilder bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", e + 1, n))
          .setInitialMax(batches.batchesPerEpoch()).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
          .continuousUpdate();
      if (System.console() == null) {
        // not a terminal (a log, CI): no redrawn progress line, only the per-epoch lines below
        bar.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(line -> { }));
      }
      try (ProgressBar pb = bar.build()) {
        for (Batch b : batches.epoch(e)) {
          StepResult r = t.step(Map.of(input, b.features(), label, b.labels()));
          if (!Double.isFinite(r.loss())) {
            err().printf("error: the loss is %s at epoch %d, step %d; stopping%s%n", r.loss(), e + 1, steps + 1,
                e == 0 ? " (no epoch completed, nothing saved)" : "; the parameters after epoch " + e + " are in " + out.resolve("params.npz"));
            return Main.MODEL_ERRORS;
          }
          loss += r.loss();
          lx += r.inputLoss();
          steps++;
          pb.step();
          pb.setExtraMessage(String.format(" loss %.4f%s", loss / steps, tg.hasThirdPass() ? String.format(" l_x %.4f", lx / steps) : ""));
        }
      }
      double acc = Evaluate.accuracy(t, d.test(), 500);
      double secs = (System.nanoTime() - start) / 1e9;
      out().printf("epoch %d/%d: loss %.4f%s, test accuracy %.2f%% (%.1f s)%n", e + 1, n, loss / steps,
          tg.hasThirdPass() ? String.format(", l_x %.4f", lx / steps) : "", 100 * acc, secs);
      csv.append(String.format(java.util.Locale.ROOT, "%d,%.6g,%.6g,%.6f,%.2f%n", e + 1, loss / steps, lx / steps, acc, secs));
      Files.writeString(out.resolve("metrics.csv"), csv, StandardCharsets.UTF_8);
      Npz.write(out.resolve("params.npz"), t.parameters());
    }
    out().println("wrote " + out.resolve("params.npz") + " and " + out.resolve("metrics.csv"));
    return Main.OK;
  }
}
