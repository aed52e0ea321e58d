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
 * Comma-separated numeric data: one example a line, the label in one or more columns and the rest
 * features. A header line is recognised by a cell that is not a number, or declared; its names
 * can choose the label columns ({@link Columns}).
 *
 * <p>The label is either one column of class indices (classification: they become one-hot
 * labels) or k columns of real-valued targets (regression: a label {@code [k]} with {@code mse}),
 * read as they are.
 *
 * <p>Every cell is checked: a cell that is not a finite number, a class label that is not a whole
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
   * Which columns hold the label, as the data option's {@code label_column} (one column of class
   * indices) or {@code label_columns} (k columns of regression targets) chose them: each item a
   * column number from 0 (negative counts from the end: -1 is the last), a range {@code a..b} of
   * numbers (both ends included), or a header name. A number is always a column number.
   *
   * @param items the chosen columns in order: a header name, or a range of column numbers
   *     ({@code from == to} for one)
   * @param targets true for real-valued regression targets, false for one column of class indices
   * @param written how the option was written, for messages ({@code label_columns = "3..5"})
   */
  public record Columns(List<Item> items, boolean targets, String written) implements java.io.Serializable {

    /** One item: a header {@code name}, or when it is null the columns {@code from..to}. */
    public record Item(String name, int from, int to) implements java.io.Serializable {}

    /** The class indices in column 0, the default. */
    public static final Columns DEFAULT = classes(0);

    /** Checks the items: at least one, and one column only for class indices. */
    public Columns {
      items = List.copyOf(items);
      if (items.isEmpty() || written == null) {
        throw new IllegalArgumentException("at least one label column, and how it was written, must be given");
      }
      if (!targets && (items.size() != 1 || (items.get(0).name() == null && items.get(0).from() != items.get(0).to()))) {
        throw new IllegalArgumentException("class indices come from one column");
      }
    }

    /** Class indices in column {@code column} (negative counts from the end). */
    public static Columns classes(int column) {
      return new Columns(List.of(new Item(null, column, column)), false, "label_column = " + column);
    }

    /** Class indices in the column the header names {@code name}. */
    public static Columns classes(String name) {
      return new Columns(List.of(new Item(name, 0, 0)), false, "label_column = \"" + name + "\"");
    }

    /**
     * Regression targets in the columns {@code spec} lists, separated by commas: column numbers,
     * ranges {@code a..b}, header names ({@code "3..5"}, {@code "y1, y2"}).
     *
     * @throws DataException if {@code spec} lists nothing or a range is malformed
     */
    public static Columns targets(String spec) {
      String written = "label_columns = \"" + spec + "\"";
      List<Item> items = new ArrayList<>();
      for (String part : spec.split(",", -1)) {
        String p = part.strip();
        if (p.isEmpty()) {
          throw new DataException(written + ": an empty item; list columns separated by commas, as in "
              + "label_columns = \"3..5\" or label_columns = \"y1, y2\"");
        }
        int dots = p.indexOf("..");
        Integer single = integer(p);
        if (single != null) {
          items.add(new Item(null, single, single));
        } else if (dots > 0 && integer(p.substring(0, dots).strip()) != null
            && integer(p.substring(dots + 2).strip()) != null) {
          items.add(new Item(null, integer(p.substring(0, dots).strip()), integer(p.substring(dots + 2).strip())));
        } else if (dots >= 0) {
          throw new DataException(written + ": '" + p + "' is not a range of column numbers such as 3..5");
        } else {
          items.add(new Item(p.replace("\"", ""), 0, 0));
        }
      }
      return new Columns(items, true, written);
    }

    private static Integer integer(String s) {
      return s.matches("-?[0-9]{1,9}") ? Integer.valueOf(s) : null;
    }

    /**
     * The column numbers chosen in a line of {@code width} columns whose header {@code names}
     * (empty without one), in order.
     *
     * @throws DataException naming {@code where} (the file and line) for a column that does not
     *     exist, an unknown name (with the header's names and the closest), a range backwards, or
     *     a column chosen twice
     */
    int[] resolve(List<String> names, int width, String where) {
      List<Integer> chosen = new ArrayList<>();
      for (Item it : items) {
        if (it.name() != null) {
          int c = names.indexOf(it.name());
          if (c < 0) {
            throw new DataException(unknown(it.name(), names, where));
          }
          chosen.add(c);
          continue;
        }
        int from = column(it.from(), width, where);
        int to = column(it.to(), width, where);
        if (from > to) {
          throw new DataException(String.format("%s: %s: the range %d..%d runs backwards (columns %d..%d); "
              + "write the first column first", where, written, it.from(), it.to(), from, to));
        }
        for (int c = from; c <= to; c++) {
          chosen.add(c);
        }
      }
      if (chosen.size() >= width) {
        throw new DataException(String.format("%s: %s chooses %d of the %d columns: no column is left for "
            + "the features", where, written, chosen.size(), width));
      }
      if (chosen.stream().distinct().count() != chosen.size()) {
        throw new DataException(where + ": " + written + " chooses a column twice: columns " + chosen);
      }
      return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private int column(int given, int width, String where) {
      int c = given < 0 ? width + given : given;
      if (c < 0 || c >= width) {
        throw new DataException(String.format("%s: label column %d does not exist: the line has %d columns "
            + "(0..%d, or -1..-%d from the end)", where, given, width, width - 1, width));
      }
      return c;
    }

    private String unknown(String name, List<String> names, String where) {
      if (names.isEmpty()) {
        return where + ": " + written + " names a column, and the file has no header line to name its columns; "
            + "choose it by number (from 0, -1 is the last) or add a header line";
      }
      String best = dev.bpnet.api.Messages.closest(name, names);
      return where + ": " + written + ": no column '" + name + "' in the header (its columns: "
          + String.join(", ", names) + ")" + (best == null ? "" : "; did you mean '" + best + "'?");
    }
  }

  /**
   * How to read a file.
   *
   * @param labels the label's columns
   * @param header whether the first line is a header
   */
  public record Options(Columns labels, Header header) implements java.io.Serializable {
    /** Labels in the first column, header detected. */
    public static final Options DEFAULT = new Options(Columns.DEFAULT, Header.AUTO);

    /** Checks that both are given. */
    public Options {
      if (labels == null || header == null) {
        throw new IllegalArgumentException("labels and header must not be null");
      }
    }

    /**
     * Class indices in column {@code labelColumn}, from 0; negative counts from the end (-1 is the
     * last column).
     */
    public Options(int labelColumn, Header header) {
      this(Columns.classes(labelColumn), header);
    }
  }

  /**
   * A read file before its labels become one-hot: {@code features} holds {@code rows()} rows of
   * {@code columns} values, row after row; {@code labels} one class index per row, or, for
   * regression targets, {@code targets} holds {@code rows()} rows of {@code targetCount()}
   * values ({@code labels} then empty). {@code labelNames} says which columns the label came
   * from, for messages ("columns 3, 4, 5 (c, d, e)").
   */
  public record Table(String source, List<String> names, int columns, double[] features,
      int[] labels, double[] targets, int targetCount, String labelNames) {

    /** A table of class indices. */
    public Table(String source, List<String> names, int columns, double[] features, int[] labels) {
      this(source, names, columns, features, labels, null, 0, "column 0");
    }

    /** Whether the labels are regression targets. */
    public boolean regression() {
      return targets != null;
    }

    /** Number of examples. */
    public int rows() {
      return targets != null ? targets.length / targetCount : labels.length;
    }

    /**
     * The data set of this table over {@code classes} classes (see {@link #impliedClasses}); for
     * regression targets {@code classes} is ignored, the targets are the labels.
     */
    public Dataset toDataset(int classes, DataType dtype) {
      INDArray y = targets != null
          ? Nd4j.create(targets, new long[] {rows(), targetCount}, 'c').castTo(dtype)
          : dev.bpnet.runtime.data.Labels.oneHot(labels, classes, source, dtype);
      INDArray x = Nd4j.create(features, new long[] {rows(), columns}, 'c').castTo(dtype);
      return Dataset.of(x, y);
    }

    /** The class count the labels imply: the largest plus one (the target count for regression). */
    public int impliedClasses() {
      return targets != null ? targetCount : dev.bpnet.runtime.data.Labels.implied(labels);
    }
  }

  private Csv() {}

  /** The data set in {@code file}, with as many classes as its largest label implies. */
  public static Dataset read(Path file, Options options, DataType dtype) {
    Table t = table(file, options);
    return t.toDataset(t.impliedClasses(), dtype);
  }

  /** Reads and checks {@code file}, keeping its labels as class indices (or targets). */
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
    Columns columns = options.labels();
    List<String> names = List.of();
    int width = -1;
    int widthLine = 0;
    int[] chosen = null;
    int[] role = null;  // per column: -1 a feature, else the label's place among the chosen columns
    double[] x = new double[1 << 12];
    int size = 0;
    int[] y = new int[columns.targets() ? 0 : 1 << 8];
    double[] t = new double[columns.targets() ? 1 << 8 : 0];
    int tsize = 0;
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
        boolean header = isHeader(cells, options.header());
        width = cells.length;
        widthLine = lineNo;
        if (header) {
          names = Arrays.stream(cells).map(c -> c.replace("\"", "")).toList();
        }
        if (width < 2) {
          throw new DataException(String.format("%s:%d: only one column: expected a label "
              + "column and at least one feature column, separated by commas", source, lineNo));
        }
        chosen = columns.resolve(names, width, source + ":" + lineNo);
        role = new int[width];
        Arrays.fill(role, -1);
        for (int j = 0; j < chosen.length; j++) {
          role[chosen[j]] = j;
        }
        if (header) {
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
      if (columns.targets()) {
        if (tsize + chosen.length > t.length) {
          t = Arrays.copyOf(t, Math.max(t.length * 2, tsize + chosen.length));
        }
      } else if (rows == y.length) {
        y = Arrays.copyOf(y, y.length * 2);
      }
      for (int c = 0; c < width; c++) {
        String cell = cells[c];
        double v = number(cell);
        if (role[c] >= 0 && !columns.targets()) {
          if (!(v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) {
            boolean header = rows == 0 && names.isEmpty() && options.header() == Header.NO;
            throw new DataException(String.format("%s:%d:%d: label '%s' in column %d%s is not a "
                + "class index (a whole number from 0)%s", source, lineNo, starts[c] + 1, cell,
                c, name(names, c), header ? "; if this line is a header, declare it"
                    : c == 0 ? chooseLabel(source, names) : ""));
          }
          y[rows] = (int) v;
          continue;
        }
        if (!Double.isFinite(v)) {
          String what = role[c] >= 0 ? "target" : "feature";
          throw new DataException(cell.isEmpty()
              ? String.format("%s:%d:%d: empty cell in column %d%s: every %s needs a "
                  + "number", source, lineNo, starts[c] + 1, c, name(names, c), what)
              : String.format("%s:%d:%d: '%s' in column %d%s is not a %snumber", source,
                  lineNo, starts[c] + 1, cell, c, name(names, c),
                  Double.isNaN(v) && !cell.equalsIgnoreCase("nan") ? "" : "finite "));
        }
        if (role[c] >= 0) {
          t[tsize + role[c]] = v;
        } else {
          x[size++] = v;
        }
      }
      if (columns.targets()) {
        tsize += chosen.length;
      }
      rows++;
    }
    if (rows == 0) {
      throw new DataException(source + ": no data lines" + (lineNo == 0 ? " (empty file)"
          : names.isEmpty() ? "" : " after the header"));
    }
    List<String> features = new ArrayList<>();
    List<String> labelled = new ArrayList<>();
    for (int c = 0; c < width && !names.isEmpty(); c++) {
      if (role[c] < 0) {
        features.add(names.get(c));
      }
    }
    for (int c : chosen) {
      labelled.add(names.isEmpty() ? Integer.toString(c) : c + " (" + names.get(c) + ")");
    }
    String labelNames = (chosen.length == 1 ? "column " : "columns ") + String.join(", ", labelled);
    int featureCount = width - chosen.length;
    return columns.targets()
        ? new Table(source, features, featureCount, Arrays.copyOf(x, size), new int[0],
            Arrays.copyOf(t, tsize), chosen.length, labelNames)
        : new Table(source, features, featureCount, Arrays.copyOf(x, size), Arrays.copyOf(y, rows),
            null, 0, labelNames);
  }

  /**
   * The hint for a label in column 0 that is no class index: the label may be in another column
   * (label_column), or the data may be regression targets (label_columns).
   */
  private static String chooseLabel(String source, List<String> names) {
    String file = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
    String byName = names.isEmpty() ? "" : " or label_column = \"" + names.get(names.size() - 1) + "\"";
    return String.format("; the class indices are read from column 0 unless label_column chooses "
        + "another, as in data = path(\"%s\", label_column = -1) for the last column%s; real-valued "
        + "regression targets are read with label_columns, as in label_columns = \"%s\"", file, byName,
        names.isEmpty() ? "-1" : names.get(names.size() - 1));
  }

  private static String name(List<String> names, int c) {
    return names.isEmpty() ? "" : " (" + names.get(c) + ")";
  }

  /** Where each comma-separated field of {@code line} starts (0-based character offsets). */
  /**
   * Whether {@code line}, the first non-blank line of a file, is its header under {@code header}:
   * with {@link Header#AUTO}, when a cell is neither empty nor a number (readers of parts of a
   * file decide it once, for the whole file).
   */
  public static boolean isHeader(String line, Header header) {
    return isHeader(cells(line, starts(line)), header);
  }

  private static boolean isHeader(String[] cells, Header header) {
    return switch (header) {
      case YES -> true;
      case NO -> false;
      // an empty cell is a missing number, not a name
      case AUTO -> Arrays.stream(cells).anyMatch(c -> !c.isEmpty() && !isNumber(c));
    };
  }

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
