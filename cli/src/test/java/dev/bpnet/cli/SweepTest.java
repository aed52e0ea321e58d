package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import dev.bpnet.runtime.train.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpnet sweep}: a tiny sweep runs every combination with every seed in its own directory;
 * the summary's means and standard deviations are those of the runs' metrics.csv, computed here
 * from the files; a sweep restarted after losing a run and stopping another part-way runs only
 * those two and ends with the same summary.
 */
class SweepTest {

  @TempDir
  Path dir;

  private Path model() throws Exception {
    return Files.writeString(dir.resolve("m.bpnet"), """
        model Cos {
          input x: [1]
          label y: [1]
          out = dense(sigmoid(dense(x, 4)), 1)
          loss = mse(out, y)
          train { optimizer = sgd(lr = 0.5)  batch = 8  epochs = 3  data = cosine(n = 40)  validation = 0.2 }
        }
        """);
  }

  private static final String GRID = "optimizer=sgd(lr = 0.2),momentum(lr = 0.1, momentum = 0.5)";

  @Test
  void everyRunThenASummaryOfTheirMetricsAndARestartRunsOnlyWhatIsMissing() throws Exception {
    Path m = model();
    Path sw = dir.resolve("sw");
    Result r = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--out", sw.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("2 combinations x 2 seeds = 4 runs"), show(r));
    List<Path> runs;
    try (var s = Files.list(sw.resolve("runs"))) {
      runs = s.sorted().toList();
    }
    assertEquals(List.of("optimizer=momentum_lr=0.1,momentum=0.5_,seed=1", "optimizer=momentum_lr=0.1,momentum=0.5_,seed=2",
        "optimizer=sgd_lr=0.2_,seed=1", "optimizer=sgd_lr=0.2_,seed=2"),
        runs.stream().map(p -> p.getFileName().toString()).toList());
    for (Path run : runs) {
      assertTrue(CheckpointStore.load(run).checkpoint().info().finished(), run.toString());
      String json = Files.readString(run.resolve("run.json"));
      assertTrue(json.contains("\"seed=" + run.getFileName().toString().substring(run.getFileName().toString().length() - 1) + "\""), json);
    }
    String summary = Files.readString(sw.resolve("summary.csv"));
    checkSummary(summary, sw.resolve("runs"));
    assertTrue(Files.readString(sw.resolve("summary.md")).startsWith("| optimizer | runs | final train_loss |"),
        Files.readString(sw.resolve("summary.md")));

    checkPlot(sw.resolve("summary.png"), runs.get(2), runs.get(3));

    // a run lost, another stopped after its first epoch: only those two run again
    Path lost = runs.get(0);
    Path stopped = runs.get(3);
    deleteTree(lost);
    deleteTree(stopped);
    Result first = bpnet("train", m.toString(), "--set", "optimizer=sgd(lr = 0.2)", "--set", "seed=2", "--epochs", "1",
        "--out", stopped.toString());
    assertEquals(0, first.code(), show(first));
    Map<Path, String> kept = new TreeMap<>();
    Map<Path, FileTime> times = new TreeMap<>();
    for (Path p : List.of(runs.get(1), runs.get(2))) {
      kept.put(p, Files.readString(p.resolve("metrics.csv")));
      times.put(p, Files.getLastModifiedTime(p.resolve("checkpoint.json")));
    }
    Result again = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--out", sw.toString());
    assertEquals(0, again.code(), show(again));
    assertTrue(again.out().contains("2 to run (the others are finished)"), show(again));
    assertTrue(again.out().contains("[2/2") && !again.out().contains("[3/"), show(again));
    assertTrue(again.out().contains(sw.relativize(stopped) + " (resumed)"), show(again));
    for (Path p : kept.keySet()) {
      assertEquals(kept.get(p), Files.readString(p.resolve("metrics.csv")), p + " untouched");
      assertEquals(times.get(p), Files.getLastModifiedTime(p.resolve("checkpoint.json")), p + " untouched");
    }
    // deterministic runs, and a resumed run ends as an uninterrupted one: the same summary
    assertEquals(summary, Files.readString(sw.resolve("summary.csv")));
    Result finished = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--out", sw.toString());
    assertTrue(finished.out().contains("4 runs in " + sw.resolve("runs") + "; all finished"), show(finished));
  }

