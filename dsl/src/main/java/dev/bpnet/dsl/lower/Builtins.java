package dev.bpnet.dsl.lower;

import dev.bpnet.api.Init;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.ir.ShapeException;
import dev.bpnet.dsl.syntax.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The functions a model may call: layers, activations, math and losses. Each entry checks
 * its arity and options, then lowers to IR primitives. The element-wise activations come from
 * {@link Activations#FUNCTIONS}, so a new one needs no entry here.
 */
final class Builtins {
  /** A function of the language: checks its call and lowers it. */
  @FunctionalInterface
  interface Lowerer {
    Integer lower(Builtins b, Expr.Call c);
  }

  /**
   * The functions this class defines, besides the element-wise ones of
   * {@link Activations#FUNCTIONS}: the one table of their names and lowerings.
   */
  private static final Map<String, Lowerer> TABLE = table();

  private static Map<String, Lowerer> table() {
    Map<String, Lowerer> t = new LinkedHashMap<>();
    t.put("dense", Builtins::dense);
    t.put("param", Builtins::param);
    t.put("state", Builtins::state);
    t.put("matmul", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.matmul(c, a)));
    t.put("bias_add", (b, c) -> b.withArgs(c, 2, 2, Set.of("axis"), a -> {
      Integer axis = b.axis(c, "axis", b.s.graph.shape(a.get(0)).rank(), -1);
      return axis == null ? null : b.o.biasAdd(a.get(0), a.get(1), axis);
    }));
    t.put("transpose", (b, c) -> b.withArgs(c, 1, 1, Set.of(), a -> b.transpose(c, a.get(0))));
    t.put("reshape", (b, c) -> b.withArgs(c, 2, 8, Set.of(), a -> b.reshape(c, a.get(0))));
    t.put("flatten", (b, c) -> b.withArgs(c, 1, 1, Set.of(), a -> b.flatten(c, a.get(0))));
    t.put("softmax", (b, c) -> b.withArgs(c, 1, 1, Set.of("axis"), a -> b.softmax(c, a.get(0))));
    t.put("log_softmax", (b, c) -> b.withArgs(c, 1, 1, Set.of("axis"), a -> b.softmax(c, a.get(0))));
    t.put("pow", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.pow(a.get(0), a.get(1))));
    t.put("clamp", (b, c) -> b.withArgs(c, 3, 3, Set.of(), a -> b.o.clamp(a.get(0), a.get(1), a.get(2))));
    t.put("where", (b, c) -> b.withArgs(c, 3, 3, Set.of(), b::where));
    t.put("max", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.apply(new Arithmetic.Extremum(true), a.get(0), a.get(1))));
    t.put("min", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.apply(new Arithmetic.Extremum(false), a.get(0), a.get(1))));
    t.put("sum", Builtins::sum);
    t.put("mean", Builtins::sum);
    t.put(ParamSets.NAME, (b, c) -> {
      b.s.error(ErrorCode.E61, c.pos(), ParamSets.text(c), "write it inside a sum, as in 1e-4 * sum(params(W) ^ 2)");
      return null;
    });
    t.put("size", (b, c) -> b.withArgs(c, 1, 1, Set.of("axis"), a -> b.size(c, a.get(0))));
    t.put("sigmoid_bp", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.apply(new Activations.SigmoidBp(), a.get(0), a.get(1))));
    t.put("tanh_bp", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.apply(new Activations.TanhBp(), a.get(0), a.get(1))));
    t.put("relu_bp", (b, c) -> b.withArgs(c, 2, 2, Set.of(), a -> b.o.apply(new Activations.ReluBp(), a.get(0), a.get(1))));
    t.put("leaky_relu_bp", (b, c) -> b.withArgs(c, 2, 3, Set.of("slope"),
        a -> b.o.apply(new Activations.LeakyReluBp(b.number(c, "slope", 2, 0.01)), a.get(0), a.get(1))));
    t.put("straight_through", (b, c) -> b.withArgs(c, 1, 1, Set.of(), a -> new BuiltinRules(b.s).wrap(c, a.get(0))));
    t.put("difference", (b, c) -> b.withArgs(c, 1, 1, Set.of("target"), a -> new BuiltinRules(b.s).wrap(c, a.get(0))));
    t.put("softmax_cross_entropy", (b, c) -> b.loss(c, true, b.losses::softmaxCrossEntropy));
    t.put("mse", (b, c) -> b.loss(c, false, b.losses::meanSquaredError));
    t.put("hinge", (b, c) -> b.loss(c, true, b.losses::multiclassHinge));
    ConvLayers.register(t);
    DropoutAndNorms.register(t);
    return java.util.Collections.unmodifiableMap(t);
  }

  /** The built-ins that declare parameters or state. */
  private static final Set<String> PARAMETER_MAKERS = Set.of("param", "state", "dense", "conv2d", "untied_conv2d",
      "layer_norm", "batch_norm");

  /** Every function a model may call: "did you mean", the language reference and its tests use it. */
  static final SortedSet<String> NAMES = names();

  private static SortedSet<String> names() {
    SortedSet<String> n = new TreeSet<>(TABLE.keySet());
    n.addAll(Activations.FUNCTIONS.keySet());
    return java.util.Collections.unmodifiableSortedSet(n);
  }

  final Scope s;
  final Ops o;
  private final Function<Expr, Integer> lower;
  private final Losses losses;

  Builtins(Scope s, Function<Expr, Integer> lower) {
    this.s = s;
    this.o = s.ops;
    this.lower = lower;
    this.losses = new Losses(s.ops);
  }

  Integer call(Expr.Call c) {
    String fn = c.fn();
    if (s.inRuleBackward && (PARAMETER_MAKERS.contains(fn)
        || s.rules.containsKey(fn) && s.rules.get(fn).kind() == dev.bpnet.dsl.syntax.RuleDecl.Kind.LAYER)) {
      // a backward body runs once per step on the forward's values: a parameter made there would
      // be named after the value it computes and never trained
      s.error(ErrorCode.E51, c.pos(), fn + "(...)", "it declares parameters, which belong in the forward body of a layer rule");
      return null;
    }
    Activations.Function f = Activations.FUNCTIONS.get(fn);
    if (f != null) {
      return activation(c, f);
    }
    Lowerer l = TABLE.get(fn);
    if (l != null) {
      return l.lower(this, c);
    }
    if (s.rules.containsKey(fn)) {
      return new RuleCalls(s, lower).call(c, s.rules.get(fn));
    }
    Set<String> known = new TreeSet<>(NAMES);
    known.addAll(s.rules.keySet());
    s.diag.unknown(ErrorCode.E2, c.pos(), fn, known, fn);
    return null;
  }

  private Integer softmax(Expr.Call c, int x) {
    String fn = c.fn();
    int rank = s.graph.shape(x).rank();
    Integer axis = rank == 0 ? null : axis(c, "axis", rank, -1);
    if (rank == 0) {
      s.error(ErrorCode.E10, c.args().get(0).pos(), "1", fn, "a batch of vectors, not a scalar");
    }
    if (axis == null) {
      return null;
    }
    if (fn.equals("log_softmax") && Shape.axis(axis, rank) != rank - 1) {
      s.error(ErrorCode.E7, c.named().get("axis").pos(), "axis", "log_softmax works on the last axis");
      return null;
    }
    return fn.equals("softmax") ? o.softmax(x, axis) : o.logSoftmax(x, axis);
  }

  private Integer size(Expr.Call c, int x) {
    int rank = s.graph.shape(x).rank();
    Integer axis = axis(c, "axis", rank, Integer.MIN_VALUE);
    if (axis == null) {
      return null;
    }
    return o.size(x, axis == Integer.MIN_VALUE ? Shape.allAxes(rank) : List.of(Shape.axis(axis, rank)));
  }

  /** matmul(a, b): b a parameter matrix, or a batch of matrices like a ([B, ..., k, n]). */
  private Integer matmul(Expr.Call c, List<Integer> a) {
    Shape b = s.graph.shape(a.get(1));
    if (b.dims().contains(Shape.BATCH) && b.rank() == 2) {
      s.error(ErrorCode.E10, c.args().get(1).pos(), "2", "matmul", "a matrix without the batch dimension (a parameter), got " + b);
      return null;
    }
    return o.matmul(a.get(0), a.get(1), false, false);
  }

  /** An element-wise function, with its numeric option (leaky_relu's slope, elu's alpha) if it has one. */
  private Integer activation(Expr.Call c, Activations.Function f) {
    int max = f.option() == null ? 1 : 2;
    Set<String> options = f.option() == null ? Set.of() : Set.of(f.option());
    return withArgs(c, 1, max, options, a -> activate(o.apply(f.make().apply(
        f.option() == null ? Double.NaN : number(c, f.option(), 1, f.dflt())), a.get(0)), a.get(0), f.gain()));
  }

  /** where(c, a, b) with every operand broadcast to the result's shape: the kernel selects elementwise. */
  private Integer where(List<Integer> a) {
    Shape out = s.graph.shape(a.get(0));
    for (int x : a) {
      Shape b = Shape.broadcast(out, s.graph.shape(x));
      if (b == null) {
        throw new ShapeException(s.graph.pos(), "where", "shapes " + out + " and "
            + s.graph.shape(x) + " do not broadcast");
      }
      out = b;
    }
    List<Integer> full = new ArrayList<>();
    for (int x : a) {
      full.add(s.graph.shape(x).equals(out) ? x : o.broadcast(x, out));
    }
    return o.where(full.get(0), full.get(1), full.get(2));
  }

  /**
   * A built-in loss of (prediction, label), recorded so that a model without a declared output
   * can be given the prediction (the rule in {@link Outputs}).
   */
  private Integer loss(Expr.Call c, boolean vectors, java.util.function.IntBinaryOperator f) {
    return withArgs(c, 2, 2, Set.of(), a -> {
      if (!batches(c, a, vectors)) {
        return null;
      }
      int l = f.applyAsInt(a.get(0), a.get(1));
      s.lossCalls.add(new Scope.LossCall(c, a.get(0), l));
      return l;
    });
  }

  /** A loss's arguments must be batches: [B, n] (classification) or [B, ...] (regression). */
  private boolean batches(Expr.Call c, List<Integer> args, boolean vectors) {
    boolean ok = true;
    for (int i = 0; i < args.size(); i++) {
      Shape sh = s.graph.shape(args.get(i));
      boolean batch = sh.rank() >= 2 && sh.dim(0) == Shape.BATCH && (!vectors || sh.rank() == 2);
      if (!batch) {
        s.error(ErrorCode.E10, c.args().get(i).pos(), String.valueOf(i + 1), c.fn(),
            (vectors ? "a batch of vectors [B, n]" : "a batch of values [B, n, ...]") + ", got " + sh);
        ok = false;
      }
    }
    // a loss compares its arguments element by element: broadcasting [B, 1] against [B, 10] would
    // train on a different loss than the one written
    if (ok && !s.graph.shape(args.get(0)).equals(s.graph.shape(args.get(1)))) {
      s.error(ErrorCode.E4, c.pos(), c.fn(), argument(0, args.get(0)) + " but " + argument(1, args.get(1))
          + ": a loss needs equal shapes");
      ok = false;
    }
    return ok;
  }

  /** "the prediction 'out' is [B, 5] (m.bpnet:4:9)": a loss's argument, named where it has a name. */
  private String argument(int i, int id) {
    dev.bpnet.dsl.ir.Node n = s.graph.node(id);
    String name = n.displayName();
    return (i == 0 ? "the prediction" : "the label") + (name == null ? "" : " '" + name + "'") + " is " + n.shape()
        + " (" + n.pos() + ")";
  }

  /** Records the gain of the dense layer an activation follows (2 for ReLU-like units). */
  int activate(int out, int in, double gain) {
    Integer w = s.denseWeight.get(in);
    if (w != null) {
      s.params.set(w, s.params.get(w).withGain(gain));
    }
    return out;
  }

  private Integer dense(Expr.Call c) {
    return withArgs(c, 2, 2, Set.of("bias", "feedback", "g3"), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      Integer units = positiveInt(c, 1, "the number of units");
      if (units == null) {
        return null;
      }
      if (xs.rank() != 2) {
        s.diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E4, c.pos(), ErrorCode.E4.format("dense",
            "its input must be [B, n], got " + xs), xs.rank() > 2 ? "flatten it first: dense(flatten(...), " + units + ")" : null));
        return null;
      }
      int in = xs.dim(1);
      int w = s.param("W", Shape.of(in, units), s.train.init(), in, units);
      int wIndex = s.params.size() - 1;
      Expr fb = c.named().get("feedback");
      BuiltinRules.warnUnusedThirdTo(s, c);
      int z;
      if (fb == null) {
        z = s.graph.label(o.matmul(x, w, false, false), s.owner + ".xW");
      } else {
        Integer fa = new BuiltinRules(s).feedback(c, x, w, in, units, "xW", () -> o.matmul(x, w, false, false),
            (ct, bm) -> o.matmul(ct, bm, false, true));
        if (fa == null) {
          return null;
        }
        z = fa;
      }
      Boolean bias = yesNo(c, "bias");
      if (bias == null) {
        return null;
      }
      if (bias) {
        int b = s.param("b", Shape.of(units), Init.ZEROS, in, units);
        z = o.biasAdd(z, b, -1);
      }
      s.denseWeight.put(z, wIndex);
      return s.graph.label(z, s.owner + ".z");
    });
  }

  /**
   * param(d1, d2, ..., init = scheme): a trainable parameter named after the value it defines.
   * Matrices default to the model's initialiser, vectors to zeros.
   */
  private Integer param(Expr.Call c) {
    return declare(c, Set.of("init"), Program.Update.OWN, null);
  }

  /**
   * state(d1, d2, ..., init = scheme, follows = W), only in a layer rule's forward body: a value
   * that is not trained (the feedback matrix B of feedback alignment), fixed, or receiving W's update.
   */
  private Integer state(Expr.Call c) {
    if (!s.inLayerForward) {
      s.error(ErrorCode.E32, c.pos(), "state(...)");
      return null;
    }
    Expr f = c.named().get("follows");
    if (f == null) {
      return declare(c, Set.of("init", "follows"), Program.Update.FIXED, null);
    }
    Integer w = f instanceof Expr.Ref ? lower.apply(f) : null;
    Program.Param leader = w == null ? null : s.paramAt(w);
    if (leader == null || leader.update() != Program.Update.OWN) {
      s.error(ErrorCode.E7, f.pos(), "follows", "expected the name of a trainable param(...) of this layer");
      return null;
    }
    Integer b = declare(c, Set.of("init", "follows"), Program.Update.FOLLOW, leader.name());
    if (b != null && !s.graph.shape(b).equals(leader.shape())) {
      s.error(ErrorCode.E4, c.pos(), "state", "a state that follows " + leader.name() + " must have its shape "
          + leader.shape() + ", got " + s.graph.shape(b));
      return null;
    }
    return b;
  }

  private Integer declare(Expr.Call c, Set<String> options, Program.Update update, String leader) {
    if (c.args().isEmpty()) {
      s.error(ErrorCode.E3, c.pos(), c.fn(), "at least 1", 0);
      return null;
    }
    for (String k : c.named().keySet()) {
      if (k.equals("activation") && !options.contains(k)) {
        keras(c);
      } else if (!options.contains(k)) {
        s.diag.unknown(ErrorCode.E8, c.nameAt(k), k, options, k, "'" + c.fn() + "'");
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < c.args().size(); i++) {
      Integer d = positiveInt(c, i, "a dimension");
      if (d == null) {
        return null;
      }
      dims.add(d);
    }
    Init init = dims.size() == 1 ? Init.ZEROS : s.train.init();
    Expr e = c.named().get("init");
    if (e != null) {
      List<String> known = new ArrayList<>(Init.WORDS);
      known.add(Init.ZEROS.word());
      if (e instanceof Expr.Ref r && known.contains(r.name())) {
        init = Init.of(r.name());
      } else {
        s.diag.unknown(ErrorCode.E7, e.pos(), e instanceof Expr.Ref r ? r.name() : "?", known, "init",
            "expected one of " + String.join(", ", known));
        return null;
      }
    }
    Shape shape = new Shape(dims);
    int fanIn = dims.size() == 1 ? dims.get(0) : (int) (shape.staticSize() / dims.get(dims.size() - 1));
    int fanOut = dims.get(dims.size() - 1);
    return s.namedParam(shape, init, fanIn, fanOut, update, leader);
  }

  /** sum and mean; a sum over params(...) is one sum per parameter ({@link ParamSets}). */
  private static Integer sum(Builtins b, Expr.Call c) {
    List<Expr.Call> sets = c.args().isEmpty() ? List.of() : ParamSets.find(c.args().get(0));
    if (sets.isEmpty()) {
      return b.withArgs(c, 1, 1, Set.of("axis", "keepdims"), a -> b.reduce(c, a.get(0)));
    }
    if (c.fn().equals("mean")) {
      b.s.error(ErrorCode.E61, sets.get(0).pos(), ParamSets.text(sets.get(0)), "their mean is not the sum of their means;"
          + " write sum(...), scaled as you mean it");
      return null;
    }
    return ParamSets.sum(b.s, c, sets, b.s.resolveAll, b.lower);
  }

  private Integer reduce(Expr.Call c, int x) {
    int rank = s.graph.shape(x).rank();
    if (!c.named().containsKey("axis") && rank == 0) {
      return x;
    }
    Integer axis = axis(c, "axis", rank, Integer.MIN_VALUE);
    if (axis == null) {
      return null;
    }
    List<Integer> axes = axis == Integer.MIN_VALUE ? Shape.allAxes(rank) : List.of(Shape.axis(axis, rank));
    double keepDims = number(c, "keepdims", -1, 0);
    if (keepDims != 0 && keepDims != 1) {
      s.error(ErrorCode.E7, c.named().get("keepdims").pos(), "keepdims", "must be 0 or 1, got " + Shape.number(keepDims));
      return null;
    }
    boolean keep = keepDims == 1;
    return c.fn().equals("sum") ? o.sum(x, axes, keep) : o.mean(x, axes, keep);
  }

  /** reshape(x, d1, d2, ...): a new per-example shape; the batch dimension stays first. */
  private Integer reshape(Expr.Call c, int x) {
    List<Integer> dims = new ArrayList<>();
    for (int i = 1; i < c.args().size(); i++) {
      Integer d = positiveInt(c, i, "a dimension");
      if (d == null) {
        return null;
      }
      dims.add(d);
    }
    return o.reshape(x, Shape.batchOf(dims));
  }

  /** flatten(x): each example as one vector, [B, d1, d2, ...] to [B, d1 * d2 * ...]. */
  private Integer flatten(Expr.Call c, int x) {
    Shape xs = s.graph.shape(x);
    if (xs.rank() < 2 || xs.dim(0) != Shape.BATCH) {
      s.error(ErrorCode.E10, c.args().get(0).pos(), "1", "flatten", "a batch of examples [B, ...], got " + xs);
      return null;
    }
    return o.reshape(x, Shape.of(Shape.BATCH, (int) xs.staticSize()));
  }

  /** Swaps the last two axes of each example; the batch dimension stays first. */
  private Integer transpose(Expr.Call c, int x) {
    Shape xs = s.graph.shape(x);
    int first = xs.rank() > 0 && xs.dim(0) == Shape.BATCH ? 1 : 0;
    if (xs.rank() - first < 2) {
      s.error(ErrorCode.E10, c.args().get(0).pos(), "1", "transpose", "a matrix per example (as [B, n, m]), got " + xs);
      return null;
    }
    List<Integer> perm = new ArrayList<>(Shape.allAxes(xs.rank()));
    java.util.Collections.swap(perm, xs.rank() - 1, xs.rank() - 2);
    return o.transpose(x, perm);
  }

  Integer withArgs(Expr.Call c, int min, int max, Set<String> options,
      Function<List<Integer>, Integer> body) {
    int n = c.args().size();
    if (n < min || n > max) {
      s.error(ErrorCode.E3, c.pos(), c.fn(), min == max ? String.valueOf(min) : min + " to " + max, n);
      return null;
    }
    for (String k : c.named().keySet()) {
      if (k.equals("activation") && !options.contains(k)) {
        keras(c);
      } else if (!options.contains(k)) {
        s.diag.unknown(ErrorCode.E8, c.nameAt(k), k, options, k, "'" + c.fn() + "'");
      }
    }
    List<Integer> args = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < Math.min(n, min); i++) {
      // lower every argument, so that each one's errors are reported
      Integer v = lower.apply(c.args().get(i));
      failed |= v == null;
      args.add(v);
    }
    if (failed) {
      return null;
    }
    s.graph.at(c.pos());
    try {
      return body.apply(args);
    } catch (ShapeException e) {
      // name the function the user called, not the primitive it lowers to
      throw new ShapeException(e.pos(), c.fn(), e.getMessage());
    }
  }

  /**
   * The Keras habit dense(x, 64, activation = tanh): one error that shows the call written as
   * bpnet reads it, tanh(dense(x, 64)); the value is not lowered, so nothing cascades from it.
   */
  private void keras(Expr.Call c) {
    Expr act = c.named().get("activation");
    String f = act instanceof Expr.Ref r ? r.name() : act instanceof Expr.Str str ? str.value() : "relu";
    Map<String, Expr> rest = new java.util.LinkedHashMap<>(c.named());
    rest.remove("activation");
    String bare = dev.bpnet.dsl.syntax.AstText.expr(new Expr.Call(c.fn(), c.args(), rest, c.pos()));
    s.diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E8, c.nameAt("activation"),
        ErrorCode.E8.format("activation", "'" + c.fn() + "'"),
        "an activation is a function applied to the layer: " + f + "(" + bare + ")"));
  }

  /** bias = yes | no (or 1 | 0, as dense takes it); yes when not given. Null after an error. */
  Boolean yesNo(Expr.Call c, String name) {
    Expr e = c.named().get(name);
    if (e == null) {
      return true;
    }
    if (e instanceof Expr.Ref r && (r.name().equals("yes") || r.name().equals("no"))) {
      return r.name().equals("yes");
    }
    if (e instanceof Expr.Num num && (num.value() == 0 || num.value() == 1)) {
      return num.value() == 1;
    }
    s.diag.unknown(ErrorCode.E7, e.pos(), e instanceof Expr.Ref r ? r.name() : "?", List.of("yes", "no"), name,
        "expected yes or no");
    return null;
  }

  /** A numeric option given positionally at {@code index} or by {@code name}, else the default. */
  double number(Expr.Call c, String name, int index, double dflt) {
    Expr e = c.named().get(name);
    if (e == null && index >= 0 && index < c.args().size()) {
      e = c.args().get(index);
    }
    if (e == null) {
      return dflt;
    }
    if (e instanceof Expr.Num num) {
      return num.value();
    }
    if (e instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num num) {
      return -num.value();
    }
    Double size = staticSize(e);
    if (size != null) {
      return size;
    }
    String got = e instanceof Expr.Ref r ? "the name '" + r.name() + "'" : "an expression";
    if (c.named().containsKey(name)) {
      s.error(ErrorCode.E7, e.pos(), name, "expected a number, got " + got);
    } else {
      s.error(ErrorCode.E10, e.pos(), String.valueOf(index + 1), c.fn(), "a number, not " + got);
    }
    return Double.NaN;
  }

  /**
   * size(x, axis = k) over axes without the batch dimension, which is known at compile time
   * (so that param(size(x, axis = 1), units) sizes a weight to its input); null otherwise.
   */
  private Double staticSize(Expr e) {
    if (!(e instanceof Expr.Call c) || !c.fn().equals("size") || c.args().size() != 1) {
      return null;
    }
    Integer x = lower.apply(c.args().get(0));
    if (x == null) {
      return null;
    }
    Shape sh = s.graph.shape(x);
    Integer axis = axis(c, "axis", sh.rank(), Integer.MIN_VALUE);
    if (axis == null) {
      return null;
    }
    List<Integer> axes = axis == Integer.MIN_VALUE ? Shape.allAxes(sh.rank()) : List.of(Shape.axis(axis, sh.rank()));
    double n = 1;
    for (int a : axes) {
      if (sh.dim(a) == Shape.BATCH) {
        return null;
      }
      n *= sh.dim(a);
    }
    return n;
  }

  /** A positive integer argument (units, dimensions), or null after reporting why not. */
  Integer positiveInt(Expr.Call c, int index, String what) {
    double d = number(c, "", index, -1);
    if (Double.isNaN(d)) {
      return null;
    }
    if (d < 1 || d != Math.rint(d) || d > 1 << 24) {
      s.error(ErrorCode.E10, c.args().get(index).pos(), String.valueOf(index + 1), c.fn(),
          what + " (a positive integer up to 16777216), got " + Shape.number(d));
      return null;
    }
    return (int) d;
  }

  /** An axis option within the rank of x (negative counts from the end), or null after an error. */
  private Integer axis(Expr.Call c, String name, int rank, int dflt) {
    Expr e = c.named().get(name);
    if (e == null) {
      return dflt;
    }
    double a = number(c, name, -1, Double.NaN);
    if (Double.isNaN(a)) {
      return null;
    }
    if (a != Math.rint(a) || a < -rank || a >= rank) {
      s.error(ErrorCode.E7, e.pos(), name, "must be an integer axis from " + (-rank) + " to " + (rank - 1)
          + " of a value of rank " + rank + ", got " + Shape.number(a));
      return null;
    }
    return (int) a;
  }
}
