package dev.bpnet.runtime.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Comma-separated numeric data: one example a line, one column of class indices and the rest
 * features. A header line is recognised by a cell that is not a number, or declared.
 *
 * <p>Every cell is checked: a cell that is not a finite number, a label that is not a whole
 * number, or a line with a different number of fields is reported with its line and column
 * ({@code file:line:column}), since a silently skipped line would shift everything after it.
 */
public final class Csv {

  /** Whether the first line names the columns. */
  public enum Header {
    /** A header if the first line has a non-empty cell that is not a number. */
    AUTO,
    /** The first line is a header, whatever it holds. */
    YES,
    /** The first line is data. */
    NO
  }

  /**
   * How to read a file.
   *
   * @param labelColumn the column of class indices, from 0; negative counts from the end (-1 is
   *     the last column)
   * @param header whether the first line is a header
   */
  public record Options(int labelColumn, Header header) {
    /** Labels in the first column, header detected. */
    public static final Options DEFAULT = new Options(0, Header.AUTO);

    /** Checks that the header choice is given. */
    public Options {
      if (header == null) {
        throw new IllegalArgumentException("header must not be null");
      }
    }
  }

  /**
   * A read file before its labels become one-hot: {@code features} holds {@code rows()} rows of
   * {@code columns} values, row after row; {@code labels} one class index per row.
   */
  public record Table(String source, List<String> names, int columns, double[] features,
      int[] labels) {

    /** Number of examples. */
    public int rows() {
      return labels.length;
    }

    /** The data set of this table over {@code classes} classes (see {@link #impliedClasses}). */
    public Dataset toDataset(int classes, DataType dtype) {
      INDArray y = dev.bpnet.runtime.data.Labels.oneHot(labels, classes, source, dtype);
      INDArray x = Nd4j.create(features, new long[] {rows(), columns}, 'c').castTo(dtype);
      return Dataset.of(x, y);
    }

    /** The class count the labels imply: the largest plus one. */
    public int impliedClasses() {
      return dev.bpnet.runtime.data.Labels.implied(labels);
    }
  }

  private Csv() {}

  /** The data set in {@code file}, with as many classes as its largest label implies. */
  public static Dataset read(Path file, Options options, DataType dtype) {
    Table t = table(file, options);
    return t.toDataset(t.impliedClasses(), dtype);
  }

