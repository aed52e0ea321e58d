package dev.bpnet.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training curves of several runs: one chart per quantity (loss, input loss l_x, error,
 * accuracy, MSE) with one series per run and split (train, val, test), laid out in a grid.
 * A run keeps its colour in every chart; the split is the line style. Columns are grouped by
 * their suffix, so any subset of metrics.csv's columns works ({@code val_error} goes with
 * {@code train_error}).
 */
public final class RunCharts {
  static {
    System.setProperty("java.awt.headless", "true");  // PNGs only, also where there is no display
  }

  /** One chart: its title and the column suffix it gathers ({@code _loss} gathers train_loss, val_loss). */
  record Quantity(String title, String suffix, boolean logWhenWide) {}

  static final List<Quantity> QUANTITIES = List.of(
      new Quantity("loss", "_loss", true),
      new Quantity("input loss l_x", "_input_loss", true),
      new Quantity("error", "_error", false),
      new Quantity("accuracy", "_accuracy", false),
      new Quantity("mean squared error", "_mse", true));
  static final List<String> SPLITS = List.of("train", "val", "test");
  /** Tableau 10: distinct, and readable by most colour-blind readers. */
  public static final List<Color> COLORS = List.of(new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
      new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
      new Color(0x9C755F), new Color(0xBAB0AC));
  public static final int WIDTH = 640;
  public static final int HEIGHT = 420;
  /** The height a line of a vertical legend adds to a chart. */
  static final int LEGEND_LINE = 18;

  private RunCharts() {}

  /** The charts of the quantities some run has, in a fixed order; series are "RUN split". */
  public static List<XYChart> charts(List<RunMetrics> runs) {
    List<String> names = legendNames(runs);
    List<XYChart> charts = new ArrayList<>();
    for (Quantity q : QUANTITIES) {
      XYChart chart = null;
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      for (int r = 0; r < runs.size(); r++) {
        for (String split : SPLITS) {
          double[] y = runs.get(r).column(split + q.suffix());
          if (y == null) {
            continue;
          }
          if (chart == null) {
            chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(q.title()).xAxisTitle("epoch")
                .yAxisTitle(q.title()).build();
            style(chart);
          }
          double[][] xy = finite(runs.get(r).epochs(), y);
          XYSeries s = chart.addSeries(names.get(r) + " " + split, xy[0], xy[1]);
          s.setLineColor(COLORS.get(r % COLORS.size()));
          s.setLineStyle(stroke(split));
          mark(s, xy[0].length, COLORS.get(r % COLORS.size()));
          for (double v : xy[1]) {
            min = Math.min(min, v);
            max = Math.max(max, v);
          }
        }
      }
      if (chart != null) {
        // losses of regression runs fall by decades: a log axis keeps the late epochs visible
        chart.getStyler().setYAxisLogarithmic(q.logWhenWide() && min > 0 && max / min >= 100);
        charts.add(chart);
      }
    }
    return charts;
  }

