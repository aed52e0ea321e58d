package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.plot.RunCharts;
import dev.bpnet.cli.plot.RunMetrics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** {@code bpnet plot}: two runs in one PNG, the charts' model, the pixels, and bad input. */
class PlotCommandTest {
  /** Today's columns (two passes: l_x is NaN). */
  static final String BP = """
      epoch,train_loss,train_input_loss,test_accuracy,seconds
      1,2.0,NaN,0.50,1.0
      2,1.5,NaN,0.70,2.0
      3,1.0,NaN,0.80,3.0
      """;
  /** Columns in another order, validation columns, an empty cell and an l_x. */
  static final String RBP = """
      seconds,epoch,train_loss,val_loss,train_input_loss,val_input_loss,train_error,val_error,test_accuracy
      1.0,1,1.8,1.9,0.30,0.31,0.40,0.45,0.55
      2.0,2,1.2,,0.20,0.22,0.25,0.30,0.75
      3.0,3,0.7,0.9,0.10,0.12,0.10,0.20,0.90
      """;

  private static Path run(Path root, String name, String csv) throws Exception {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("metrics.csv"), csv);
    return dir;
  }

  private static int bpnet(StringWriter out, StringWriter err, String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void chartsHoldOneSeriesPerRunAndSplitWithTheFileValues(@TempDir Path tmp) throws Exception {
    List<RunMetrics> runs = List.of(RunMetrics.read(run(tmp, "bp", BP)), RunMetrics.read(run(tmp, "rbp-0.8", RBP)));
    List<XYChart> charts = RunCharts.charts(runs);
    assertEquals(List.of("loss", "input loss l_x", "error", "accuracy"), charts.stream().map(XYChart::getTitle).toList());
    XYChart loss = charts.get(0);
    assertEquals(List.of("bp train", "rbp-0.8 train", "rbp-0.8 val"), List.copyOf(loss.getSeriesMap().keySet()));
    XYSeries bp = loss.getSeriesMap().get("bp train");
    assertArrayEquals(new double[] {1, 2, 3}, bp.getXData());
    assertArrayEquals(new double[] {2.0, 1.5, 1.0}, bp.getYData());
    XYSeries val = loss.getSeriesMap().get("rbp-0.8 val");
    assertArrayEquals(new double[] {1, 3}, val.getXData(), "the empty cell of epoch 2 is left out");
    assertArrayEquals(new double[] {1.9, 0.9}, val.getYData());
    assertEquals(List.of("rbp-0.8 train", "rbp-0.8 val"), List.copyOf(charts.get(1).getSeriesMap().keySet()),
        "a two-pass run has no l_x");
    assertEquals(List.of("bp test", "rbp-0.8 test"), List.copyOf(charts.get(3).getSeriesMap().keySet()));
    assertArrayEquals(new double[] {0.55, 0.75, 0.90}, charts.get(3).getSeriesMap().get("rbp-0.8 test").getYData());
    assertEquals(RunCharts.COLORS.get(0), bp.getLineColor());
    assertEquals(RunCharts.COLORS.get(1), val.getLineColor(), "a run keeps its colour in every chart");
  }

  @Test
  void plotsTwoRunsIntoOnePngWithBothColours(@TempDir Path tmp) throws Exception {
    Path a = run(tmp, "bp", BP);
    Path b = run(tmp, "rbp-0.8", RBP);
    Path png = tmp.resolve("plots/both.png");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, bpnet(out, err, "plot", a.toString(), b.toString(), "-o", png.toString()), err.toString());
    assertTrue(out.toString().contains("wrote " + png), out.toString());
    BufferedImage image = ImageIO.read(png.toFile());
    // four charts: 2 x 2
    assertEquals(2 * RunCharts.WIDTH, image.getWidth());
    assertEquals(2 * RunCharts.HEIGHT, image.getHeight());
    int first = pixelsNear(image, RunCharts.COLORS.get(0));
    int second = pixelsNear(image, RunCharts.COLORS.get(1));
    // the curves, not just the legend's short samples, are drawn in each run's colour
    assertTrue(first > 400, "pixels of the first run's colour: " + first);
    assertTrue(second > 400, "pixels of the second run's colour: " + second);
    assertEquals(0, pixelsNear(image, RunCharts.COLORS.get(2)), "no third run, no third colour");
  }

  private static int pixelsNear(BufferedImage image, Color c) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color p = new Color(image.getRGB(x, y));
        if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 30) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void badRunsAreNamedWithFileAndLine(@TempDir Path tmp) throws Exception {
    Path png = tmp.resolve("x.png");
    Path ok = run(tmp, "ok", BP);
    StringWriter err = new StringWriter();
    assertEquals(1, bpnet(new StringWriter(), err, "plot", ok.toString(), tmp.resolve("nope").toString(), "-o", png.toString()));
    assertTrue(err.toString().contains("nope: no such directory"), err.toString());
    Files.createDirectories(tmp.resolve("empty"));
    err = new StringWriter();
    assertEquals(1, bpnet(new StringWriter(), err, "plot", tmp.resolve("empty").toString(), "-o", png.toString()));
    assertTrue(err.toString().contains("no metrics.csv"), err.toString());
    Path shortRow = run(tmp, "short", "epoch,train_loss\n1,0.5\n2\n");
    err = new StringWriter();
    assertEquals(1, bpnet(new StringWriter(), err, "plot", shortRow.toString(), "-o", png.toString()));
    assertTrue(err.toString().contains("metrics.csv:3: 1 cells, but the header has 2"), err.toString());
    Path word = run(tmp, "word", "epoch,train_loss\n1,0.5\n2,fast\n");
    err = new StringWriter();
    assertEquals(1, bpnet(new StringWriter(), err, "plot", word.toString(), "-o", png.toString()));
    assertTrue(err.toString().contains("metrics.csv:3: column 'train_loss' holds 'fast', which is not a number"), err.toString());
    Path noEpoch = run(tmp, "noepoch", "step,train_loss\n1,0.5\n");
    err = new StringWriter();
    assertEquals(1, bpnet(new StringWriter(), err, "plot", noEpoch.toString(), "-o", png.toString()));
    assertTrue(err.toString().contains("metrics.csv:1: no 'epoch' column"), err.toString());
    for (String[] bad : new String[][] {{"1e308", "-1e308"}, {"1", "2.5"}, {"-1", "2"}, {"1", "99999999999"}}) {
      Path epochs = run(tmp, "epochs-" + bad[1], "epoch,train_loss\n" + bad[0] + ",1\n" + bad[1] + ",2\n");
      err = new StringWriter();
      assertEquals(1, bpnet(new StringWriter(), err, "plot", epochs.toString(), "-o", png.toString()), err.toString());
      String line = bad[0].equals("1") ? "3" : "2";
      assertTrue(err.toString().contains("metrics.csv:" + line + ": the epoch is " + (line.equals("3") ? bad[1] : bad[0])
          + ", expected a whole number from 0 to 2147483647"), err.toString());
    }
    assertTrue(!Files.exists(png), "nothing written on errors");
    // values at the ends of the double range: a chart, or a clear error, never an internal one
    Path huge = run(tmp, "huge", "epoch,train_loss,test_accuracy\n1,1e308,0.5\n2,-1e308,1e308\n3,4.9e-324,-1e308\n");
    err = new StringWriter();
    int code = bpnet(new StringWriter(), err, "plot", huge.toString(), "-o", tmp.resolve("huge.png").toString());
    assertTrue(code == 0 || code == 1 && err.toString().contains("metrics.csv"), code + ": " + err);
    err = new StringWriter();
    assertEquals(2, bpnet(new StringWriter(), err, "plot", ok.toString(), "-o", tmp.resolve("x.jpg").toString()));
    assertTrue(err.toString().contains("-o must name a .png file"), err.toString());
  }
}