  /** Reads and checks {@code file}, keeping its labels as class indices. */
  public static Table table(Path file, Options options) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(in, file.toString(), options);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file", e);
    } catch (CharacterCodingException e) {
      throw new DataException(file + ": not a text file (not valid UTF-8); a CSV file holds "
          + "comma-separated numbers, one example a line", e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /**
   * Reads and checks CSV text from {@code in} (which must report malformed UTF-8 rather than
   * replace it), keeping its labels as class indices; {@code source} names it in messages. For
   * readers of files that are not local paths (Spark's executors).
   */
  public static Table table(BufferedReader in, String source, Options options) {
    try {
      return parse(in, source, options);
    } catch (CharacterCodingException e) {
      throw new DataException(source + ": not a text file (not valid UTF-8); a CSV file holds "
          + "comma-separated numbers, one example a line", e);
    } catch (IOException e) {
      throw new DataException(source + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /** Parses CSV text from {@code in}; {@code source} names it in messages. */
  static Table parse(BufferedReader in, String source, Options options) throws IOException {
    List<String> names = List.of();
    int width = -1;
    int widthLine = 0;
    int label = -1;
    double[] x = new double[1 << 12];
    int size = 0;
    int[] y = new int[1 << 8];
    int rows = 0;
    int lineNo = 0;
    boolean first = true;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      int[] starts = starts(line);
      String[] cells = cells(line, starts);
      if (first) {
        first = false;
        boolean header = switch (options.header()) {
          case YES -> true;
          case NO -> false;
          // an empty cell is a missing number, not a name
          case AUTO -> Arrays.stream(cells).anyMatch(c -> !c.isEmpty() && !isNumber(c));
        };
        width = cells.length;
        widthLine = lineNo;
        label = options.labelColumn() < 0 ? width + options.labelColumn() : options.labelColumn();
        if (label < 0 || label >= width) {
          throw new DataException(String.format("%s:%d: label column %d does not exist: the "
              + "line has %d columns (0..%d, or -1..-%d from the end)", source, lineNo,
              options.labelColumn(), width, width - 1, width));
        }
        if (width < 2) {
          throw new DataException(String.format("%s:%d: only one column: expected a label "
              + "column and at least one feature column, separated by commas", source, lineNo));
        }
        if (header) {
          names = Arrays.stream(cells).map(c -> c.replace("\"", "")).toList();
          continue;
        }
      }
      if (cells.length != width) {
        throw new DataException(String.format("%s:%d: %d fields, expected %d as in line %d "
            + "(every line needs the same number of comma-separated fields)",
            source, lineNo, cells.length, width, widthLine));
      }
      if (size + width > x.length) {
        x = Arrays.copyOf(x, Math.max(x.length * 2, size + width));
      }
      if (rows == y.length) {
        y = Arrays.copyOf(y, y.length * 2);
      }
      for (int c = 0; c < width; c++) {
        String cell = cells[c];
        double v = number(cell);
        if (c == label) {
          if (!(v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) {
            throw new DataException(String.format("%s:%d:%d: label '%s' in column %d%s is not a "
                + "class index (a whole number from 0)%s", source, lineNo, starts[c] + 1, cell,
                c, name(names, c), rows == 0 && names.isEmpty() && options.header() == Header.NO
                    ? "; if this line is a header, declare it" : ""));
          }
          y[rows] = (int) v;
        } else {
          if (!Double.isFinite(v)) {
            throw new DataException(cell.isEmpty()
                ? String.format("%s:%d:%d: empty cell in column %d%s: every feature needs a "
                    + "number", source, lineNo, starts[c] + 1, c, name(names, c))
                : String.format("%s:%d:%d: '%s' in column %d%s is not a %snumber", source,
                    lineNo, starts[c] + 1, cell, c, name(names, c),
                    Double.isNaN(v) && !cell.equalsIgnoreCase("nan") ? "" : "finite "));
          }
          x[size++] = v;
        }
      }
      rows++;
    }
    if (rows == 0) {
      throw new DataException(source + ": no data lines" + (lineNo == 0 ? " (empty file)"
          : names.isEmpty() ? "" : " after the header"));
    }
    List<String> features = new ArrayList<>(names);
    if (!features.isEmpty()) {
      features.remove(label);
    }
    return new Table(source, features, width - 1, Arrays.copyOf(x, size), Arrays.copyOf(y, rows));
  }

  private static String name(List<String> names, int c) {
    return names.isEmpty() ? "" : " (" + names.get(c) + ")";
  }

  /** Where each comma-separated field of {@code line} starts (0-based character offsets). */
  private static int[] starts(String line) {
    int count = 1;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ',') {
        count++;
      }
    }
    int[] s = new int[count];
    for (int i = 0, k = 1; i < line.length(); i++) {
      if (line.charAt(i) == ',') {
        s[k++] = i + 1;
      }
    }
    return s;
  }

  private static String[] cells(String line, int[] starts) {
    String[] cells = new String[starts.length];
    for (int k = 0; k < starts.length; k++) {
      int end = k + 1 < starts.length ? starts[k + 1] - 1 : line.length();
      cells[k] = line.substring(starts[k], end).strip();
    }
    return cells;
  }

  /** The number in {@code cell}, or NaN if it is none. */
  private static double number(String cell) {
    try {
      return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static boolean isNumber(String cell) {
    return !Double.isNaN(number(cell)) || cell.equalsIgnoreCase("nan");
  }
}
