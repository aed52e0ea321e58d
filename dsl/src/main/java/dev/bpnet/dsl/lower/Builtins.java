package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Attrs;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The functions a model may call: layers, activations, math and losses. Each entry checks
 * its arity and options, then lowers to IR primitives.
 */
final class Builtins {
  private static final Map<String, Op> UNARY = Map.of("sigmoid", Op.SIGMOID, "tanh", Op.TANH,
      "relu", Op.RELU, "exp", Op.EXP, "log", Op.LOG, "sqrt", Op.SQRT,
      "stop_gradient", Op.STOP_GRADIENT, "neg", Op.NEG);

  /** Every function a model may call, for "did you mean". */
  static final java.util.SortedSet<String> NAMES = new java.util.TreeSet<>(java.util.List.of(
      "dense", "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "exp", "log",
      "sqrt", "pow", "neg", "matmul", "transpose", "reshape", "clamp", "where", "sum", "mean",
      "stop_gradient", "softmax_cross_entropy", "mse", "hinge", "param", "bias_add", "sigmoid_bp",
      "tanh_bp", "relu_bp", "leaky_relu_bp", "size"));

  private final Scope s;
  private final Ops o;
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
    if (UNARY.containsKey(fn)) {
      return unary(c, UNARY.get(fn));
    }
    return switch (fn) {
      case "dense" -> dense(c);
      case "leaky_relu" -> withArgs(c, 1, 2, Set.of("slope"), a -> activate(
          o.leakyRelu(a.get(0), number(c, "slope", 1, 0.01)), a.get(0), 2.0));
      case "softmax", "log_softmax" -> withArgs(c, 1, 1, Set.of("axis"), a -> {
        int axis = (int) number(c, "axis", -1, -1);
        return fn.equals("softmax") ? o.softmax(a.get(0), axis) : o.logSoftmax(a.get(0), axis);
      });
      case "pow" -> withArgs(c, 2, 2, Set.of(), a -> s.graph.add(Op.POW, a.get(0), a.get(1)));
      case "bias_add" -> withArgs(c, 2, 2, Set.of(), a -> s.graph.add(Op.BIAS_ADD, a.get(0), a.get(1)));
      case "sigmoid_bp" -> withArgs(c, 2, 2, Set.of(), a -> s.graph.add(Op.SIGMOID_BP, a.get(0), a.get(1)));
      case "tanh_bp" -> withArgs(c, 2, 2, Set.of(), a -> s.graph.add(Op.TANH_BP, a.get(0), a.get(1)));
      case "relu_bp" -> withArgs(c, 2, 2, Set.of(), a -> s.graph.add(Op.RELU_BP, a.get(0), a.get(1)));
      case "leaky_relu_bp" -> withArgs(c, 2, 3, Set.of("slope"), a -> o.leakyReluBp(a.get(0), a.get(1), number(c, "slope", 2, 0.01)));
      case "param" -> param(c);
      case "size" -> withArgs(c, 1, 1, Set.of("axis"), a -> {
        int rank = s.graph.shape(a.get(0)).rank();
        double axis = number(c, "axis", -1, Double.NaN);
        return o.size(a.get(0), Double.isNaN(axis) ? Ops.allAxes(rank) : List.of(Ops.axis((int) axis, rank)));
      });
      case "matmul" -> withArgs(c, 2, 2, Set.of(), a -> o.matmul(a.get(0), a.get(1), false, false));
      case "clamp" -> withArgs(c, 3, 3, Set.of(), a -> s.graph.add(Op.CLAMP, a.get(0), a.get(1), a.get(2)));
      case "where" -> withArgs(c, 3, 3, Set.of(), a -> s.graph.add(Op.WHERE, a.get(0), a.get(1), a.get(2)));
      case "sum", "mean" -> withArgs(c, 1, 1, Set.of("axis", "keepdims"), a -> reduce(c, a.get(0)));
      case "transpose" -> withArgs(c, 1, 1, Set.of(), a -> transpose(a.get(0)));
      case "reshape" -> withArgs(c, 2, 8, Set.of(), a -> reshape(c, a.get(0)));
      case "softmax_cross_entropy" -> withArgs(c, 2, 2, Set.of(), a -> losses.softmaxCrossEntropy(a.get(0), a.get(1)));
      case "mse" -> withArgs(c, 2, 2, Set.of(), a -> losses.meanSquaredError(a.get(0), a.get(1)));
      case "hinge" -> withArgs(c, 2, 2, Set.of(), a -> losses.multiclassHinge(a.get(0), a.get(1)));
      default -> {
        s.diag.unknown(ErrorCode.E2, c.pos(), fn, NAMES, fn);
        yield null;
      }
    };
  }

  private Integer unary(Expr.Call c, Op op) {
    return withArgs(c, 1, 1, Set.of(), a -> activate(o.unary(op, a.get(0)), a.get(0),
        op == Op.RELU ? 2.0 : 1.0));
  }

  /** Records the gain of the dense layer an activation follows (2 for ReLU-like units). */
  private int activate(int out, int in, double gain) {
    Integer w = s.denseWeight.get(in);
    if (w != null) {
      s.params.set(w, s.params.get(w).withGain(gain));
    }
    return out;
  }

  private Integer dense(Expr.Call c) {
    return withArgs(c, 2, 2, Set.of("bias"), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      int units = (int) constant(c, 1);
      if (units <= 0) {
        s.error(ErrorCode.E10, c.args().get(1).pos(), "2", "dense", "a positive integer number of units");
        return null;
      }
      if (xs.rank() != 2) {
        s.error(ErrorCode.E4, c.pos(), "dense", "its input must be [B, n], got " + xs);
        return null;
      }
      int in = xs.dim(1);
      int w = s.param("W", Shape.of(in, units), s.train.init(), in, units);
      int wIndex = s.params.size() - 1;
      int z = s.graph.label(o.matmul(x, w, false, false), s.owner + ".xW");
      if (number(c, "bias", -1, 1) != 0) {
        int b = s.param("b", Shape.of(units), "zeros", in, units);
        z = s.graph.add(Op.BIAS_ADD, z, b);
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
    if (c.args().isEmpty()) {
      s.error(ErrorCode.E3, c.pos(), "param", "at least 1", 0);
      return null;
    }
    for (String k : c.named().keySet()) {
      if (!k.equals("init")) {
        s.diag.unknown(ErrorCode.E8, c.named().get(k).pos(), k, Set.of("init"), k, "'param'");
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < c.args().size(); i++) {
      double d = number(c, "dim" + i, i, -1);
      if (d < 1 || d != Math.rint(d)) {
        s.error(ErrorCode.E10, c.args().get(i).pos(), String.valueOf(i + 1), "param", "a positive integer dimension");
        return null;
      }
      dims.add((int) d);
    }
    String init = dims.size() == 1 ? "zeros" : s.train.init();
    Expr e = c.named().get("init");
    if (e != null) {
      List<String> known = List.of("xavier", "kaiming", "three_pass", "zeros");
      if (e instanceof Expr.Ref r && known.contains(r.name())) {
        init = r.name();
      } else {
        s.diag.unknown(ErrorCode.E7, e.pos(), e instanceof Expr.Ref r ? r.name() : "?", known, "init",
            "expected one of " + String.join(", ", known));
        return null;
      }
    }
    Shape shape = new Shape(dims);
    int fanIn = dims.size() == 1 ? dims.get(0) : (int) (shape.staticSize() / dims.get(dims.size() - 1));
    int fanOut = dims.get(dims.size() - 1);
    return s.namedParam(shape, init, fanIn, fanOut);
  }

  private Integer reduce(Expr.Call c, int x) {
    int rank = s.graph.shape(x).rank();
    double axis = number(c, "axis", -1, Double.NaN);
    List<Integer> axes = Double.isNaN(axis) ? Ops.allAxes(rank) : List.of(Ops.axis((int) axis, rank));
    boolean keep = number(c, "keepdims", -1, 0) != 0;
    return c.fn().equals("sum") ? o.sum(x, axes, keep) : o.mean(x, axes, keep);
  }

  /** reshape(x, d1, d2, ...): a new per-example shape; the batch dimension stays first. */
  private Integer reshape(Expr.Call c, int x) {
    List<Integer> dims = new ArrayList<>();
    for (int i = 1; i < c.args().size(); i++) {
      double d = number(c, "dim" + i, i, -1);
      if (d < 1 || d != Math.rint(d)) {
        s.error(ErrorCode.E10, c.args().get(i).pos(), String.valueOf(i + 1), "reshape", "a positive integer dimension");
        return null;
      }
      dims.add((int) d);
    }
    return o.reshape(x, Shape.batchOf(dims));
  }

  private int transpose(int x) {
    int rank = s.graph.shape(x).rank();
    List<Integer> perm = new ArrayList<>(Ops.allAxes(rank));
    java.util.Collections.reverse(perm);
    return s.graph.add(Op.TRANSPOSE, List.of(x), Attrs.ints(perm));
  }

  private Integer withArgs(Expr.Call c, int min, int max, Set<String> options,
      Function<List<Integer>, Integer> body) {
    int n = c.args().size();
    if (n < min || n > max) {
      s.error(ErrorCode.E3, c.pos(), c.fn(), min == max ? String.valueOf(min) : min + " to " + max, n);
      return null;
    }
    for (String k : c.named().keySet()) {
      if (!options.contains(k)) {
        s.diag.unknown(ErrorCode.E8, c.named().get(k).pos(), k, options, k, "'" + c.fn() + "'");
      }
    }
    List<Integer> args = new ArrayList<>();
    for (int i = 0; i < Math.min(n, min); i++) {
      Integer v = lower.apply(c.args().get(i));
      if (v == null) {
        return null;
      }
      args.add(v);
    }
    s.graph.at(c.pos());
    return body.apply(args);
  }

  /** A numeric option given positionally at {@code index} or by {@code name}, else the default. */
  private double number(Expr.Call c, String name, int index, double dflt) {
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
    s.error(ErrorCode.E7, e.pos(), name, "expected a number");
    return dflt;
  }

  private double constant(Expr.Call c, int index) {
    return number(c, "arg" + index, index, -1);
  }
}