  /**
   * The charts of groups of runs (a sweep's seeds of each setting): per group and split, the
   * mean over the group's runs at each epoch as a line, in a shaded band from mean - std to
   * mean + std (the sample standard deviation; no band for a single run). A series of one point
   * (the test figure, taken once at the end) is a dot with an error bar instead. Series are
   * "GROUP split", their bands "GROUP split band" (not in the legend); a group keeps its colour in
   * every chart.
   */
  public static List<XYChart> bands(Map<String, List<RunMetrics>> groups) {
    record Entry(String name, String split, Color color, double[][] stats) {}
    List<XYChart> charts = new ArrayList<>();
    for (Quantity q : QUANTITIES) {
      List<Entry> entries = new ArrayList<>();
      int g = 0;
      for (Map.Entry<String, List<RunMetrics>> group : groups.entrySet()) {
        Color color = COLORS.get(g++ % COLORS.size());
        for (String split : SPLITS) {
          double[][] stats = meanAndStd(group.getValue(), split + q.suffix());
          if (stats != null) {
            entries.add(new Entry(group.getKey() + " " + split, split, color, stats));
          }
        }
      }
      if (entries.isEmpty()) {
        continue;
      }
      // the legend is a column below the plot, one line per series: settings' names are long
      XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT + LEGEND_LINE * entries.size())
          .title(q.title() + " (mean ± std)").xAxisTitle("epoch").yAxisTitle(q.title()).build();
      style(chart);
      chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
      chart.getStyler().setErrorBarsColorSeriesColor(true);  // a dot's bar in its group's colour
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (Entry e : entries) {
        double[][] stats = e.stats();
        double[][] band = band(stats);
        if (band != null) {
          // drawn first, so that every mean line lies over the bands
          XYSeries b = chart.addSeries(e.name() + " band", band[0], band[1]);
          b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
          b.setFillColor(new Color(e.color().getRed(), e.color().getGreen(), e.color().getBlue(), 48));
          b.setLineColor(new Color(0, 0, 0, 0));
          b.setMarker(SeriesMarkers.NONE);
          b.setShowInLegend(false);
        }
        XYSeries s = band == null && stats[0].length == 1 ? chart.addSeries(e.name(), stats[0], stats[1], stats[2])
            : chart.addSeries(e.name(), stats[0], stats[1]);
        s.setLineColor(e.color());
        s.setLineStyle(stroke(e.split()));
        mark(s, stats[0].length, e.color());
        for (int i = 0; i < stats[0].length; i++) {
          low = Math.min(low, stats[1][i] - stats[2][i]);
          high = Math.max(high, stats[1][i] + stats[2][i]);
        }
      }
      // losses falling by decades: a log axis, where every band stays above zero
      chart.getStyler().setYAxisLogarithmic(q.logWhenWide() && low > 0 && high / low >= 100);
      charts.add(chart);
    }
    return charts;
  }

  /**
   * The band of {epochs, mean, std} as a closed polygon: {x, y} along mean + std from the first
   * epoch to the last, then back along mean - std; null for fewer than two points or a single run
   * (std 0 everywhere: nothing to shade).
   */
  static double[][] band(double[][] stats) {
    int n = stats[0].length;
    if (n < 2 || Arrays.stream(stats[2]).allMatch(v -> v == 0)) {
      return null;
    }
    double[][] xy = new double[2][2 * n];
    for (int i = 0; i < n; i++) {
      xy[0][i] = stats[0][i];
      xy[1][i] = stats[1][i] + stats[2][i];
      xy[0][2 * n - 1 - i] = stats[0][i];
      xy[1][2 * n - 1 - i] = stats[1][i] - stats[2][i];
    }
    return xy;
  }

  /**
   * {epochs, mean, std} of a column over runs, at the epochs every run has a number for; null
   * when no run has the column.
   */
  static double[][] meanAndStd(List<RunMetrics> runs, String column) {
    if (runs.isEmpty() || runs.stream().anyMatch(r -> r.column(column) == null)) {
      return null;
    }
    int n = runs.stream().mapToInt(r -> r.epochs().length).min().orElse(0);
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double sum = 0;
      boolean all = true;
      for (RunMetrics r : runs) {
        double v = r.column(column)[i];
        all &= Double.isFinite(v);
        sum += v;
      }
      if (!all) {
        continue;
      }
      double mean = sum / runs.size();
      double ss = 0;
      for (RunMetrics r : runs) {
        ss += (r.column(column)[i] - mean) * (r.column(column)[i] - mean);
      }
      points.add(new double[] {runs.get(0).epochs()[i], mean, runs.size() < 2 ? 0 : Math.sqrt(ss / (runs.size() - 1))});
    }
    if (points.isEmpty()) {
      return null;
    }
    double[][] out = new double[3][points.size()];
    for (int k = 0; k < points.size(); k++) {
      for (int j = 0; j < 3; j++) {
        out[j][k] = points.get(k)[j];
      }
    }
    return out;
  }

  /** Columns of the grid: 1-3 charts side by side, four as 2 x 2, more in rows of 3. */
  public static int columns(int charts) {
    return charts == 4 ? 2 : Math.min(charts, 3);
  }

  /** The charts drawn into one image, in a grid of {@link #columns} columns. */
  public static BufferedImage render(List<XYChart> charts) {
    int cols = columns(charts.size());
    int rows = (charts.size() + cols - 1) / cols;
    int height = charts.stream().mapToInt(XYChart::getHeight).max().orElse(HEIGHT);  // legends may make charts taller
    BufferedImage image = new BufferedImage(cols * WIDTH, rows * height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int i = 0; i < charts.size(); i++) {
        g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * WIDTH, (i / cols) * height, null);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void style(XYChart chart) {
    Styler s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideS);  // below the plot: never over a curve
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setPlotGridLinesColor(new Color(0xDDDDDD));
    chart.getStyler().setXAxisDecimalPattern("#");
  }

  /**
   * No markers on curves; a series of one point (the test figure, taken once at the end of a run)
   * has no line to draw, so it is a dot.
   */
  private static void mark(XYSeries s, int points, Color color) {
    if (points == 1) {
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(color);
    } else {
      s.setMarker(SeriesMarkers.NONE);
    }
  }

  private static BasicStroke stroke(String split) {
    return switch (split) {
      case "train" -> new BasicStroke(2f);
      case "val" -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f);
      default -> new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {1f, 5f}, 0f);
    };
  }

  /** The points where y is a number (missing cells leave a gap in the data, not a zero). */
  private static double[][] finite(double[] x, double[] y) {
    int n = (int) Arrays.stream(y).filter(Double::isFinite).count();
    double[][] xy = new double[2][n];
    for (int i = 0, k = 0; i < y.length; i++) {
      if (Double.isFinite(y[i])) {
        xy[0][k] = x[i];
        xy[1][k++] = y[i];
      }
    }
    return xy;
  }

  /** Legend names: each run's directory name, numbered by position where two runs share one. */
  static List<String> legendNames(List<RunMetrics> runs) {
    List<String> names = new ArrayList<>(runs.stream().map(RunMetrics::name).toList());
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      Integer first = seen.putIfAbsent(names.get(i), i);
      if (first != null) {
        names.set(i, names.get(i) + " (" + (i + 1) + ")");  // same directory name twice: number it
      }
    }
    return names;
  }
}
