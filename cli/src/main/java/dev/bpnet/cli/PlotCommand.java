package dev.bpnet.cli;

import dev.bpnet.cli.plot.RunCharts;
import dev.bpnet.cli.plot.RunMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bpnet plot RUN_DIR... -o FILE.png}: the training curves of one or more runs (their
 * metrics.csv), one chart per quantity, one colour per run.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plots the metrics.csv of one or more runs (bpnet train --out directories) into one PNG.")
final class PlotCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories, each holding a metrics.csv")
  List<Path> runs;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", converter = OutputPaths.FileArgument.class, description = "the PNG to write")
  Path outFile;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (!outFile.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "-o must name a .png file, got " + outFile);
    }
    // the PNG's directory is created if missing, so only what is in its way is refused
    String usage = Files.isDirectory(outFile) ? "-o " + outFile + ": is a directory; name the file to write"
        : OutputPaths.directoryProblem("-o", outFile.toAbsolutePath().normalize().getParent());
    if (usage != null) {
      err.println("error: " + usage);
      return Main.USAGE;
    }
    List<RunMetrics> metrics = new ArrayList<>();
    boolean failed = false;
    for (Path dir : runs) {
      try {
        metrics.add(RunMetrics.read(dir));
      } catch (RunMetrics.MetricsException e) {
        err.println("error: " + e.getMessage());
        failed = true;
      }
    }
    if (failed) {
      return Main.MODEL_ERRORS;
    }
    List<XYChart> charts = RunCharts.charts(metrics);
    if (charts.isEmpty()) {
      err.println("error: nothing to plot: no run has a loss, input loss, error, accuracy or mse column with values");
      return Main.MODEL_ERRORS;
    }
    BufferedImage image = RunCharts.render(charts);
    save(image, outFile);
    spec.commandLine().getOut().printf("wrote %s (%d x %d: %s; %d run%s)%n", outFile, image.getWidth(), image.getHeight(),
        String.join(", ", charts.stream().map(c -> c.getTitle()).toList()), metrics.size(), metrics.size() == 1 ? "" : "s");
    return Main.OK;
  }

  /** Writes {@code image} as a PNG beside {@code outFile} and moves it: an interrupted write never leaves half a PNG. */
  static void save(BufferedImage image, Path outFile) throws java.io.IOException {
    Path parent = outFile.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".plot", ".png");
    try {
      ImageIO.write(image, "png", tmp.toFile());
      Files.move(tmp, outFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A run's own curves, as {@code bpnet plot DIR} draws them, to DIR/curves.png; nothing while there is nothing to draw. */
  static void curves(Path runDir) throws java.io.IOException, RunMetrics.MetricsException {
    List<XYChart> charts = RunCharts.charts(List.of(RunMetrics.read(runDir)));
    if (!charts.isEmpty()) {
      save(RunCharts.render(charts), runDir.resolve(CURVES));
    }
  }

  /** The picture of a run that train writes into its directory. */
  static final String CURVES = "curves.png";
}