  /**
   * The PNG is drawn; at each epoch a band's mean line and its shaded edges, mean ± the sample
   * standard deviation, are those of the two runs' metrics.csv (for two values the deviation is
   * |u - v| / sqrt(2)); the test figure, taken once at the end, is one point with an error bar.
   */
  private static void checkPlot(Path png, Path a, Path b) throws Exception {
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(3 * dev.bpnet.cli.plot.RunCharts.WIDTH, image.getWidth(), "loss, error and mse side by side");
    var charts = dev.bpnet.cli.plot.RunCharts.bands(Map.of("sgd", List.of(dev.bpnet.cli.plot.RunMetrics.read(a),
        dev.bpnet.cli.plot.RunMetrics.read(b))));
    for (String quantity : List.of("loss", "error")) {
      var chart = charts.stream().filter(c -> c.getTitle().startsWith(quantity + " ")).findFirst().orElseThrow();
      for (String split : List.of("train", "val")) {
        String column = split + "_" + quantity;
        var line = chart.getSeriesMap().get("sgd " + split);
        var band = chart.getSeriesMap().get("sgd " + split + " band");
        assertEquals(List.of(1.0, 2.0, 3.0), Arrays.stream(line.getXData()).boxed().toList(), column);
        assertEquals(List.of(1.0, 2.0, 3.0, 3.0, 2.0, 1.0), Arrays.stream(band.getXData()).boxed().toList(), column);
        assertEquals(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.PolygonArea, band.getXYSeriesRenderStyle());
        assertFalse(band.isShowInLegend(), "a band is its line's shading, not a legend entry");
        for (int e = 0; e < 3; e++) {
          double u = column(a.resolve("metrics.csv"), column).get(e);
          double v = column(b.resolve("metrics.csv"), column).get(e);
          double mean = (u + v) / 2;
          double std = Math.abs(u - v) / Math.sqrt(2);
          double tol = 1e-12 * Math.max(Math.abs(u), Math.abs(v));
          assertEquals(mean, line.getYData()[e], tol, column + " mean, epoch " + (e + 1));
          assertEquals(mean + std, band.getYData()[e], tol, column + " upper edge, epoch " + (e + 1));
          assertEquals(mean - std, band.getYData()[5 - e], tol, column + " lower edge, epoch " + (e + 1));
        }
      }
    }
    var test = charts.stream().filter(c -> c.getTitle().startsWith("mean squared error")).findFirst().orElseThrow()
        .getSeriesMap().get("sgd test");
    assertEquals(List.of(3.0), java.util.Arrays.stream(test.getXData()).boxed().toList(), "the test figure of the last epoch only");
    double u = column(a.resolve("metrics.csv"), "test_mse").get(2);
    double v = column(b.resolve("metrics.csv"), "test_mse").get(2);
    assertEquals((u + v) / 2, test.getYData()[0], 1e-12 * Math.abs(u));
    assertEquals(Math.abs(u - v) / Math.sqrt(2), test.getExtraValues()[0], 1e-12 * Math.abs(u));
  }

