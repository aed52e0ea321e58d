package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpnet train} with early_stop and keep: what it prints when it stops and which parameters
 * it kept, the test figure once, on them; evaluate --run reads the kept file; a stopped run has
 * nothing left to resume; no validation set is a located diagnostic.
 */
class EarlyStopCommandTest {
  @TempDir Path dir;

  /** Parameters that cannot move (an update of exactly 0): the validation accuracy of epoch 1 is never beaten. */
  static final String FROZEN = """
      optimizer frozen(lr = 0.1) { update = 0 * g }
      model Frozen {
        input x: [784]
        label y: [10]
        logits = dense(relu(dense(x, 8)), 10)
        loss = softmax_cross_entropy(logits, y)
        train { optimizer = frozen()  batch = 50  epochs = 10  seed = 3  data = mnist(train = 300, test = 200) }
      }
      """;

  private Path model() throws Exception {
    Path f = dir.resolve("frozen.bpnet");
    Files.writeString(f, FROZEN);
    return f;
  }

  private static double figure(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void stopsSaysWhyAndTestsTheKeptParametersOnce() throws Exception {
    Path f = model();
    Path run = dir.resolve("best");
    Result r = bpnet("train", f.toString(), "--set", "early_stop=2", "--set", "keep=best", "--out", run.toString());
    assertEquals(0, r.code(), show(r));
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("epoch 3/10: loss")), show(r));
    assertFalse(r.out().contains("epoch 4/10"), show(r));
    double val = figure(r.out(), "epoch 1/10: loss [0-9.]+, val loss [0-9.]+ accuracy ([0-9.]+)%");
    assertFalse(r.out().contains(", test accuracy"), "no test figure per epoch: " + show(r));
    String stopped = String.format("stopped early at epoch 3: validation accuracy has not improved for 2 epochs since epoch 1"
        + " (%.2f%%)", val);
    assertTrue(lines.contains(stopped), stopped + "\n" + show(r));
    double test = figure(r.out(), "\ntest accuracy ([0-9.]+)% on the parameters of epoch 1, the best validation epoch"
        + " \\(keep = best: best.npz; params.npz holds epoch 3's\\)\n");
    assertTrue(r.out().contains("wrote " + run.resolve("params.npz") + ", " + run.resolve("best.npz") + ", "), show(r));
    // metrics.csv: three rows, the test figure only in the kept epoch's
    List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals(4, rows.size(), rows.toString());
    assertEquals(List.of(String.format("%.6f", test / 100), "", ""),
        rows.subList(1, 4).stream().map(row -> row.split(",", -1)[7]).toList().stream()
            .map(c -> c.isEmpty() ? "" : String.format("%.6f", Double.parseDouble(c))).toList());

    // evaluate --run reads best.npz and gives the printed figure
    Result e = bpnet("evaluate", f.toString(), "--run", run.toString());
    assertEquals(0, e.code(), show(e));
    assertTrue(e.out().contains("parameters " + run.resolve("best.npz")), show(e));
    assertEquals(test, figure(e.out(), "accuracy ([0-9.]+)%"), 1e-9, show(e));

    // the stopped run is finished
    Result again = bpnet("train", f.toString(), "--resume", run.toString());
    assertEquals(0, again.code(), show(again));
    assertTrue(again.out().contains("the run in " + run + " " + stopped.replace("stopped early at epoch 3: ",
        "stopped early at epoch 3: ") + "; nothing to do"), show(again));
  }

  @Test
  void keepLastStillWritesBestNpzButCommandsReadParamsNpz() throws Exception {
    Path f = model();
    Path run = dir.resolve("last");
    Result r = bpnet("train", f.toString(), "--set", "early_stop=1", "--out", run.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("\nstopped early at epoch 2: validation accuracy has not improved for 1 epoch since epoch 1 ("),
        show(r));
    assertTrue(r.out().contains("% on the parameters of epoch 2, the last (keep = last: params.npz)\n"), show(r));
    assertTrue(Files.exists(run.resolve("best.npz")));
    Result e = bpnet("evaluate", f.toString(), "--run", run.toString());
    assertEquals(0, e.code(), show(e));
    assertTrue(e.out().contains("parameters " + run.resolve("params.npz")), show(e));
    // frozen parameters: both files hold the initialisation
    Npz.read(run.resolve("best.npz")).forEach((k, v) -> assertEquals(v, Npz.read(run.resolve("params.npz")).get(k), k));
  }

  @Test
  void withoutAValidationSetItIsALocatedDiagnostic() throws Exception {
    Path f = model();
    Result r = bpnet("check", f.toString(), "--set", "validation=0", "--set", "early_stop=2");
    assertEquals(2, r.code(), show(r));
    assertTrue(r.err().contains("error(E60): --set:2:12: 'early_stop = 2' needs a validation set, but validation = 0"
        + " (at --set:1:12) holds no examples out"), show(r));
    assertTrue(r.err().contains("hint: write validation = 0.1"), show(r));
    // regression data (float targets in an .npz) holds none out by default, known only when the data is read
    Path npz = dir.resolve("reg.npz");
    org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 40, 2);
    Npz.write(npz, java.util.Map.of("x", x, "y", x.mul(0.5)));
    Path reg = dir.resolve("reg.bpnet");
    Files.writeString(reg, """
        model Reg {
          input x: [2]
          label y: [2]
          loss = mse(dense(x, 2), y)
          train { batch = 8  early_stop = 2 }
        }
        """);
    Result t = bpnet("train", reg.toString(), "--data", npz.toString(), "--out",
        dir.resolve("reg").toString());
    assertEquals(1, t.code(), show(t));
    assertTrue(t.err().contains("error: early_stop = 2 needs a validation set, but validation = auto holds none out of"), show(t));
  }
}
