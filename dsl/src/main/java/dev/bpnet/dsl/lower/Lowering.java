package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Primitive;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.ir.ShapeException;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AST to IR. Names resolve in any order (a value may use one declared below it); a value that
 * depends on itself is an error. All errors of the model are collected before stopping.
 */
public final class Lowering {
  private final ModelDecl model;
  private final Scope s;
  private final Builtins builtins;
  private final Map<String, Decl> byName = new LinkedHashMap<>();
  private final Map<String, Integer> lowered = new HashMap<>();
  private final Set<String> inProgress = new java.util.LinkedHashSet<>();
  private final List<Program.Leaf> inputs = new ArrayList<>();
  private final List<Program.Leaf> labels = new ArrayList<>();

  private Lowering(ModelDecl model, Map<String, dev.bpnet.dsl.syntax.RuleDecl> rules, Diagnostics diag) {
    this.model = model;
    this.s = new Scope(diag, model.train());
    this.s.rules.putAll(rules);
    this.builtins = new Builtins(s, this::lower);
    // values being lowered wait for the one that asks (a value that depends on it is a cycle)
    this.s.resolveAll = () -> List.copyOf(byName.values()).forEach(d -> {
      if (!inProgress.contains(d.name())) {
        resolve(d.name(), d.pos());
      }
    });
  }

  /** Every built-in function a model may call (the language reference lists each). */
  public static java.util.SortedSet<String> functionNames() {
    return Builtins.NAMES;
  }

  /** Lowers a model or throws {@link CompileException} with every error found. */
  public static Program lower(ModelDecl model) {
    return lower(model, Map.of());
  }

  /** Lowers a model that may call the given user activations. */
  public static Program lower(ModelDecl model, Map<String, dev.bpnet.dsl.syntax.RuleDecl> rules) {
    Diagnostics diag = new Diagnostics();
    Program p = new Lowering(model, rules, diag).run();
    diag.stopIfErrors();
    return p;
  }

  private Program run() {
    rulesWithBuiltinNames();
    for (Decl d : model.decls()) {
      Decl prev = byName.putIfAbsent(d.name(), d);
      if (prev != null) {
        s.error(ErrorCode.E5, d.pos(), d.name(), prev.pos());
      } else if (d.name().equals("loss") && model.loss() != null) {
        // an input or label named loss would share the loss's name: as any other duplicate, an error
        s.error(ErrorCode.E5, d.pos(), d.name(), model.loss().pos());
      }
    }
    if (model.decls().stream().noneMatch(d -> d instanceof Decl.Input)) {
      // a trainer feeds at least one input: without one there is no batch to size its buffers by
      s.error(ErrorCode.E49, model.pos());
    }
    for (Decl d : byName.values()) {
      resolve(d.name(), d.pos());
    }
    if (model.loss() == null) {
      s.error(ErrorCode.E6, model.pos());
      return null;
    }
    s.owner = "loss";
    Integer loss = lower(model.loss());
    if (loss == null || s.diag.hasErrors()) {
      return null;
    }
    if (!s.graph.shape(loss).isScalar()) {
      s.error(ErrorCode.E4, model.loss().pos(), "the loss", "it must be a scalar, got " + s.graph.shape(loss));
      return null;
    }
    if (!dependsOnParameters(loss)) {
      s.error(ErrorCode.E22, model.loss().pos());
      return null;
    }
    Decl out = byName.get(Outputs.NAME);
    int output = Outputs.find(s, out == null ? null : lowered.get(Outputs.NAME), out == null ? null : out.pos(), loss,
        start(model.loss()), lowered, labels);
    if (output < 0) {
      return null;
    }
    UnusedValues.report(model, lowered, s.graph, List.of(loss, output), s.diag);
    dev.bpnet.dsl.ir.UpdateRule update = null;
    // a built-in is a declaration of the bundled standard file, compiled as a user's would be
    dev.bpnet.dsl.syntax.OptimizerDecl.Use use = model.optimizer() != null ? model.optimizer()
        : new dev.bpnet.dsl.syntax.OptimizerDecl.Use(
            dev.bpnet.dsl.syntax.StandardOptimizers.get(model.train().optimizer().name()), Map.of(), model.pos());
    if (use.decl() == null) {
      // a model built in Java (builder API) naming an optimizer no file declares
      s.error(ErrorCode.E7, model.pos(), "optimizer", "unknown optimizer '" + model.train().optimizer().name()
          + "' (known: " + String.join(", ", dev.bpnet.dsl.syntax.StandardOptimizers.all().keySet()) + ")");
      return null;
    }
    update = UpdateLowering.lower(use, model.train().optimizer().args(), s.diag);
    if (update == null) {
      return null;
    }
    Program program = new Program(model.name(), s.graph.build(), inputs, labels, s.params, output, loss,
        model.train(), List.of(), update);
    if (model.train().clip() > 0 && program.ruleReplaced().isEmpty()) {
      // clip bounds only gradients that a learning rule replaced; the user may expect it to clip all
      Pos at = model.written().getOrDefault("clip", model.pos());
      s.diag.warning(ErrorCode.W1, at, "remove 'clip', or give the layers below it a learning rule (feedback = random, ...)",
          "clip",
          "no learning rule in this model replaces a gradient, and clip bounds only those");
    }
    trainG3WithoutFeedbackLayers();
    return new Program(model.name(), program.graph(), inputs, labels, s.params, output, loss, model.train(),
        s.diag.warnings(), update, s.running);
  }

