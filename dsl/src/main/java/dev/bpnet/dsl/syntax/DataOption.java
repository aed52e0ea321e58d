package dev.bpnet.dsl.syntax;

import dev.bpnet.api.DataSets;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Suggest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code data} option of a train block: a data set by name ({@code mnist},
 * {@code cifar10(crop = 4, flip = yes)}, {@code cubic(n = 5)}), a path in quotes, or a path
 * with arguments, {@code path("train.csv", label_column = 4)}. Bare words are never paths, so a
 * misspelt name is an error here rather than a missing directory at training time.
 *
 * <p>Every set also takes the arguments of {@link DataSets#SUBSET}, which choose the examples a run
 * uses; they are kept only when written.
 *
 * <p>Arguments are numbers; the words some take ({@code flip = yes}) are kept as their index in
 * {@link #FLAGS}. A CSV file's label columns may also be named in quotes ({@link #PATH_TEXT}):
 * {@code label_column = "species"}, {@code label_columns = "3..5"}; those are kept as text.
 * Generated sets get every default filled in (they are part of the experiment); file-backed sets
 * keep only what was written, the loader knowing their defaults.
 */
public final class DataOption {

  /** The name of the form that takes a path and arguments. */
  public static final String PATH = "path";

  /** Arguments that take words, with the words in the order of their index. */
  public static final Map<String, List<String>> FLAGS = DataSets.FLAGS;

  /** Arguments of every file-backed set, with their defaults (flags as indices). */
  private static final Map<String, Double> IMAGES = ordered("normalize", 0.0, "crop", 0.0, "flip", 0.0);

  /** Data sets by name, with their arguments and defaults. */
  public static final Map<String, Map<String, Double>> SETS = sets();

  /** The arguments of {@code path(...)} with their defaults. */
  public static final Map<String, Double> PATH_ARGS = pathArgs();

  /**
   * The arguments of {@code path(...)} that take text in quotes: a CSV header's name for the
   * column of class indices ({@code label_column} also takes a number), and the columns of
   * regression targets, listed ({@code label_columns = "3..5"}, {@code "y1, y2"}).
   */
  public static final java.util.Set<String> PATH_TEXT = java.util.Set.of("label_column", "label_columns");

  private final Diagnostics diag;

  public DataOption(Diagnostics diag) {
    this.diag = diag;
  }

  /** Whether {@code name} is a data set read from files (whose defaults are not filled in). */
  public static boolean fileBacked(String name) {
    return !DataSets.GENERATED.containsKey(name);
  }

  /** {@code t} with the data option {@code o} applied, or {@code t} after reporting errors. */
  public TrainSpec apply(TrainSpec t, TrainOptions.Option o) {
    Expr v = o.value();
    if (v instanceof Expr.Str s) {
      return t.withData(s.value());
    }
    String name = v instanceof Expr.Ref r ? r.name() : v instanceof Expr.Call c ? c.fn() : null;
    String names = String.join(", ", new TreeSet<>(SETS.keySet()));
    if (name == null) {
      diag.error(ErrorCode.E7, v.pos(), "data", "must be a data set (" + names
          + "), a path in quotes, or path(\"FILE\", ...)");
      return t;
    }
    boolean path = name.equals(PATH);
    Map<String, Double> known = path ? PATH_ARGS : SETS.get(name);
    if (known == null) {
      String best = Suggest.closest(name, SETS.keySet());
      diag.add(new Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format("data", "unknown data set '" + name
          + "' (known: " + names + ")"),
          best != null ? "did you mean '" + best + "'?" : "a path goes in quotes: data = \"" + name + "\""));
      return t;
    }
    String where = null;
    if (path) {
      List<Expr> pos = v instanceof Expr.Call c ? c.args() : List.of();
      if (pos.size() != 1 || !(pos.get(0) instanceof Expr.Str)) {
        diag.error(ErrorCode.E7, pos.isEmpty() ? v.pos() : pos.get(0).pos(), "data",
            "path takes the file or directory in quotes, then named arguments, as in path(\"train.csv\", label_column = 0)");
        return t;
      }
      where = ((Expr.Str) pos.get(0)).value();
    }
    Map<String, Double> args = new LinkedHashMap<>(fileBacked(name) ? Map.of() : known);
    Map<String, String> text = new LinkedHashMap<>();
    if (v instanceof Expr.Call c) {
      if (!path && !c.args().isEmpty()) {
        diag.error(ErrorCode.E7, c.args().get(0).pos(), "data", fileBacked(name)
            ? "give its arguments by name, as in " + name + "(crop = 4, flip = yes); a file or directory goes in path(\"...\")"
            : "give its arguments by name, as in " + name + "(" + known.keySet().iterator().next() + " = "
                + fmt(known.values().iterator().next()) + ")");
      }
      c.named().forEach((k, e) -> {
        boolean textual = path && PATH_TEXT.contains(k);
        if (!known.containsKey(k) && !DataSets.SUBSET.contains(k) && !textual) {
          java.util.Set<String> all = new java.util.LinkedHashSet<>(known.keySet());
          if (path) {
            all.addAll(new TreeSet<>(PATH_TEXT));
          }
          all.addAll(DataSets.SUBSET);
          diag.unknown(ErrorCode.E8, c.nameAt(k), k, all, k, path ? "path(...)" : "data set '" + name + "'");
          return;
        }
        if (textual && (e instanceof Expr.Str || k.equals("label_columns"))) {
          String given = text(k, e);
          if (given != null) {
            text.put(k, given);
          }
          return;
        }
        Double value = value(name, k, e);
        if (value != null) {
          args.put(k, value);
        }
      });
      if (c.named().containsKey("label_column") && c.named().containsKey("label_columns")) {
        diag.add(new Diagnostic(ErrorCode.E7, c.nameAt("label_columns"), ErrorCode.E7.format("path.label_columns",
            "cannot be given with label_column"), "label_column chooses one column of class indices, label_columns "
            + "the columns of regression targets: give one of them"));
      }
    }
    return t.withData(path ? where : name, args, text);
  }

  /** The value of argument {@code k}, or null after reporting why {@code e} is not one. */
  private Double value(String name, String k, Expr e) {
    List<String> words = FLAGS.get(k);
    if (words != null) {
      if (e instanceof Expr.Ref r && words.contains(r.name())) {
        return (double) words.indexOf(r.name());
      }
      String best = e instanceof Expr.Ref r ? Suggest.closest(r.name(), words) : null;
      diag.add(new Diagnostic(ErrorCode.E7, e.pos(), ErrorCode.E7.format(name + "." + k,
          "must be one of " + String.join(", ", words)), best == null ? null : "did you mean '" + best + "'?"));
      return null;
    }
    Double v = e instanceof Expr.Num n ? Double.valueOf(n.value())
        : e instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n ? Double.valueOf(-n.value()) : null;
    String range = outside(k, v);
    if (range != null) {
      diag.error(ErrorCode.E7, e.pos(), name + "." + k, "must be " + range);
      return null;
    }
    return v;
  }

  /** The text of argument {@code k} ({@link #PATH_TEXT}), or null after reporting why {@code e} is not one. */
  private String text(String k, Expr e) {
    if (e instanceof Expr.Str s && !s.value().isBlank()) {
      return s.value();
    }
    diag.error(ErrorCode.E7, e.pos(), "path." + k, k.equals("label_column")
        ? "must be a column number (from 0; negative counts from the end) or a header's name in quotes"
        : "must list the columns of the regression targets in quotes: numbers from 0, ranges or header names, "
            + "as in label_columns = \"3..5\" or label_columns = \"y1, y2\"");
    return null;
  }

  /** Null when v is a valid value of data argument k, else what it must be, in words (the --data values Spark reads check theirs so). */
  public static String outside(String k, Double v) {
    String got = v == null ? "" : ", got " + fmt(v);
    boolean whole = v != null && v == Math.rint(v) && Math.abs(v) < 0x1p31;
    return switch (k) {
      case "n" -> whole && v >= 2 && v <= DataSets.MAX_EXAMPLES ? null
          : "an integer from 2 to " + DataSets.MAX_EXAMPLES + got;
      // numbers are doubles, exact only up to 2^53: a larger seed would silently be another one
      case "seed", "subset_seed" -> v != null && v == Math.rint(v) && Math.abs(v) <= 0x1p53 ? null
          : "an integer between -2^53 and 2^53 (9007199254740992)" + got;
      case "crop" -> whole && v >= 0 ? null : "a whole number of pixels, at least 0" + got;
      case "offset", "test_offset" -> whole && v >= 0 ? null : "a whole number of examples to skip, at least 0" + got;
      case "label_column" -> whole ? null : "a column number (from 0; negative counts from the end) or a header's name "
          + "in quotes" + got;
      case "test", "train" -> v != null && v > 0 && Double.isFinite(v) && (v < 1 || v == Math.rint(v)) ? null
          : "a fraction between 0 and 1 or a whole number of examples" + got;
      default -> v != null && v >= 0 && Double.isFinite(v) ? null : "a finite number, at least 0" + got;
    };
  }

  private static Map<String, Map<String, Double>> sets() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("mnist", IMAGES);
    m.put("fashion_mnist", IMAGES);
    m.put("cifar10", IMAGES);
    Map<String, Double> c100 = new LinkedHashMap<>(IMAGES);
    c100.put("labels", 0.0);
    m.put("cifar100", Collections.unmodifiableMap(c100));
    new java.util.TreeMap<>(DataSets.GENERATED).forEach(m::put);
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Double> pathArgs() {
    Map<String, Double> m = new LinkedHashMap<>(IMAGES);
    m.put("label_column", 0.0);
    m.put("header", 0.0);
    m.put("test", 0.2);
    m.put("labels", 0.0);
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Double> ordered(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  static String fmt(double v) {
    return Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 0x1p63 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
