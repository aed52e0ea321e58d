package dev.bpnet.dsl.syntax;

import dev.bpnet.api.DType;
import dev.bpnet.api.FeedbackThird;
import dev.bpnet.api.Init;
import dev.bpnet.api.Keep;
import dev.bpnet.api.OptimizerSpec;
import dev.bpnet.api.Schedule;
import dev.bpnet.api.Third;
import dev.bpnet.api.TrainSchedules;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.diag.Suggest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A train block's options to a typed {@link TrainSpec}, checking each value. Options not given
 * keep the defaults of {@link TrainSpec#DEFAULTS}, which the README documents.
 */
public final class TrainOptions {
  /** One {@code name = value} of a train block. */
  public record Option(String name, Expr value, Pos pos) {}

  public static final List<String> NAMES = List.of("passes", "alpha", "third", "optimizer",
      "init", "batch", "epochs", "seed", "dtype", "data", "schedule", "alpha_schedule", "lr_over_alpha",
      "validation", "clip", "early_stop", "min_delta", "keep", "test_every_epoch", "g3");
  public static final List<String> INITS = Init.WORDS;
  public static final List<String> DTYPES = DType.WORDS;
  public static final List<String> THIRD = Third.WORDS;
  public static final List<String> KEEP = Keep.WORDS;
  public static final List<String> G3 = FeedbackThird.WORDS;
  /** Data sets by name, with their arguments and defaults (see {@link DataOption}). */
  public static final Map<String, Map<String, Double>> DATA = DataOption.SETS;

  /** Schedules by name, with their named arguments and defaults (NaN: required); step's epochs are positional. */
  public static final Map<String, Map<String, Double>> SCHEDULES = schedules();
  /** The schedules alpha may follow: it changes once per epoch, so not the per-update exponential. */
  public static final List<String> ALPHA_SCHEDULES = List.of("none", "step", "linear");

  /** The largest integer every smaller one of which a double holds exactly: 2^53. */
  private static final double MAX_EXACT = 0x1p53;

  private final Diagnostics diag;
  /** Where options that other options affect were written, for the checks between them. */
  private final Map<String, Option> written = new HashMap<>();
  /** Where every option of the block was written (its first writing). */
  private final Map<String, Pos> seen = new HashMap<>();
  /** The options whose value was an error. */
  private final java.util.Set<String> refused = new java.util.HashSet<>();
  /** Whether the optimizer call wrote beta or floor (reinforced's own decay). */
  private boolean ownDecayWritten;

  /** The optimizers written in the language that a train block may name, by name. */
  private final Map<String, OptimizerDecl> declared;
  /** The optimizer the block named, when it named a declared one. */
  private OptimizerDecl.Use chosen;

  public TrainOptions(Diagnostics diag) {
    this(diag, Map.of());
  }

  /** Train blocks of a file that declares {@code declared} optimizers. */
  public TrainOptions(Diagnostics diag, Map<String, OptimizerDecl> declared) {
    this.diag = diag;
    this.declared = Map.copyOf(declared);
  }

  /**
   * The optimizer the last {@link #resolve}d block named (a built-in is a declaration of the
   * bundled optimizers.bpnet), with where its arguments were written; null when it named none.
   */
  public OptimizerDecl.Use declaredOptimizer() {
    return chosen;
  }

  /**
   * Where each option of the last {@link #resolve}d block was written, by name; an option whose
   * value was refused (an error of its own) is left out, so that no check of the whole model reads it.
   */
  public Map<String, Pos> positions() {
    Map<String, Pos> good = new HashMap<>(seen);
    good.keySet().removeAll(refused);
    return Map.copyOf(good);
  }

  public TrainSpec resolve(List<Option> options) {
    TrainSpec t = TrainSpec.DEFAULTS;
    chosen = null;
    written.clear();
    seen.clear();
    refused.clear();
    ownDecayWritten = false;
    for (Option o : options) {
      Pos prev = seen.putIfAbsent(o.name(), o.pos());
      if (prev != null) {
        diag.error(ErrorCode.E19, o.pos(), o.name(), prev);
        continue;
      }
      int before = diag.size();
      t = apply(t, o);
      if (diag.all().subList(before, diag.size()).stream().anyMatch(Diagnostic::isError)) {
        refused.add(o.name());
      }
    }
    return crossCheck(t);
  }

  private TrainSpec apply(TrainSpec t, Option o) {
    Expr v = o.value();
    switch (o.name()) {
      case "passes": {
        written.put(o.name(), o);
        Double p = number(o);
        return p == null ? t : p == 2 || p == 3 ? t.withPasses(p.intValue()) : bad(t, o, "must be 2 or 3, got " + DataOption.fmt(p));
      }
      case "alpha": {
        Double a = number(o);
        return a == null ? t : a >= 0 && a <= 1 ? t.withAlpha(a) : bad(t, o, "must be between 0 and 1, got " + DataOption.fmt(a));
      }
      case "validation": {
        written.put(o.name(), o);
        if (o.value() instanceof Expr.Ref r && r.name().equals("auto")) {
          return t.withValidation(Double.NaN);
        }
        Double f = number(o);
        return f == null ? t : f >= 0 && f < 1 ? t.withValidation(f)
            : bad(t, o, "must be a fraction in [0, 1) of the training data (0: no validation set), got " + DataOption.fmt(f));
      }
      case "clip": {
        if (o.value() instanceof Expr.Ref r && r.name().equals("none")) {
          return t.withClip(0);
        }
        Double c = number(o);
        return c == null ? t : c > 0 && c < Double.MAX_VALUE ? t.withClip(c)
            : bad(t, o, "must be a positive bound (the gradients a learning rule replaced are clipped to [-clip, clip]) or none, got "
                + DataOption.fmt(c));
      }
      case "early_stop": {
        written.put(o.name(), o);
        if (o.value() instanceof Expr.Ref r && r.name().equals("none")) {
          return t.withEvaluation(t.evaluation().withEarlyStop(0));
        }
        Double n = number(o);
        return n == null ? t : n >= 1 && n == Math.rint(n) && n <= Integer.MAX_VALUE
            ? t.withEvaluation(t.evaluation().withEarlyStop(n.intValue()))
            : bad(t, o, "must be a positive number of epochs without improvement (the patience) or none, got "
                + DataOption.fmt(n));
      }
      case "min_delta": {
        written.put(o.name(), o);
        Double d = number(o);
        return d == null ? t : d >= 0 && d < Double.MAX_VALUE ? t.withEvaluation(t.evaluation().withMinDelta(d))
            : bad(t, o, "must be the margin, 0 or more, by which an epoch's validation figure must beat the best to count"
                + " as an improvement (a fraction for accuracy: 0.001 is 0.1 points), got " + DataOption.fmt(d));
      }
      case "keep": {
        written.put(o.name(), o);
        String s = word(o, KEEP);
        return s == null ? t : t.withEvaluation(t.evaluation().withKeep(Keep.of(s)));
      }
      case "test_every_epoch": {
        String s = word(o, List.of("yes", "no"));
        return s == null ? t : t.withEvaluation(t.evaluation().withTestEveryEpoch(s.equals("yes")));
      }
      case "third": {
        written.put(o.name(), o);
        String s = word(o, THIRD);
        return s == null ? t : t.withThird(Third.of(s));
      }
      case "g3": {
        // the default of every feedback layer's g3 (BuiltinRules.thirdTo decides, the layer's own winning)
        written.put(o.name(), o);
        String s = word(o, G3);
        return s == null ? t : t.withFeedbackThird(FeedbackThird.of(s));
      }
      case "init": {
        String s = word(o, INITS);
        return s == null ? t : t.withInit(Init.of(s));
      }
      case "dtype": {
        String s = word(o, DTYPES);
        return s == null ? t : t.withDtype(DType.of(s));
      }
      case "batch", "epochs": {
        Double n = number(o);
        if (n == null) {
          return t;
        }
        if (n < 1 || n != Math.rint(n) || n > Integer.MAX_VALUE) {
          return bad(t, o, "must be a positive integer, got " + DataOption.fmt(n));
        }
        return o.name().equals("batch") ? t.withBatch(n.intValue()) : t.withEpochs(n.intValue());
      }
      case "seed": {
        Double n = number(o);
        // numbers are read as doubles, exact only up to 2^53: a larger seed would silently become
        // another one (or Long.MAX_VALUE), so it is refused
        return n == null ? t : n == Math.rint(n) && Math.abs(n) <= MAX_EXACT ? t.withSeed(n.longValue())
            : bad(t, o, "must be an integer between -2^53 and 2^53 (" + (long) MAX_EXACT + "), got " + DataOption.fmt(n));
      }
      case "data":
        return new DataOption(diag).apply(t, o);
      case "optimizer":
        return optimizer(t, o);
      case "schedule", "alpha_schedule": {
        written.put(o.name(), o);
        Schedule s = schedule(o);
        return s == null ? t : t.withSchedules(o.name().equals("schedule")
            ? t.schedules().withLr(s) : t.schedules().withAlpha(s));
      }
      case "lr_over_alpha": {
        written.put(o.name(), o);
        String s = word(o, List.of("true", "false"));
        return s == null ? t : t.withSchedules(t.schedules().withLrOverAlpha(s.equals("true")));
      }
      default:
        diag.unknown(ErrorCode.E8, o.pos(), o.name(), NAMES, o.name(), "the train block");
        return t;
    }
  }

  /** A declared optimizer's hyperparameters with their defaults, in declaration order. */
  private static Map<String, Double> defaults(OptimizerDecl d) {
    Map<String, Double> m = new LinkedHashMap<>();
    d.hypers().forEach(h -> m.put(h.name(), h.dflt()));
    return m;
  }

  private static String finite(double v) {
    return Double.isFinite(v) ? null : "a finite number";
  }

  private TrainSpec optimizer(TrainSpec t, Option o) {
    Expr v = o.value();
    String name = v instanceof Expr.Ref r ? r.name() : v instanceof Expr.Call c ? c.fn() : null;
    if (name == null) {
      return bad(t, o, "must be an optimizer such as sgd(lr = 0.1)");
    }
    // the file's own optimizers, then the built-ins, which are declarations of the bundled file too
    OptimizerDecl decl = declared.containsKey(name) ? declared.get(name) : StandardOptimizers.get(name);
    Map<String, Double> known = decl != null ? defaults(decl) : null;
    if (known == null) {
      java.util.Set<String> all = new java.util.TreeSet<>(StandardOptimizers.all().keySet());
      all.addAll(declared.keySet());
      String best = Suggest.closest(name, all);
      diag.add(new Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format("optimizer", "unknown optimizer '" + name
          + "' (known: " + String.join(", ", all) + ")"),
          best == null ? null : "did you mean '" + best + "'?"));
      return t;
    }
    Map<String, Pos> given = new LinkedHashMap<>();
    if (v instanceof Expr.Call c) {
      c.named().forEach((k, e) -> given.put(k, e.pos()));
    }
    chosen = new OptimizerDecl.Use(decl, given, v.pos());
    Map<String, Double> args = new LinkedHashMap<>(known);
    if (v instanceof Expr.Call c) {
      if (!c.args().isEmpty()) {
        diag.error(ErrorCode.E7, c.args().get(0).pos(), "optimizer", "give its arguments by name, as in " + name + "(lr = 0.1)");
      }
      ownDecayWritten = name.equals("reinforced") && (c.named().containsKey("beta") || c.named().containsKey("floor"));
      c.named().forEach((k, e) -> {
        if (!known.containsKey(k)) {
          diag.unknown(ErrorCode.E8, c.nameAt(k), k, known.keySet(), k, "optimizer '" + name + "'");
          return;
        }
        java.util.List<String> flag = decl.hyper(k).flag() ? List.of("false", "true") : null;
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
        // an optimizer states its ranges with require, checked where its rule is lowered (E55)
        String range = value == null ? "a number" : finite(value);
        if (range != null) {
          diag.error(ErrorCode.E7, e.pos(), name + "." + k, "must be " + range);
        } else {
          args.put(k, value);
        }
      });
    }
    return t.withOptimizer(new OptimizerSpec(name, args));
  }

  /**
   * A schedule: {@code none}, {@code step(100, 150, factor = 0.1)} (the epochs positional),
   * {@code exponential(beta = 0.999, floor = 0.02)} or {@code linear(to = 1, epochs = 20)}.
   */
  private Schedule schedule(Option o) {
    Expr v = o.value();
    boolean alpha = o.name().equals("alpha_schedule");
    List<String> kinds = alpha ? ALPHA_SCHEDULES : List.copyOf(SCHEDULES.keySet());
    String name = v instanceof Expr.Ref r ? r.name() : v instanceof Expr.Call c ? c.fn() : null;
    if (name == null) {
      bad(null, o, "must be a schedule (" + String.join(", ", kinds) + "), as in step(100, 150, factor = 0.1)");
      return null;
    }
    if (!kinds.contains(name)) {
      String best = Suggest.closest(name, kinds);
      String why = alpha && name.equals("exponential")
          ? "alpha changes once per epoch, so it takes none, step or linear, not the per-update exponential"
          : "unknown schedule '" + name + "' (known: " + String.join(", ", kinds) + ")";
      diag.add(new Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format(o.name(), why),
          best == null || alpha && name.equals("exponential") ? null : "did you mean '" + best + "'?"));
      return null;
    }
    if (name.equals("none")) {
      if (v instanceof Expr.Call c) {
        bad(null, o, "none takes no arguments");
        return null;
      }
      return Schedule.NONE;
    }
    Map<String, Double> known = SCHEDULES.get(name);
    Expr.Call c = v instanceof Expr.Call call ? call : new Expr.Call(name, List.of(), Map.of(), v.pos());
    Map<String, Double> args = new LinkedHashMap<>(known);
    boolean ok = true;
    List<Integer> epochs = new java.util.ArrayList<>();
    for (Expr e : c.args()) {
      if (!name.equals("step")) {
        diag.error(ErrorCode.E7, e.pos(), o.name(), "give its arguments by name, as in " + example(name));
        ok = false;
        continue;
      }
      Double n = literal(e);
      if (n == null || n != Math.rint(n) || n < 1 || n > Integer.MAX_VALUE
          || !epochs.isEmpty() && n <= epochs.get(epochs.size() - 1)) {
        diag.error(ErrorCode.E7, e.pos(), "step.epochs", "the epochs must be positive integers in increasing order"
            + (n == null ? "" : ", got " + DataOption.fmt(n)));
        ok = false;
      } else {
        epochs.add(n.intValue());
      }
    }
    for (Map.Entry<String, Expr> e : c.named().entrySet()) {
      String k = e.getKey();
      if (!known.containsKey(k)) {
        diag.unknown(ErrorCode.E8, c.nameAt(k), k, known.keySet(), k, "schedule '" + name + "'");
        ok = false;
        continue;
      }
      Double value = literal(e.getValue());
      String range = scheduleArgOutside(k, value, alpha);
      if (range != null) {
        diag.error(ErrorCode.E7, e.getValue().pos(), name + "." + k, "must be " + range);
        ok = false;
      } else {
        args.put(k, value);
      }
    }
    List<String> missing = known.entrySet().stream()
        .filter(a -> a.getValue().isNaN() && !c.named().containsKey(a.getKey())).map(Map.Entry::getKey).toList();
    if (name.equals("step") && c.args().isEmpty() || !missing.isEmpty()) {
      diag.error(ErrorCode.E7, v.pos(), o.name(), name + (missing.isEmpty() ? " needs its epochs" : " needs " + String.join(" and ", missing))
          + ", as in " + example(name));
      return null;
    }
    if (!ok) {
      return null;
    }
    return switch (name) {
      case "step" -> new Schedule.Step(epochs, args.get("factor"));
      case "exponential" -> new Schedule.Exponential(args.get("beta"), args.get("floor"));
      default -> new Schedule.Linear(args.get("to"), args.get("epochs").intValue());
    };
  }

  private static String example(String schedule) {
    return switch (schedule) {
      case "step" -> "step(100, 150, factor = 0.1)";
      case "exponential" -> "exponential(beta = 0.999, floor = 0.02)";
      default -> "linear(to = 1, epochs = 20)";
    };
  }

  /** Null when v is a valid value of schedule argument k, else what it must be, in words. */
  private static String scheduleArgOutside(String k, Double v, boolean alpha) {
    String got = v == null ? "" : ", got " + DataOption.fmt(v);
    return switch (k) {
      case "factor" -> v != null && v > 0 && Double.isFinite(v) ? null : "a positive number" + got;
      case "beta" -> v != null && v > 0 && v <= 1 ? null : "greater than 0 and at most 1" + got;
      case "floor" -> v != null && v >= 0 && Double.isFinite(v) ? null : "a finite number, at least 0" + got;
      case "epochs" -> v != null && v == Math.rint(v) && v >= 1 && v <= Integer.MAX_VALUE ? null : "a positive integer" + got;
      default -> alpha ? v != null && v >= 0 && v <= 1 ? null : "between 0 and 1" + got  // linear's to
          : v != null && v > 0 && Double.isFinite(v) ? null : "a positive number (a learning rate)" + got;
    };
  }

  /**
   * Checks between options, once all are read: schedules of alpha need three passes, eta/alpha
   * an alpha that never reaches 0, and reinforced's own decay is either its beta and floor or a
   * schedule, not both. A third-pass mode (or g3) without a third pass is a warning: it does no harm.
   */
  private TrainSpec crossCheck(TrainSpec t) {
    Option passes = written.get("passes");
    // passes = 2 as written or by default; a bad passes value is an error of its own
    boolean twoPasses = passes == null ? t.passes() == 2 : Double.valueOf(2).equals(literal(passes.value()));
    for (String name : List.of("third", "g3")) {  // the options that only the third pass reads
      Option o = written.get(name);
      List<String> words = name.equals("third") ? THIRD : G3;
      if (o != null && twoPasses && o.value() instanceof Expr.Ref mode && words.contains(mode.name())) {
        diag.warning(ErrorCode.W1, o.pos(), "write passes = 3 to train with the third pass, or leave out '" + name + "'",
            name + " = " + mode.name(), "passes = 2" + (passes == null ? " (the default)" : " (at " + passes.pos() + ")")
                + " trains without the third pass");
      }
    }
    Option minDelta = written.get("min_delta");
    if (minDelta != null && t.evaluation().minDelta() > 0 && !t.evaluation().tracksBest()) {
      diag.warning(ErrorCode.W1, minDelta.pos(), "add early_stop = N or keep = best, or leave out 'min_delta'",
          "min_delta", "it decides what counts as a better validation epoch, and neither early_stop nor keep = best"
              + " follows one");
    }
    TrainSchedules s = t.schedules();
    Option alphaSchedule = written.get("alpha_schedule");
    Option overAlpha = written.get("lr_over_alpha");
    Option schedule = written.get("schedule");
    if (alphaSchedule != null && !s.alpha().equals(Schedule.NONE) && t.passes() != 3) {
      bad(null, alphaSchedule, "alpha weighs the third pass: it needs passes = 3");
      s = s.withAlpha(Schedule.NONE);
    }
    if (s.alpha() instanceof Schedule.Step st && st.factor() > 1
        && st.at(t.alpha(), Integer.MAX_VALUE, 0) > 1) {
      bad(null, alphaSchedule, "alpha must stay at most 1, but it reaches " + st.at(t.alpha(), Integer.MAX_VALUE, 0)
          + " from alpha = " + DataOption.fmt(t.alpha()));
      s = s.withAlpha(Schedule.NONE);
    }
    if (overAlpha != null && s.lrOverAlpha()) {
      String why = t.passes() != 3 ? "eta/alpha is for three-pass training: it needs passes = 3"
          : t.alpha() == 0 ? "eta/alpha needs alpha > 0, got alpha = 0"
          : s.alpha() instanceof Schedule.Linear l && l.to() == 0 ? "eta/alpha needs alpha > 0, but alpha_schedule takes it to 0"
          : null;
      if (why != null) {
        bad(null, overAlpha, why);
        s = s.withLrOverAlpha(false);
      }
    }
    if (schedule != null && ownDecayWritten && !s.lr().equals(Schedule.NONE)) {
      diag.add(new Diagnostic(ErrorCode.E7, schedule.value().pos(), ErrorCode.E7.format("schedule",
          "reinforced's beta and floor are its own decay, which a schedule replaces"),
          "write the decay once: schedule = exponential(beta = ..., floor = ...), or drop schedule"));
    }
    noValidation(t);
    return t.withSchedules(s);
  }

  /**
   * Early stopping and keep = best follow the validation figure: with no validation set (written
   * 0, or auto on a generated regression set, which holds none out) they are E60 at the option.
   * Data given only when training (--data) is checked there, since it is known only then.
   */
  private void noValidation(TrainSpec t) {
    boolean generated = dev.bpnet.api.DataSets.GENERATED.containsKey(t.data());
    if (!(t.validation() == 0 || Double.isNaN(t.validation()) && generated)) {
      return;
    }
    Option validation = written.get("validation");
    String why = t.validation() == 0 ? "validation = 0" + (validation == null ? "" : " (at " + validation.value().pos() + ")")
        + " holds no examples out"
        : "validation = auto holds none out of the generated regression set " + t.data()
            + " (the papers fit every point)";
    for (String name : List.of("early_stop", "keep")) {
      Option o = written.get(name);
      boolean on = name.equals("early_stop") ? t.evaluation().earlyStop() > 0 : t.evaluation().keep() == Keep.BEST;
      if (o != null && on) {
        diag.add(new Diagnostic(ErrorCode.E60, o.value().pos(), ErrorCode.E60.format(o.name() + " = " + describe(o), why),
            "write validation = 0.1 (a fraction of the training data to validate on), or leave out " + o.name()));
      }
    }
  }

  private static String describe(Option o) {
    return o.value() instanceof Expr.Num n ? DataOption.fmt(n.value()) : o.value() instanceof Expr.Ref r ? r.name() : "...";
  }

  private static Map<String, Map<String, Double>> schedules() {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("none", Map.of());
    m.put("step", Map.of("factor", 0.1));
    Map<String, Double> exp = new LinkedHashMap<>();
    exp.put("beta", 0.999);
    exp.put("floor", 0.0);
    m.put("exponential", java.util.Collections.unmodifiableMap(exp));
    Map<String, Double> linear = new LinkedHashMap<>();
    linear.put("to", Double.NaN);
    linear.put("epochs", Double.NaN);
    m.put("linear", java.util.Collections.unmodifiableMap(linear));
    return java.util.Collections.unmodifiableMap(m);
  }

  /** A number as written, with a leading minus; null when the expression is something else. */
  private static Double literal(Expr e) {
    return e instanceof Expr.Num n ? Double.valueOf(n.value())
        : e instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n ? Double.valueOf(-n.value()) : null;
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
}
