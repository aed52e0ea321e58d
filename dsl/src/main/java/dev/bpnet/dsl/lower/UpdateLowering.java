package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Primitive;
import dev.bpnet.dsl.ir.UpdateRule;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.OptimizerDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An optimizer declaration, as a model's train block uses it, to an {@link UpdateRule}: the
 * statements run in order over one element of a parameter, so each name stands for its latest
 * assignment (SSA in the rule's graph). The requirements are checked here, on the values the
 * train block gives, and fail at the argument that breaks them.
 */
public final class UpdateLowering {
  /** The names every rule reads: the parameter, its update direction, the step count and the epoch. */
  static final String THETA = "theta";
  static final String G = "g";
  static final String T = "t";
  static final String EPOCH = "epoch";
  static final String RATE = "rate";
  static final String UPDATE = "update";
  /** Words for the initial value of state arrays. */
  private static final Map<String, Double> FILLS = Map.of("zeros", 0.0, "ones", 1.0);
  /** The element-wise functions of the language a rule may call besides {@link Activations#FUNCTIONS}. */
  private static final Map<String, Integer> CALLS = Map.of("max", 2, "min", 2, "where", 3, "clamp", 3, "pow", 2,
      "bernoulli", 1);

  private final OptimizerDecl decl;
  private final OptimizerDecl.Use use;
  private final Diagnostics diag;
  private final Map<String, Double> values = new LinkedHashMap<>();
  private final GraphBuilder g = new GraphBuilder();
  /** Each name's current value. */
  private final Map<String, Integer> current = new LinkedHashMap<>();
  /** State arrays declared so far, and where. */
  private final Map<String, OptimizerDecl.State> states = new LinkedHashMap<>();
  /** State arrays declared further down, so that an early use gets E58 rather than E1. */
  private final Map<String, Pos> statesBelow = new LinkedHashMap<>();
  /** While a state's initial value or the rate is lowered: the names it may read (else all), and why. */
  private Set<String> visible;
  private String restriction;

  private UpdateLowering(OptimizerDecl.Use use, Map<String, Double> given, Diagnostics diag) {
    this.decl = use.decl();
    this.use = use;
    this.diag = diag;
    decl.hypers().forEach(h -> values.put(h.name(), given.getOrDefault(h.name(), h.dflt())));
  }

  /**
   * Lowers the optimizer {@code use} names with the hyperparameter values {@code given} (the train
   * block's; the rest keep their defaults); null after reporting errors to {@code diag}.
   */
  public static UpdateRule lower(OptimizerDecl.Use use, Map<String, Double> given, Diagnostics diag) {
    Diagnostics own = new Diagnostics();
    UpdateRule r = new UpdateLowering(use, given, own).run();
    own.all().forEach(diag::add);
    return own.hasErrors() ? null : r;
  }

  private UpdateRule run() {
    for (OptimizerDecl.Hyper h : decl.hypers()) {
      if (Set.of(THETA, G, T, EPOCH, RATE, UPDATE).contains(h.name()) || FILLS.containsKey(h.name())) {
        diag.error(ErrorCode.E59, h.pos(), h.name(), "the rule reads it (" + role(h.name())
            + "); name the hyperparameter otherwise");
      }
      current.put(h.name(), g.at(h.pos()).leaf(new Leaves.RuleScalar(h.name())));
    }
    checkRequirements();
    current.put(THETA, g.at(decl.pos()).leaf(new Leaves.RuleElement(THETA)));
    current.put(G, g.leaf(new Leaves.RuleElement(G)));
    current.put(T, g.leaf(new Leaves.RuleScalar(T)));
    current.put(EPOCH, g.leaf(new Leaves.RuleScalar(EPOCH)));
    decl.body().stream().filter(s -> s instanceof OptimizerDecl.State).map(s -> (OptimizerDecl.State) s)
        .forEach(s -> statesBelow.putIfAbsent(s.name(), s.pos()));
    int ownRate = ownRate();
    if (ownRate >= 0) {
      current.put(RATE, g.leaf(new Leaves.RuleScalar(RATE)));
    }
    List<UpdateRule.Step> steps = new ArrayList<>();
    Map<String, Integer> inits = new LinkedHashMap<>();
    Integer update = null;
    for (OptimizerDecl.Stmt st : decl.body()) {
      if (st instanceof OptimizerDecl.State s) {
        Integer init = declareState(s);
        if (init != null) {
          inits.put(s.name(), init);
        }
      } else if (st instanceof OptimizerDecl.Assign a && !a.name().equals(RATE)) {
        Integer v = assign(a);
        if (v != null) {
          steps.add(new UpdateRule.Step(a.name(), v, a.text(), a.pos()));
          if (a.name().equals(UPDATE)) {
            update = v;
          }
        }
      }
    }
    if (update == null && decl.body().stream().noneMatch(s -> s instanceof OptimizerDecl.Assign a
        && a.name().equals(UPDATE))) {
      diag.add(new Diagnostic(ErrorCode.E56, decl.pos(), ErrorCode.E56.format(decl.name(),
          "the rule must say how the parameter changes"), "add update = ..., the change added to theta (as in update = -lr * g)"));
    }
    if (update == null) {
      return null;
    }
    List<UpdateRule.State> out = new ArrayList<>();
    states.forEach((n, s) -> out.add(new UpdateRule.State(n, inits.get(n), current.get(n), s.text(), s.pos())));
    int next = g.at(decl.pos()).add(new Arithmetic.Add(), current.get(THETA), update);
    return new UpdateRule(decl.name(), values, g.build(), out, current.get(THETA), update, next, ownRate, steps,
        decl.pos());
  }

  private static String role(String n) {
    return switch (n) {
      case THETA -> "the parameter";
      case G -> "the parameter's update direction";
      case T -> "the update count, 1 at the first update";
      case EPOCH -> "the epoch, from 0";
      case RATE -> "the learning rate";
      case UPDATE -> "the change the rule makes";
      default -> "the initial value of state arrays";
    };
  }

  /** require statements, on the hyperparameters' values: each must hold. */
  private void checkRequirements() {
    for (OptimizerDecl.Stmt st : decl.body()) {
      if (!(st instanceof OptimizerDecl.Require r)) {
        continue;
      }
      Set<String> read = new LinkedHashSet<>();
      Double v = constant(r.cond(), read);
      if (v == null || v != 0) {
        continue;
      }
      String got = String.join(", ", read.stream().map(n -> n + " = " + number(values.get(n))).toList());
      Pos at = read.stream().filter(use.given()::containsKey).map(use.given()::get).findFirst().orElse(r.pos());
      diag.add(new Diagnostic(ErrorCode.E55, at, ErrorCode.E55.format(decl.name(), r.text(),
          got.isEmpty() ? "it does not hold" : got), at == r.pos()
          ? "the declaration's defaults break its own requirement (" + r.pos() + ")"
          : "see its declaration at " + r.pos()));
    }
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** A requirement's value from the hyperparameters' values; null after an error. */
  private Double constant(Expr e, Set<String> read) {
    if (e instanceof Expr.Num n) {
      return n.value();
    }
    if (e instanceof Expr.Ref r && values.containsKey(r.name())) {
      read.add(r.name());
      return values.get(r.name());
    }
    if (e instanceof Expr.Ref r) {
      diag.unknown(ErrorCode.E1, r.pos(), r.name(), values.keySet(), r.name());
      return null;
    }
    if (e instanceof Expr.Neg n) {
      Double x = constant(n.operand(), read);
      return x == null ? null : -x;
    }
    if (e instanceof Expr.Binary b) {
      Double l = constant(b.left(), read);
      Double r = constant(b.right(), read);
      Primitive op = Lowering.operator(b.op());
      if (l == null || r == null || !(op instanceof dev.bpnet.dsl.ir.HostScalar h)) {
        return null;
      }
      return h.apply(l, r);
    }
    diag.error(ErrorCode.E57, e.pos(), e instanceof Expr.Call c ? c.fn() + "(...)" : "this",
        "a requirement compares hyperparameters with numbers, as in require lr > 0");
    return null;
  }

  /** The rate the rule defines (rate = ...), else its lr hyperparameter, else -1. */
  private int ownRate() {
    List<OptimizerDecl.Assign> defs = decl.body().stream()
        .filter(s -> s instanceof OptimizerDecl.Assign a && a.name().equals(RATE)).map(s -> (OptimizerDecl.Assign) s)
        .toList();
    for (int i = 1; i < defs.size(); i++) {
      diag.error(ErrorCode.E5, defs.get(i).pos(), RATE, defs.get(0).pos());
    }
    if (defs.isEmpty()) {
      return values.containsKey("lr") ? current.get("lr") : -1;
    }
    Integer r = restricted(Set.of(T, EPOCH), "the learning rate is computed once per update, from the hyperparameters, t and epoch",
        defs.get(0).value());
    if (r != null && !g.isHost(r)) {
      diag.error(ErrorCode.E57, defs.get(0).value().pos(), "this value", "the rate must not depend on an element (theta, g or state)");
    }
    return r == null ? -1 : r;
  }

  /** Lowers {@code e} reading only the hyperparameters and {@code names}; the others are errors saying {@code why}. */
  private Integer restricted(Set<String> names, String why, Expr e) {
    visible = new java.util.HashSet<>(names);
    visible.addAll(values.keySet());
    restriction = why;
    try {
      return lower(e);
    } finally {
      visible = null;
      restriction = null;
    }
  }

  private Integer declareState(OptimizerDecl.State s) {
    if (current.containsKey(s.name()) || FILLS.containsKey(s.name()) || s.name().equals(UPDATE)
        || s.name().equals(RATE)) {
      Pos first = states.containsKey(s.name()) ? states.get(s.name()).pos() : decl.hypers().stream()
          .filter(h -> h.name().equals(s.name())).map(OptimizerDecl.Hyper::pos).findFirst().orElse(null);
      if (first != null) {
        diag.error(ErrorCode.E5, s.pos(), s.name(), first);
      } else {
        diag.error(ErrorCode.E59, s.pos(), s.name(), "it is " + role(s.name()) + "; name the state otherwise");
      }
      return null;
    }
    Integer init = restricted(Set.of(),
        "a state's initial value is made once, before the first update, from the hyperparameters and numbers", s.init());
    states.put(s.name(), s);
    current.put(s.name(), g.at(s.pos()).leaf(new Leaves.RuleElement(s.name())));
    return init;
  }

  private Integer assign(OptimizerDecl.Assign a) {
    String n = a.name();
    if (values.containsKey(n) || n.equals(T) || n.equals(EPOCH) || FILLS.containsKey(n)) {
      diag.error(ErrorCode.E59, a.pos(), n, values.containsKey(n) ? "it is a hyperparameter (given by the train block)"
          : "it is " + role(n));
      return null;
    }
    if (statesBelow.containsKey(n) && !states.containsKey(n)) {
      diag.error(ErrorCode.E58, a.pos(), n, statesBelow.get(n));
      return null;
    }
    Integer v = lower(a.value());
    if (v == null) {
      return null;
    }
    current.put(n, v);
    g.label(v, n);
    return v;
  }

  /** Lowers an expression of the rule; null after reporting an error. */
  private Integer lower(Expr e) {
    g.at(e.pos());
    if (e instanceof Expr.Num n) {
      return g.constant(n.value());
    }
    if (e instanceof Expr.Ref r) {
      return read(r);
    }
    if (e instanceof Expr.Neg n) {
      Integer x = lower(n.operand());
      return x == null ? null : g.at(n.pos()).add(new Arithmetic.Neg(), x);
    }
    if (e instanceof Expr.Binary b) {
      Integer l = lower(b.left());
      Integer r = lower(b.right());
      Primitive op = Lowering.operator(b.op());
      if (op == null) {
        diag.error(ErrorCode.E2, b.pos(), b.op());
        return null;
      }
      return l == null || r == null ? null : g.at(b.pos()).add(op, l, r);
    }
    if (e instanceof Expr.Call c) {
      return call(c);
    }
    diag.error(ErrorCode.E21, e.pos(), "a string can only be an option's value");
    return null;
  }

  private Integer read(Expr.Ref r) {
    String n = r.name();
    if (visible != null && !visible.contains(n) && (current.containsKey(n) || statesBelow.containsKey(n))) {
      diag.error(ErrorCode.E57, r.pos(), n, restriction);
      return null;
    }
    if (FILLS.containsKey(n)) {
      return g.constant(FILLS.get(n));
    }
    if (current.containsKey(n)) {
      return current.get(n);
    }
    if (n.equals(RATE)) {
      diag.error(ErrorCode.E57, r.pos(), RATE, "the optimizer has no lr hyperparameter and no rate = ... statement");
    } else if (statesBelow.containsKey(n)) {
      diag.error(ErrorCode.E58, r.pos(), n, statesBelow.get(n));
    } else {
      Set<String> known = new TreeSet<>(current.keySet());
      known.addAll(FILLS.keySet());
      diag.unknown(ErrorCode.E1, r.pos(), n, known, n);
    }
    return null;
  }

  private Integer call(Expr.Call c) {
    String fn = c.fn();
    Activations.Function f = Activations.FUNCTIONS.get(fn);
    Integer arity = f != null ? Integer.valueOf(1) : CALLS.get(fn);
    if (arity == null) {
      if (Builtins.NAMES.contains(fn)) {
        diag.error(ErrorCode.E57, c.pos(), fn + "(...)", "a rule computes one element at a time, with "
            + String.join(", ", new TreeSet<>(allowed())));
      } else {
        diag.unknown(ErrorCode.E2, c.pos(), fn, allowed(), fn);
      }
      return null;
    }
    Set<String> named = f != null && f.option() != null ? Set.of(f.option()) : Set.of();
    for (String k : c.named().keySet()) {
      if (!named.contains(k)) {
        diag.unknown(ErrorCode.E8, c.nameAt(k), k, named, k, "'" + fn + "'");
        return null;
      }
    }
    if (c.args().size() != arity) {
      diag.error(ErrorCode.E10, c.pos(), arity == 1 ? "1" : "1.." + arity, fn,
          "given: " + fn + " takes " + arity + " argument" + (arity == 1 ? "" : "s") + ", got " + c.args().size());
      return null;
    }
    List<Integer> args = new ArrayList<>();
    for (Expr a : c.args()) {
      Integer v = lower(a);
      if (v == null) {
        return null;
      }
      args.add(v);
    }
    g.at(c.pos());
    if (f != null) {
      double option = Double.NaN;
      if (f.option() != null) {
        Expr o = c.named().get(f.option());
        option = o == null ? f.dflt() : o instanceof Expr.Num n ? n.value() : Double.NaN;
        if (Double.isNaN(option)) {
          diag.error(ErrorCode.E7, o.pos(), f.option(), "a number");
          return null;
        }
      }
      return g.add(f.make().apply(option), args.get(0));
    }
    return switch (fn) {
      case "max" -> g.add(new Arithmetic.Extremum(true), args);
      case "min" -> g.add(new Arithmetic.Extremum(false), args);
      case "where" -> g.add(new Arithmetic.Where(), args);
      case "clamp" -> g.add(new Arithmetic.Clamp(), args);
      case "pow" -> g.add(new Arithmetic.Pow(), args);
      default -> bernoulli(c, args.get(0));
    };
  }

  private Integer bernoulli(Expr.Call c, int p) {
    if (!g.isHost(p)) {
      diag.error(ErrorCode.E10, c.args().get(0).pos(), "1", "bernoulli",
          "a probability computed from the hyperparameters, t and epoch (one per update, not per element)");
      return null;
    }
    return g.add(new Leaves.Bernoulli(), p);
  }

  private Set<String> allowed() {
    Set<String> s = new TreeSet<>(CALLS.keySet());
    s.addAll(Activations.FUNCTIONS.keySet());
    return s;
  }
}
