package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.diag.Suggest;
import dev.bpnet.runtime.data.Synthetic;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A train block's options to a {@link TrainSpec}, checking each value. Options not given
 * keep the defaults of {@link TrainSpec#DEFAULTS}, which the README documents.
 */
public final class TrainOptions {
  /** One {@code name = value} of a train block. */
  public record Option(String name, Expr value, Pos pos) {}

  public static final List<String> NAMES = List.of("passes", "alpha", "third", "optimizer",
      "init", "batch", "epochs", "seed", "dtype", "data", "validation");
  /** Optimizers and the arguments each takes, with their defaults. */
  public static final Map<String, Map<String, Double>> OPTIMIZERS = dev.bpnet.runtime.optim.Optimizers.ARGUMENTS;
  /** Valid ranges of optimizer arguments: {low, high, low inclusive (1/0), high inclusive (1/0)}. */
  private static final Map<String, double[]> RANGES = Map.of(
      "lr", new double[] {0, Double.MAX_VALUE, 0, 1}, "eps", new double[] {0, Double.MAX_VALUE, 0, 1},
      "momentum", new double[] {0, 1, 1, 0}, "beta1", new double[] {0, 1, 1, 0}, "beta2", new double[] {0, 1, 1, 0},
      "beta", new double[] {0, 1, 0, 1}, "gamma0", new double[] {0, 1, 0, 1},
      "floor", new double[] {0, Double.MAX_VALUE, 1, 1}, "lambda", new double[] {0, Double.MAX_VALUE, 1, 1});
  public static final List<String> INITS = List.of("xavier", "kaiming", "three_pass");
  public static final List<String> DTYPES = List.of("float32", "float64");
  public static final List<String> THIRD = List.of("paper", "exact");
  /** Data sets by name, with their arguments and defaults: the bundled MNIST subset and the generated ones. */
  public static final Map<String, Map<String, Double>> DATA = dataSets();

  private final Diagnostics diag;

  public TrainOptions(Diagnostics diag) {
    this.diag = diag;
  }

  public TrainSpec resolve(List<Option> options) {
    TrainSpec t = TrainSpec.DEFAULTS;
    Map<String, Pos> seen = new HashMap<>();
    for (Option o : options) {
      Pos prev = seen.putIfAbsent(o.name(), o.pos());
      if (prev != null) {
        diag.error(ErrorCode.E19, o.pos(), o.name(), prev);
        continue;
      }
      t = apply(t, o);
    }
    return t;
  }

  private TrainSpec apply(TrainSpec t, Option o) {
    Expr v = o.value();
    switch (o.name()) {
      case "passes": {
        Double p = number(o);
        return p == null ? t : p == 2 || p == 3 ? t.withPasses(p.intValue()) : bad(t, o, "must be 2 or 3, got " + fmt(p));
      }
      case "alpha": {
        Double a = number(o);
        return a == null ? t : a >= 0 && a <= 1 ? t.withAlpha(a) : bad(t, o, "must be between 0 and 1, got " + fmt(a));
      }
      case "validation": {
        if (o.value() instanceof Expr.Ref r && r.name().equals("auto")) {
          return t.withValidation(Double.NaN);
        }
        Double f = number(o);
        return f == null ? t : f >= 0 && f < 1 ? t.withValidation(f)
            : bad(t, o, "must be a fraction in [0, 1) of the training data (0: no validation set), got " + fmt(f));
      }
      case "third": {
        String s = word(o, THIRD);
        return s == null ? t : t.withThird(s);
      }
      case "init": {
        String s = word(o, INITS);
        return s == null ? t : t.withInit(s);
      }
      case "dtype": {
        String s = word(o, DTYPES);
        return s == null ? t : t.withDtype(s);
      }
      case "batch", "epochs": {
        Double n = number(o);
        if (n == null) {
          return t;
        }
        if (n < 1 || n != Math.rint(n) || n > Integer.MAX_VALUE) {
          return bad(t, o, "must be a positive integer, got " + fmt(n));
        }
        return o.name().equals("batch") ? t.withBatch(n.intValue()) : t.withEpochs(n.intValue());
      }
      case "seed": {
        Double n = number(o);
        return n == null ? t : n == Math.rint(n) ? t.withSeed(n.longValue()) : bad(t, o, "must be an integer, got " + fmt(n));
      }
      case "data":
        return data(t, o);
      case "optimizer":
        return optimizer(t, o);
      default:
        diag.unknown(ErrorCode.E8, o.pos(), o.name(), NAMES, o.name(), "the train block");
        return t;
    }
  }

  private TrainSpec optimizer(TrainSpec t, Option o) {
    Expr v = o.value();
    String name = v instanceof Expr.Ref r ? r.name() : v instanceof Expr.Call c ? c.fn() : null;
    if (name == null) {
      return bad(t, o, "must be an optimizer such as sgd(lr = 0.1)");
    }
    Map<String, Double> known = OPTIMIZERS.get(name);
    if (known == null) {
      String best = Suggest.closest(name, OPTIMIZERS.keySet());
      diag.add(new Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format("optimizer", "unknown optimizer '" + name
          + "' (known: " + String.join(", ", new java.util.TreeSet<>(OPTIMIZERS.keySet())) + ")"),
          best == null ? null : "did you mean '" + best + "'?"));
      return t;
    }
    Map<String, Double> args = new LinkedHashMap<>(known);
    if (v instanceof Expr.Call c) {
      if (!c.args().isEmpty()) {
        diag.error(ErrorCode.E7, c.args().get(0).pos(), "optimizer", "give its arguments by name, as in " + name + "(lr = 0.1)");
      }
      c.named().forEach((k, e) -> {
        if (!known.containsKey(k)) {
          diag.unknown(ErrorCode.E8, c.nameAt(k), k, known.keySet(), k, "optimizer '" + name + "'");
          return;
        }
        java.util.List<String> flag = dev.bpnet.runtime.optim.Optimizers.FLAGS.get(k);
        if (flag != null) {
          if (e instanceof Expr.Ref r && flag.contains(r.name())) {
            args.put(k, (double) flag.indexOf(r.name()));
          } else {
            diag.error(ErrorCode.E7, e.pos(), name + "." + k, "must be " + flag.get(1) + " or " + flag.get(0));
          }
          return;
        }
        Double value = e instanceof Expr.Num n ? Double.valueOf(n.value())
            : e instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n ? Double.valueOf(-n.value()) : null;
        String range = value == null ? "a number" : outside(k, value);
        if (range != null) {
          diag.error(ErrorCode.E7, e.pos(), name + "." + k, "must be " + range);
        } else {
          args.put(k, value);
        }
      });
    }
    return t.withOptimizer(name, args);
  }

  /**
   * A data set by name, with named arguments for the generated ones ({@code cubic(n = 5)}), or
   * a directory in quotes. Bare words are never directories, so a misspelt name is an error
   * here rather than a missing directory at training time.
   */
  private TrainSpec data(TrainSpec t, Option o) {
    Expr v = o.value();
    if (v instanceof Expr.Str s) {
      return t.withData(s.value());
    }
    String name = v instanceof Expr.Ref r ? r.name() : v instanceof Expr.Call c ? c.fn() : null;
    String names = String.join(", ", new java.util.TreeSet<>(DATA.keySet()));
    if (name == null) {
      return bad(t, o, "must be a data set (" + names + ") or a directory in quotes");
    }
    Map<String, Double> known = DATA.get(name);
    if (known == null) {
      String best = Suggest.closest(name, DATA.keySet());
      diag.add(new Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format("data", "unknown data set '" + name
          + "' (known: " + names + ")"),
          best != null ? "did you mean '" + best + "'?" : "a directory goes in quotes: data = \"" + name + "\""));
      return t;
    }
    Map<String, Double> args = new LinkedHashMap<>(known);
    if (v instanceof Expr.Call c) {
      if (!c.args().isEmpty()) {
        diag.error(ErrorCode.E7, c.args().get(0).pos(), "data", known.isEmpty() ? name + " takes no arguments"
            : "give its arguments by name, as in " + name + "(" + known.keySet().iterator().next() + " = "
                + fmt(known.values().iterator().next()) + ")");
      }
      c.named().forEach((k, e) -> {
        if (!known.containsKey(k)) {
          diag.unknown(ErrorCode.E8, c.nameAt(k), k, known.keySet(), k, "data set '" + name + "'");
          return;
        }
        Double value = e instanceof Expr.Num n ? Double.valueOf(n.value())
            : e instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n ? Double.valueOf(-n.value()) : null;
        String range = dataArgOutside(k, value);
        if (range != null) {
          diag.error(ErrorCode.E7, e.pos(), name + "." + k, "must be " + range);
        } else {
          args.put(k, value);
        }
      });
    }
    return t.withData(name, args);
  }

  /** Null when v is a valid value of data argument k, else what it must be, in words. */
  private static String dataArgOutside(String k, Double v) {
    String got = v == null ? "" : ", got " + fmt(v);
    return switch (k) {
      case "n" -> v != null && v == Math.rint(v) && v >= 2 && v <= Synthetic.MAX_EXAMPLES ? null
          : "an integer from 2 to " + Synthetic.MAX_EXAMPLES + got;
      case "seed" -> v != null && v == Math.rint(v) && Math.abs(v) < 0x1p63 ? null : "an integer" + got;
      default -> v != null && v >= 0 && Double.isFinite(v) ? null : "a finite number, at least 0" + got;
    };
  }

  private static Map<String, Map<String, Double>> dataSets() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("mnist", Map.of());
    new java.util.TreeMap<>(Synthetic.ARGUMENTS).forEach(m::put);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Null when v is in k's range, else the range in words. */
  private static String outside(String k, double v) {
    double[] r = RANGES.get(k);
    if (r == null || Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isFinite(v) ? null : "a finite number";
    }
    boolean lowOk = r[2] == 1 ? v >= r[0] : v > r[0];
    boolean highOk = r[3] == 1 ? v <= r[1] : v < r[1];
    if (lowOk && highOk) {
      return null;
    }
    String low = (r[2] == 1 ? "at least " : "greater than ") + fmt(r[0]);
    return r[1] == Double.MAX_VALUE ? low + ", got " + fmt(v)
        : low + " and " + (r[3] == 1 ? "at most " : "less than ") + fmt(r[1]) + ", got " + fmt(v);
  }

  private Double number(Option o) {
    if (o.value() instanceof Expr.Num n) {
      return n.value();
    }
    if (o.value() instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n) {
      return -n.value();
    }
    diag.error(ErrorCode.E7, o.value().pos(), o.name(), "expected a number");
    return null;
  }

  private String word(Option o, List<String> allowed) {
    if (o.value() instanceof Expr.Ref r && allowed.contains(r.name())) {
      return r.name();
    }
    String given = o.value() instanceof Expr.Ref r ? "'" + r.name() + "'" : "this";
    String best = o.value() instanceof Expr.Ref r ? Suggest.closest(r.name(), allowed) : null;
    diag.add(new Diagnostic(ErrorCode.E7, o.value().pos(), ErrorCode.E7.format(o.name(),
        "expected one of " + String.join(", ", allowed) + ", got " + given),
        best == null ? null : "did you mean '" + best + "'?"));
    return null;
  }

  private TrainSpec bad(TrainSpec t, Option o, String why) {
    diag.error(ErrorCode.E7, o.value().pos(), o.name(), why);
    return t;
  }

  private static String fmt(double v) {
    return Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 0x1p63 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