  private static List<Double> column(Path csv, String name) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    int c = Arrays.asList(lines.get(0).split(",")).indexOf(name);
    return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)[c])
        .map(cell -> cell.isEmpty() ? Double.NaN : Double.parseDouble(cell)).toList();
  }

  /** Each row's mean and sample standard deviation against the runs' metrics.csv, read here. */
  private static void checkSummary(String summary, Path runs) throws Exception {
    List<String> lines = summary.lines().toList();
    List<String> header = csv(lines.get(0));
    assertEquals(List.of("optimizer", "runs", "final_train_loss_mean", "final_train_loss_std"), header.subList(0, 4));
    assertTrue(header.containsAll(List.of("final_val_error_mean", "test_mse_mean", "test_mse_std", "best_val_error_mean")),
        header.toString());
    // no best test figure (that would tune on the test set), and the test figure is the kept epoch's, not a "final" one
    assertFalse(header.contains("final_seconds_mean") || header.contains("final_epoch_mean")
        || header.contains("best_test_mse_mean") || header.contains("final_test_mse_mean"), header.toString());
    assertEquals(3, lines.size(), "two combinations");
    int checked = 0;
    for (String line : lines.subList(1, lines.size())) {
      List<String> row = csv(line);
      String value = row.get(0);
      String prefix = "optimizer=" + value.replace(" ", "").replaceAll("[^A-Za-z0-9.=,_-]", "_") + ",seed=";
      assertEquals("2", row.get(1));
      for (int c = 2; c < header.size(); c += 2) {
        String name = header.get(c).substring(0, header.get(c).length() - "_mean".length());
        double[] xs = new double[2];
        for (int s = 1; s <= 2; s++) {
          xs[s - 1] = figure(runs.resolve(prefix + s).resolve("metrics.csv"), name);
        }
        double mean = (xs[0] + xs[1]) / 2;
        double std = Math.abs(xs[0] - xs[1]) / Math.sqrt(2);  // sample standard deviation of two values
        assertEquals(mean, Double.parseDouble(row.get(c)), 1e-12 * Math.abs(mean), name + " mean of " + value);
        assertEquals(std, Double.parseDouble(row.get(c + 1)), 1e-12 * Math.abs(mean) + 1e-300, name + " std of " + value);
        checked++;
      }
    }
    assertEquals(2 * 6, checked, "final train_loss, train_error, val_loss, val_error; test_mse; best val_error");
  }

  /** final_X and test_mse: the last row's X (the test figure is taken once, on the last epoch's parameters); best_val_error: the lowest of the column. */
  private static double figure(Path csv, String name) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = Arrays.asList(lines.get(0).split(","));
    String column = name.startsWith("test_") ? name : name.substring(name.indexOf('_') + 1);
    int c = header.indexOf(column);
    assertTrue(c >= 0, column + " in " + header);
    List<Double> values = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      String cell = l.split(",", -1)[c];
      values.add(cell.isEmpty() ? Double.NaN : Double.parseDouble(cell));
    }
    if (name.startsWith("test_")) {
      assertTrue(values.subList(0, values.size() - 1).stream().allMatch(v -> v.isNaN()), "the test set is scored once: " + values);
    }
    return !name.startsWith("best_") ? values.get(values.size() - 1) : values.stream().min(Double::compare).orElseThrow();
  }

  private static List<String> csv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out;
  }

  @Test
  void aBadValueStopsTheSweepBeforeAnythingTrains() throws Exception {
    Path m = model();
    Path sw = dir.resolve("bad");
    Result r = bpnet("sweep", m.toString(), "--grid", "validation=0.1,1.5", "--out", sw.toString());
    assertEquals(Main.USAGE, r.code(), show(r));
    assertTrue(r.err().contains("error(E7): --set:1:12: bad value for option 'validation'"), show(r));
    assertTrue(r.err().contains("(with --set 'validation=1.5')"), show(r));
    assertFalse(Files.exists(sw.resolve("runs")), "nothing trained");
    Result grid = bpnet("sweep", m.toString(), "--grid", "alpha", "--out", sw.toString());
    assertEquals(Main.USAGE, grid.code(), show(grid));
    assertTrue(grid.err().contains("--grid alpha: expected NAME=V1,V2,..."), show(grid));
  }

  @Test
  void aDryRunCompilesEveryCombinationListsTheRunsAndTrainsNone() throws Exception {
    Path m = model();
    Path sw = dir.resolve("dry");
    Result r = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--dry-run", "--out", sw.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("runs/optimizer=sgd_lr=0.2_,seed=2") && r.out().contains("nothing trained"), show(r));
    assertFalse(Files.exists(sw.resolve("runs")), "nothing trained");
    Result bad = bpnet("sweep", m.toString(), "--grid", "validation=0.1,1.5", "--dry-run", "--out", sw.toString());
    assertEquals(Main.USAGE, bad.code(), show(bad));
  }

  @Test
  void modelsAreAColumnOfTheSummary() throws Exception {
    Path m = Files.writeString(dir.resolve("two.bpnet"), Files.readString(model()) + """
        model CosTanh {
          input x: [1]
          label y: [1]
          out = dense(tanh(dense(x, 4)), 1)
          loss = mse(out, y)
          train { optimizer = sgd(lr = 0.5)  batch = 8  epochs = 2  data = cosine(n = 40) }
        }
        """);
    Path sw = dir.resolve("models");
    Result r = bpnet("sweep", m.toString(), "--models", "CosTanh,Cos", "--grid", "batch=4,8", "--out", sw.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("2 models x 2 combinations x 1 seed = 4 runs"), show(r));
    List<String> rows = Files.readAllLines(sw.resolve("summary.csv"));
    assertEquals(5, rows.size(), rows.toString());
    assertTrue(rows.get(0).startsWith("model,batch,runs,"), rows.get(0));
    assertEquals(List.of("CosTanh,4,1", "CosTanh,8,1", "Cos,4,1", "Cos,8,1"),
        rows.subList(1, 5).stream().map(l -> String.join(",", csv(l).subList(0, 3))).toList());
    // each model's own epochs: CosTanh 2, Cos 3
    assertEquals(3, Files.readAllLines(sw.resolve("runs/model=CosTanh,batch=4,seed=1/metrics.csv")).size());
    assertEquals(4, Files.readAllLines(sw.resolve("runs/model=Cos,batch=8,seed=1/metrics.csv")).size());
  }

  /**
   * {@code g3} (where a feedback layer's third-pass gradient goes) is a train option, so a grid
   * sweeps it: in paper mode {@code b} and {@code none} train alike (W gets no third-pass gradient
   * of its own either way, and B's is never applied), {@code w} applies it to W and trains
   * otherwise; each run records its choice, and a resumed run refuses another.
   */
  @Test
  void theFeedbackLayersThirdPassIsAGridOption() throws Exception {
    Path m = Files.writeString(dir.resolve("fa.bpnet"), """
        model Fa {
          input x: [1]
          label y: [1]
          h = sigmoid(dense(x, 4, feedback = random))
          out = dense(h, 1, feedback = random)
          loss = mse(out, y)
          train { passes = 3  alpha = 0.5  optimizer = sgd(lr = 0.5)  batch = 8  epochs = 2  data = cosine(n = 40) }
        }

        model Plain {
          input x: [1]
          label y: [1]
          out = dense(sigmoid(dense(x, 4)), 1)
          loss = mse(out, y)
          train { passes = 3  alpha = 0.5  data = cosine(n = 40) }
        }
        """);
    Path sw = dir.resolve("g3");
    Result r = bpnet("sweep", m.toString(), "--grid", "g3=b,w,none", "--out", sw.toString());
    assertEquals(0, r.code(), show(r));
    // the g3 that model Plain, without feedback layers, ignores: W1 in each run's log, not in the sweep's output
    assertFalse(r.all().contains("warning"), show(r));
    for (String to : List.of("b", "w", "none")) {
      String log = Files.readString(sw.resolve("runs/g3=" + to + ",seed=1/train.log"));
      assertTrue(log.contains("warning(W1): --set:1:1: 'g3 = " + to + "' has no effect: model 'Plain' has no feedback layer")
          && log.contains("1 warning"), log);
    }
    Result checked = bpnet("check", m.toString(), "--set", "g3=w");
    assertEquals(0, checked.code(), show(checked));
    assertEquals(1, checked.err().lines().filter(l -> l.startsWith("warning(W1)")).count(), show(checked));
    Map<String, List<String>> metrics = new TreeMap<>();
    for (String to : List.of("b", "w", "none")) {
      Path run = sw.resolve("runs/g3=" + to + ",seed=1");
      metrics.put(to, Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
      assertTrue(Files.readString(run.resolve("run.json")).contains("\"g3\": \"" + to + "\""), to);
    }
    assertEquals(metrics.get("b"), metrics.get("none"), "paper mode: b and none train alike");
    assertFalse(metrics.get("b").equals(metrics.get("w")), "w applies the third-pass gradient to W");
    assertEquals(4, Files.readAllLines(sw.resolve("summary.csv")).size(), "a row per choice");

    Result other = bpnet("train", m.toString(), "--resume", sw.resolve("runs/g3=w,seed=1").toString(), "--epochs", "3",
        "--set", "g3=b");
    assertEquals(Main.MODEL_ERRORS, other.code(), show(other));
    assertTrue(other.err().contains("g3 is w in the checkpoint, unset here"), show(other));
  }

  @Test
  void jobsRunInChildProcessesWithTheSameResults() throws Exception {
    Path m = model();
    Path one = dir.resolve("one");
    Path two = dir.resolve("two");
    Result a = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--out", one.toString());
    assertEquals(0, a.code(), show(a));
    Result b = bpnet("sweep", m.toString(), "--grid", GRID, "--seeds", "2", "--jobs", "2", "--out", two.toString());
    assertEquals(0, b.code(), show(b));
    assertTrue(b.out().contains("[4/4"), show(b));
    assertEquals(Files.readString(one.resolve("summary.csv")), Files.readString(two.resolve("summary.csv")));
    assertTrue(Files.readString(two.resolve("runs/optimizer=sgd_lr=0.2_,seed=1/train.log")).contains("epoch 3/3"));
  }

  @Test
  void valuesSplitAtTopLevelCommas() {
    assertEquals(List.of("0", "0.5", "adam(lr = 0.1, beta1 = 0.8)", "\"a,b\""),
        SweepCommand.splitValues("0, 0.5,adam(lr = 0.1, beta1 = 0.8),\"a,b\""));
  }

  private static void deleteTree(Path p) throws Exception {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
