package dev.bpnet.cli;

import dev.bpnet.cli.plot.RunMetrics;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of a sweep: one row per combination of grid values (and model, with --models), with the number of finished
 * runs (seeds) and, per figure, the mean and the sample standard deviation (n - 1; empty for one
 * run) over them. Figures, from each run's metrics.csv: {@code final X}, the last epoch's value
 * of every column X but epoch, seconds and the test figure that has values; {@code best val_error}
 * (the lowest) when there is a validation set; {@code test_accuracy} or {@code test_mse} on the
 * parameters the run kept ({@link #figures}). Written as {@value #MARKDOWN} and {@value #CSV}.
 */
record SweepSummary(List<String> axes, List<String> figures, List<Row> rows) {
  static final String MARKDOWN = "summary.md";
  static final String CSV = "summary.csv";
  static final String PNG = "summary.png";

  /** A combination's values (one per axis), its runs and, per figure, {mean, std}. */
  record Row(List<String> values, int runs, Map<String, double[]> stats) {}

  /** The summary of the finished runs, grouped by combination in the order given. */
  static SweepSummary of(List<String> axes, List<SweepCommand.Run> runs, boolean byModel) {
    Map<List<String>, List<Map<String, Double>>> groups = new LinkedHashMap<>();
    List<String> figures = new ArrayList<>();
    for (SweepCommand.Run r : runs) {
      Map<String, Double> f = figures(r.dir());
      f.keySet().stream().filter(k -> !figures.contains(k)).forEach(figures::add);
      List<String> key = new ArrayList<>(r.combination());
      if (byModel) {
        key.add(0, "model=" + r.model());
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
    }
    List<Row> rows = new ArrayList<>();
    groups.forEach((combination, list) -> {
      Map<String, double[]> stats = new LinkedHashMap<>();
      for (String fig : figures) {
        double[] xs = list.stream().mapToDouble(m -> m.getOrDefault(fig, Double.NaN)).toArray();
        stats.put(fig, new double[] {mean(xs), std(xs)});
      }
      List<String> values = combination.stream().map(s -> s.substring(s.indexOf('=') + 1)).toList();
      rows.add(new Row(values, list.size(), stats));
    });
    return new SweepSummary(axes, figures, rows);
  }

  /**
   * A run's figures, read from its metrics.csv: {@code final X} for every column but the test
   * figure, {@code best val_error}, and {@code test_accuracy} or {@code test_mse}, the test figure
   * on the parameters the run kept (the last epoch's, or with keep = best the best validation
   * epoch's, which its checkpoint names). There is no best test figure: picking the epoch with
   * the best test figure would tune on the test set.
   */
  static Map<String, Double> figures(Path dir) {
    RunMetrics m;
    try {
      m = RunMetrics.read(dir);
    } catch (RunMetrics.MetricsException e) {
      throw new DataException(e.getMessage());
    }
    Map<String, Double> f = new LinkedHashMap<>();
    int last = m.epochs().length - 1;
    int kept = keptRow(dir, m);
    m.columns().forEach((name, values) -> {
      if (name.startsWith("test_")) {
        if (kept >= 0 && !Double.isNaN(values[kept])) {
          f.put(name, values[kept]);
        }
      } else if (!name.equals("seconds") && last >= 0 && !Double.isNaN(values[last])) {
        f.put("final " + name, values[last]);
      }
    });
    double[] val = m.columns().get("val_error");
    if (val != null) {
      double best = Double.NaN;
      for (double v : val) {
        if (!Double.isNaN(v) && (Double.isNaN(best) || v < best)) {
          best = v;
        }
      }
      if (!Double.isNaN(best)) {
        f.put("best val_error", best);
      }
    }
    return f;
  }

  /** The row of the epoch whose parameters the run kept: the best epoch's with keep = best, else the last. */
  private static int keptRow(Path dir, RunMetrics m) {
    int last = m.epochs().length - 1;
    if (!dev.bpnet.runtime.io.ParamsFile.keepsBest(dir)) {
      return last;
    }
    try {
      var best = dev.bpnet.runtime.train.CheckpointStore.load(dir).checkpoint().best();
      for (int i = 0; best != null && i < m.epochs().length; i++) {
        if (m.epochs()[i] == best.epoch()) {
          return i;
        }
      }
    } catch (dev.bpnet.runtime.train.CheckpointException e) {
      // no checkpoint to name the best epoch: the figure is left out rather than guessed
    }
    return -1;
  }

  static double mean(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.length;
  }

  /** The sample standard deviation (n - 1), NaN for one value. */
  static double std(double[] xs) {
    if (xs.length < 2) {
      return Double.NaN;
    }
    double m = mean(xs);
    double s = 0;
    for (double x : xs) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (xs.length - 1));
  }

  String markdown() {
    StringBuilder b = new StringBuilder("| ");
    axes.forEach(a -> b.append(a).append(" | "));
    b.append("runs |");
    figures.forEach(f -> b.append(' ').append(f).append(" |"));
    b.append("\n|");
    b.append(" --- |".repeat(axes.size())).append(" ---: |");
    b.append(" ---: |".repeat(figures.size())).append('\n');
    for (Row r : rows) {
      b.append("| ");
      r.values().forEach(v -> b.append('`').append(v.replace("|", "\\|")).append("` | "));
      b.append(r.runs()).append(" |");
      for (String f : figures) {
        double[] s = r.stats().get(f);
        b.append(' ').append(Double.isNaN(s[0]) ? "" : String.format(Locale.ROOT, "%.4g", s[0]))
            .append(Double.isNaN(s[1]) ? "" : String.format(Locale.ROOT, " ± %.2g", s[1])).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }

  String csv() {
    List<String> header = new ArrayList<>(axes);
    header.add("runs");
    for (String f : figures) {
      String key = f.replace(' ', '_');
      header.add(key + "_mean");
      header.add(key + "_std");
    }
    StringBuilder b = new StringBuilder(String.join(",", header.stream().map(SweepSummary::cell).toList())).append('\n');
    for (Row r : rows) {
      List<String> cells = new ArrayList<>(r.values().stream().map(SweepSummary::cell).toList());
      cells.add(Integer.toString(r.runs()));
      for (String f : figures) {
        double[] s = r.stats().get(f);
        cells.add(Double.isNaN(s[0]) ? "" : Double.toString(s[0]));
        cells.add(Double.isNaN(s[1]) ? "" : Double.toString(s[1]));
      }
      b.append(String.join(",", cells)).append('\n');
    }
    return b.toString();
  }

  /** A CSV cell, quoted when it holds a comma or a quote. */
  private static String cell(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /**
   * {@value #PNG}: the curves of each combination (a colour each), the mean over its runs at
   * each epoch with error bars of one standard deviation; false when there is nothing to plot.
   */
  static boolean plot(Path dir, List<String> axes, List<SweepCommand.Run> runs, boolean byModel) throws java.io.IOException {
    Map<String, List<dev.bpnet.cli.plot.RunMetrics>> groups = new LinkedHashMap<>();
    for (SweepCommand.Run r : runs) {
      List<String> key = new ArrayList<>(r.combination());
      if (byModel) {
        key.add(0, r.model());  // a legend names the model plainly
      }
      try {
        groups.computeIfAbsent(key.isEmpty() ? "runs" : String.join(" ", key), k -> new ArrayList<>())
            .add(dev.bpnet.cli.plot.RunMetrics.read(r.dir()));
      } catch (dev.bpnet.cli.plot.RunMetrics.MetricsException e) {
        throw new DataException(e.getMessage());
      }
    }
    List<org.knowm.xchart.XYChart> charts = dev.bpnet.cli.plot.RunCharts.bands(groups);
    if (charts.isEmpty()) {
      return false;
    }
    java.awt.image.BufferedImage image = dev.bpnet.cli.plot.RunCharts.render(charts);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", png);
    byte[] bytes = png.toByteArray();
    AtomicFiles.write(dir.resolve(PNG), o -> o.write(bytes));
    return true;
  }

  void write(Path dir) {
    byte[] md = markdown().getBytes(StandardCharsets.UTF_8);
    byte[] csv = csv().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(dir.resolve(MARKDOWN), o -> o.write(md));
    AtomicFiles.write(dir.resolve(CSV), o -> o.write(csv));
  }
}
