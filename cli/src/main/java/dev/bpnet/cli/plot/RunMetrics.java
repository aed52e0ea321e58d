package dev.bpnet.cli.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run's {@code metrics.csv}, read by header name: {@code epoch} and any other numeric
 * columns, in file order. Empty cells and NaN are missing values (a two-pass run has no l_x).
 *
 * @param name the run's name in legends (its directory's name)
 * @param epochs the epoch column
 * @param columns the other columns by header name, each as long as {@code epochs}
 */
public record RunMetrics(String name, double[] epochs, Map<String, double[]> columns) {

  /** What a run directory or its metrics.csv gets wrong, with the file and line. */
  public static final class MetricsException extends Exception {
    public MetricsException(String message) {
      super(message);
    }
  }

  public RunMetrics {
    columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  /** Reads {@code dir/metrics.csv}; the run is named after the directory. */
  public static RunMetrics read(Path dir) throws MetricsException {
    if (!Files.isDirectory(dir)) {
      throw new MetricsException(dir + ": " + (Files.exists(dir) ? "not a directory; name a run directory (bpnet train --out)"
          : "no such directory"));
    }
    Path csv = dir.resolve("metrics.csv");
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new MetricsException(dir + ": no metrics.csv here (bpnet train writes one to its --out directory)");
    } catch (IOException e) {
      throw new MetricsException(csv + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e));
    }
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return parse(name == null ? dir.toString() : name.toString(), csv.toString(), lines);
  }

  /** Parses the lines of a metrics.csv; {@code file} names it in messages. */
  static RunMetrics parse(String name, String file, List<String> lines) throws MetricsException {
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new MetricsException(file + ":1: empty; expected a header such as epoch,train_loss,...");
    }
    String[] header = lines.get(0).strip().split(",", -1);
    int epochAt = Arrays.asList(header).indexOf("epoch");
    if (epochAt < 0) {
      throw new MetricsException(file + ":1: no 'epoch' column in the header '" + lines.get(0).strip() + "'");
    }
    for (int c = 0; c < header.length; c++) {
      if (header[c].isBlank() || Arrays.asList(header).subList(0, c).contains(header[c])) {
        throw new MetricsException(file + ":1: column " + (c + 1) + (header[c].isBlank() ? " has no name" : " repeats '" + header[c] + "'"));
      }
    }
    List<double[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length != header.length) {
        throw new MetricsException(file + ":" + (i + 1) + ": " + cells.length + " cells, but the header has "
            + header.length + " (" + String.join(",", header) + ")");
      }
      double[] row = new double[cells.length];
      for (int c = 0; c < cells.length; c++) {
        row[c] = number(cells[c].strip(), file, i + 1, header[c]);
      }
      if (Double.isNaN(row[epochAt])) {
        throw new MetricsException(file + ":" + (i + 1) + ": the epoch is missing");
      }
      // bpnet train counts epochs in an int; anything else is not a run's file, and 1e308 would
      // overflow the chart's axis range
      if (row[epochAt] < 0 || row[epochAt] > Integer.MAX_VALUE || row[epochAt] != Math.rint(row[epochAt])) {
        throw new MetricsException(String.format(Locale.ROOT, "%s:%d: the epoch is %s, expected a whole number "
            + "from 0 to %d", file, i + 1, cells[epochAt].strip(), Integer.MAX_VALUE));
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new MetricsException(file + ": no rows after the header (no epoch has finished yet?)");
    }
    double[] epochs = rows.stream().mapToDouble(r -> r[epochAt]).toArray();
    Map<String, double[]> columns = new LinkedHashMap<>();
    for (int c = 0; c < header.length; c++) {
      if (c != epochAt) {
        int col = c;
        columns.put(header[c], rows.stream().mapToDouble(r -> r[col]).toArray());
      }
    }
    return new RunMetrics(name, epochs, columns);
  }

  private static double number(String cell, String file, int line, String column) throws MetricsException {
    if (cell.isEmpty() || cell.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(cell);
      if (Double.isInfinite(v)) {
        return Double.NaN;  // a diverged epoch: nothing to draw
      }
      return v;
    } catch (NumberFormatException e) {
      throw new MetricsException(String.format(Locale.ROOT, "%s:%d: column '%s' holds '%s', which is not a number",
          file, line, column, cell));
    }
  }

  /** The column, or null when the run has none or only missing values in it. */
  public double[] column(String header) {
    double[] v = columns.get(header);
    return v == null || Arrays.stream(v).allMatch(Double::isNaN) ? null : v;
  }
}