  /**
   * The train option g3 (written, or --set, as a sweep's --grid g3=... does) chooses for the
   * feedback layers that give no g3 of their own; with three passes and no such layer it changes
   * nothing (W1, at the option; with passes = 2 the train block's own check says so instead).
   * In exact mode as in paper mode a layer that takes it trains differently, so mode does not matter here.
   */
  private void trainG3WithoutFeedbackLayers() {
    Pos at = model.written().get("g3");
    if (at == null || model.train().passes() != 3 || s.trainG3Taken) {
      return;
    }
    boolean ownG3 = s.feedbackLayer;
    s.diag.warning(ErrorCode.W1, at, ownG3 ? "leave out 'g3': each feedback layer's own g3 = ... decides"
        : "leave out 'g3', or give a layer feedback = random or random_updated", "g3 = " + model.train().feedbackThird(),
        ownG3 ? "every feedback layer of model '" + model.name()
        + "' gives its own g3, which wins over the train option" : "model '" + model.name() + "' has no feedback layer"
        + " (dense, conv2d or untied_conv2d with feedback = random or random_updated), and g3 says where the"
        + " third-pass gradient that reaches a feedback matrix B goes");
  }

  /**
   * A rule named like a built-in function would never be called (built-ins are looked up first):
   * an error at its declaration, in the order the rules were written.
   */
  private void rulesWithBuiltinNames() {
    s.rules.values().stream().filter(r -> Builtins.NAMES.contains(r.name()))
        .sorted(java.util.Comparator.comparingInt((dev.bpnet.dsl.syntax.RuleDecl r) -> r.pos().line())
            .thenComparingInt(r -> r.pos().col()))
        .forEach(r -> s.diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E50, r.pos(),
            ErrorCode.E50.format(r.kindWord(), r.name(), "function"), "rename it, as in my_" + r.name())));
  }

  private boolean dependsOnParameters(int loss) {
    java.util.BitSet deps = s.graph.ancestors(List.of(loss));
    return s.params.stream().anyMatch(p -> deps.get(p.node()));
  }

  /** Where an expression starts: its leftmost operand (a binary's position is its operator's). */
  private static Pos start(Expr e) {
    return e instanceof Expr.Binary b ? start(b.left()) : e.pos();
  }

  private Integer resolve(String name, Pos use) {
    if (lowered.containsKey(name)) {
      return lowered.get(name);
    }
    Decl d = byName.get(name);
    if (d == null) {
      if (name.equals("loss") && model.loss() != null) {
        s.error(ErrorCode.E24, use);
      } else if (!functionAsValue(s, name, use)) {
        s.diag.unknown(ErrorCode.E1, use, name, byName.keySet(), name);
      }
      return null;
    }
    if (!inProgress.add(name)) {
      List<String> chain = new ArrayList<>(inProgress);
      chain = chain.subList(chain.indexOf(name), chain.size());
      s.error(ErrorCode.E9, use, name + "' (" + String.join(" -> ", chain) + " -> " + name + ")");
      return null;
    }
    Integer id;
    if (d instanceof Decl.Input in) {
      id = leaf(in.name(), in.shape(), in.pos(), inputs);
    } else if (d instanceof Decl.Label lb) {
      id = leaf(lb.name(), lb.shape(), lb.pos(), labels);
    } else {
      id = let((Decl.Let) d);
    }
    inProgress.remove(name);
    lowered.put(name, id);
    return id;
  }

  /**
   * h.W: the parameter W that the value h declares, by the name {@code bpnet params} prints, so a
   * loss can regularise it. Lowering h first makes its parameters.
   */
  private Integer parameter(Expr.Ref r) {
    String owner = r.name().substring(0, r.name().indexOf('.'));
    Pos at = r.pos();
    if (resolve(owner, new Pos(at.file(), at.line(), at.col(), owner.length())) == null) {
      return null;
    }
    for (Program.Param p : s.params) {
      if (p.name().equals(r.name())) {
        return p.node();
      }
    }
    String field = r.name().substring(owner.length() + 1);
    List<String> own = s.params.stream().map(Program.Param::name).filter(n -> n.startsWith(owner + ".")).toList();
    String has = s.params.stream().anyMatch(p -> p.name().equals(owner)) ? ": '" + owner + "' is itself a parameter"
        : own.isEmpty() ? ": it declares none" : "; it has " + String.join(", ", own);
    s.diag.unknown(ErrorCode.E53, at, r.name(), own, owner, field, has);
    return null;
  }

  /** Reports a function's name used as a value ("h = relu"); false if {@code name} is no function. */
  static boolean functionAsValue(Scope s, String name, Pos use) {
    boolean oneInput = dev.bpnet.dsl.ir.Activations.FUNCTIONS.containsKey(name)
        || s.rules.containsKey(name) && s.rules.get(name).kind() == dev.bpnet.dsl.syntax.RuleDecl.Kind.ACTIVATION;
    if (!oneInput && !Builtins.NAMES.contains(name) && !s.rules.containsKey(name)) {
      return false;
    }
    s.error(ErrorCode.E48, use, name, name + (oneInput ? "(x)" : "(...)"));
    return true;
  }

  private Integer leaf(String name, List<Integer> shape, Pos pos, List<Program.Leaf> into) {
    Shape sh = Shape.batchOf(shape);
    int id;
    try {
      id = s.graph.at(pos).leaf(new Leaves.Input(name, sh));
    } catch (ShapeException x) {
      s.error(ErrorCode.E4, x.pos(), "'" + name + "'", x.getMessage());  // an input too large to hold
      return null;
    }
    into.add(new Program.Leaf(name, id, sh, pos));
    return id;
  }

  private Integer let(Decl.Let let) {
    String saved = s.owner;
    s.owner = let.name();
    Integer id = lower(let.value());
    s.owner = saved;
    if (id == null || s.graph.isHost(id)) {
      return id;
    }
    return s.graph.declare(id, let.name());
  }

  /** Lowers an expression; null after reporting an error. */
  Integer lower(Expr e) {
    try {
      s.graph.at(e.pos());
      if (e instanceof Expr.Ref r) {
        return r.name().contains(".") ? parameter(r) : resolve(r.name(), r.pos());
      } else if (e instanceof Expr.Num n) {
        return s.graph.constant(n.value());
      } else if (e instanceof Expr.Neg n) {
        return unary(n);
      } else if (e instanceof Expr.Binary b) {
        return binary(b);
      } else if (e instanceof Expr.Str str) {
        s.error(ErrorCode.E21, str.pos(), "\"" + str.value() + "\" can only be an option's value");
        return null;
      }
      return builtins.call((Expr.Call) e);
    } catch (ShapeException x) {
      s.error(ErrorCode.E4, x.pos(), x.op(), x.getMessage());
      return null;
    }
  }

  private Integer unary(Expr.Neg n) {
    Integer v = lower(n.operand());
    return v == null ? null : s.ops.neg(v);
  }

  private Integer binary(Expr.Binary b) {
    Integer l = lower(b.left());
    Integer r = lower(b.right());
    return binary(s, b, l, r);
  }

  /** The primitive of an infix operator, or null for one the language lacks (models, rules and optimizers share it). */
  static Primitive operator(String op) {
    return switch (op) {
      case "+" -> new Arithmetic.Add();
      case "-" -> new Arithmetic.Sub();
      case "*" -> new Arithmetic.Mul();
      case "/" -> new Arithmetic.Div();
      case "^" -> new Arithmetic.Pow();
      case "<" -> new Arithmetic.Compare(Arithmetic.Cmp.LT);
      case "<=" -> new Arithmetic.Compare(Arithmetic.Cmp.LE);
      case ">" -> new Arithmetic.Compare(Arithmetic.Cmp.GT);
      case ">=" -> new Arithmetic.Compare(Arithmetic.Cmp.GE);
      case "==" -> new Arithmetic.Compare(Arithmetic.Cmp.EQ);
      case "!=" -> new Arithmetic.Compare(Arithmetic.Cmp.NE);
      default -> null;
    };
  }

  /** An infix operator applied to lowered operands (shared with rule bodies). */
  static Integer binary(Scope s, Expr.Binary b, Integer l, Integer r) {
    if (l == null || r == null) {
      return null;
    }
    Primitive op = operator(b.op());
    if (op == null) {
      s.error(ErrorCode.E2, b.pos(), b.op());
      return null;
    }
    s.graph.at(b.pos());
    return s.graph.add(op, l, r);
  }

}
