package dev.bpnet.dsl.ir;

import java.util.Arrays;
import java.util.List;

/**
 * Element-wise arithmetic with numpy broadcasting: + - * / ^, negation, comparisons (1 where
 * true, 0 elsewhere), clamp and where. A host scalar operand stays a Java double: the emission
 * uses ND4J's scalar ops with it.
 */
public final class Arithmetic {
  private Arithmetic() {}

  /** Shared by the binary operators: shape rule, VJP helpers, emission, simplification. */
  public interface Binary extends HostScalar {
    /** ND4J's pairwise op class (tensor op tensor) in transforms.pairwise.arithmetic. */
    String pairwise();

    /** ND4J's scalar op class for tensor op scalar, and for scalar op tensor. */
    String scalar(boolean scalarRight);

    /** The infix symbol of comments. */
    String symbol();

    default Shape shape(List<Shape> in) {
      return broadcastAll(this, in);
    }

    default String math(List<String> a) {
      return a.get(0) + " " + symbol() + " " + a.get(1);
    }

    default String java(List<String> x) {
      return "(" + x.get(0) + " " + symbol() + " " + x.get(1) + ")";
    }

    default void emit(Emission e, Node n) {
      int l = n.input(0);
      int r = n.input(1);
      if (!e.isHost(l) && !e.isHost(r)) {
        e.exec(Emission.op("transforms.pairwise.arithmetic", pairwise()), "$N, $N, $N", e.name(l), e.name(r), e.out());
        return;
      }
      boolean scalarRight = e.isHost(r);
      e.exec(Emission.op("scalar", scalar(scalarRight)), "$N, null, $N, $L", e.name(scalarRight ? l : r), e.out(),
          e.host(scalarRight ? r : l));
    }

    default Integer simplify(GraphBuilder g, List<Integer> in) {
      return absorbBroadcast(g, this, in.get(0), in.get(1));
    }
  }

  public record Add() implements Binary {
    public String name() {
      return "add";
    }

    public void export(Export x, Node n) {
      x.same(n, "Add");
    }

    public String pairwise() {
      return "AddOp";
    }

    public String scalar(boolean right) {
      return "ScalarAdd";
    }

    public String symbol() {
      return "+";
    }

    public double apply(double... x) {
      return x[0] + x[1];
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return Arrays.asList(o.sumTo(ct, o.shape(n.input(0))), o.sumTo(ct, o.shape(n.input(1))));
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      int a = in.get(0);
      int b = in.get(1);
      if (a == b && !g.isHost(a)) {
        return g.add(new Mul(), a, g.constant(2));
      }
      Integer id = identity(g, a, b, 0);
      if (id == null) {
        id = identity(g, b, a, 0);
      }
      return id != null ? id : Binary.super.simplify(g, in);
    }

    public String hostMath(List<String> x) {
      return "(" + x.get(0) + " + " + x.get(1) + ")";
    }
  }

  public record Sub() implements Binary {
    public String name() {
      return "sub";
    }

    public void export(Export x, Node n) {
      x.same(n, "Sub");
    }

    public String pairwise() {
      return "SubOp";
    }

    public String scalar(boolean right) {
      return right ? "ScalarSubtraction" : "ScalarReverseSubtraction";
    }

    public String symbol() {
      return "-";
    }

    public double apply(double... x) {
      return x[0] - x[1];
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return Arrays.asList(o.sumTo(ct, o.shape(n.input(0))), o.sumTo(o.neg(ct), o.shape(n.input(1))));
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Integer id = identity(g, in.get(0), in.get(1), 0);
      return id != null ? id : Binary.super.simplify(g, in);
    }

    public String hostMath(List<String> x) {
      return "(" + x.get(0) + " - " + x.get(1) + ")";
    }
  }

  public record Mul() implements Binary {
    public String name() {
      return "mul";
    }

    public void export(Export x, Node n) {
      x.same(n, "Mul");
    }

    public String pairwise() {
      return "MulOp";
    }

    public String scalar(boolean right) {
      return "ScalarMultiplication";
    }

    public String symbol() {
      return "*";
    }

    public double apply(double... x) {
      return x[0] * x[1];
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int a = n.input(0);
      int b = n.input(1);
      return Arrays.asList(o.sumTo(o.mul(ct, b), o.shape(a)), o.sumTo(o.mul(ct, a), o.shape(b)));
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      int a = in.get(0);
      int b = in.get(1);
      Node x = g.node(a);
      // (t * s1) * s2 = t * (s1 * s2) for host scalars s1, s2: host factors gather and fold
      if (g.isHost(b) && x.op() instanceof Mul && g.isHost(x.input(1)) && (!g.isHost(a) || isConst(g, b))) {
        return g.add(this, x.input(0), g.add(this, x.input(1), b));
      }
      // the scalar goes right, where the scalar ops take it
      if (g.isHost(a) && !g.isHost(b)) {
        return g.add(this, b, a);
      }
      Integer id = identity(g, a, b, 1);
      if (id == null) {
        id = identity(g, b, a, 1);
      }
      return id != null ? id : Binary.super.simplify(g, in);
    }

    public String hostMath(List<String> x) {
      return x.get(0) + "*" + x.get(1);
    }
  }

  public record Div() implements Binary {
    public String name() {
      return "div";
    }

    public void export(Export x, Node n) {
      x.same(n, "Div");
    }

    public String pairwise() {
      return "DivOp";
    }

    public String scalar(boolean right) {
      return right ? "ScalarDivision" : "ScalarReverseDivision";
    }

    public String symbol() {
      return "/";
    }

    public double apply(double... x) {
      return x[0] / x[1];
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int a = n.input(0);
      int b = n.input(1);
      return Arrays.asList(o.sumTo(o.div(ct, b), o.shape(a)), o.sumTo(o.neg(o.div(o.mul(ct, n.id()), b)), o.shape(b)));
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Integer id = identity(g, in.get(0), in.get(1), 1);
      return id != null ? id : Binary.super.simplify(g, in);
    }

    public String hostMath(List<String> x) {
      return x.get(0) + "/" + x.get(1);
    }
  }

  public record Pow() implements Binary {
    public String name() {
      return "pow";
    }

    public void export(Export x, Node n) {
      x.same(n, "Pow");
    }

    public String pairwise() {
      return "PowPairwise";
    }

    public String scalar(boolean right) {
      return "Pow";
    }

    public String symbol() {
      return "^";
    }

    public double apply(double... x) {
      return Math.pow(x[0], x[1]);
    }

    public String java(List<String> x) {
      return "Math.pow(" + x.get(0) + ", " + x.get(1) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int a = n.input(0);
      int b = n.input(1);
      return Arrays.asList(o.sumTo(o.mul(ct, o.mul(b, o.pow(a, o.sub(b, o.c(1))))), o.shape(a)),
          o.sumTo(o.mul(ct, o.mul(n.id(), o.log(a))), o.shape(b)));
    }

    public void emit(Emission e, Node n) {
      int l = n.input(0);
      int r = n.input(1);
      if (!e.isHost(l) && !e.isHost(r)) {
        Binary.super.emit(e, n);
      } else if (e.isHost(r)) {
        e.exec(Emission.op("scalar", "Pow"), "$N, $N, $L", e.name(l), e.out(), e.host(r));
      } else {
        // s^t = exp(t ln s)
        e.exec(Emission.op("scalar", "ScalarMultiplication"), "$N, null, $N, Math.log($L)", e.name(r), e.out(), e.host(l));
        e.exec(Emission.op("transforms.strict", "Exp"), "$N, $N", e.out(), e.out());
      }
    }
  }

  /** The comparisons: 1 where true, 0 where false; their gradient is zero almost everywhere. */
  public enum Cmp { GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");
    final String symbol;

    Cmp(String symbol) {
      this.symbol = symbol;
    }
  }

  public record Compare(Cmp cmp) implements HostScalar {
    public String name() {
      return cmp.name().toLowerCase(java.util.Locale.ROOT);
    }

    public void export(Export x, Node n) {
      String a = x.in(n, 0);
      String b = x.in(n, 1);
      String t = switch (cmp) {
        case GT -> x.node("Greater", List.of(a, b), java.util.Map.of());
        case GE -> x.node("GreaterOrEqual", List.of(a, b), java.util.Map.of());
        case LT -> x.node("Less", List.of(a, b), java.util.Map.of());
        case LE -> x.node("LessOrEqual", List.of(a, b), java.util.Map.of());
        case EQ -> x.node("Equal", List.of(a, b), java.util.Map.of());
        case NE -> x.node("Not", List.of(x.node("Equal", List.of(a, b), java.util.Map.of())), java.util.Map.of());
      };
      x.node("Cast", List.of(t), x.out(n), java.util.Map.of("to", x.elementType()));
    }

    public Shape shape(List<Shape> in) {
      return broadcastAll(this, in);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(null, null);
    }

    public void emit(Emission e, Node n) {
      e.step("$T.compare($T.$L, $L, $L, $N)", Emission.KERNELS, Emission.KERNELS.nestedClass("Cmp"), cmp.name(),
          e.operand(n.input(0)), e.operand(n.input(1)), e.out());
    }

    public String math(List<String> a) {
      return "[" + a.get(0) + " " + cmp.symbol + " " + a.get(1) + "]";
    }

    public double apply(double... x) {
      boolean t = switch (cmp) {
        case GT -> x[0] > x[1];
        case GE -> x[0] >= x[1];
        case LT -> x[0] < x[1];
        case LE -> x[0] <= x[1];
        case EQ -> x[0] == x[1];
        case NE -> x[0] != x[1];
      };
      return t ? 1 : 0;
    }

    public String java(List<String> x) {
      return "(" + x.get(0) + " " + cmp.symbol + " " + x.get(1) + " ? 1.0 : 0.0)";
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      return absorbBroadcast(g, this, in.get(0), in.get(1));
    }
  }

  public record Neg() implements HostScalar {
    public String name() {
      return "neg";
    }

    public void export(Export x, Node n) {
      x.same(n, "Neg");
    }

    public Shape shape(List<Shape> in) {
      return in.get(0);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().neg(ct));
    }

    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.same", "Negative"), "$N, $N", e.tensor(n.input(0)), e.out());
    }

    public String math(List<String> a) {
      return "-" + a.get(0);
    }

    public double apply(double... x) {
      return -x[0];
    }

    public String java(List<String> x) {
      return "(-" + x.get(0) + ")";
    }

    public String hostMath(List<String> x) {
      return "-" + x.get(0);
    }

    public Integer simplify(GraphBuilder g, List<Integer> in) {
      Node x = g.node(in.get(0));
      return x.op() instanceof Neg ? x.input(0) : null;
    }
  }

  /**
   * The larger (max) or smaller (min) of two values, element-wise; at a tie the gradient goes to
   * the first operand. ND4J's pairwise forms are custom ops (transforms.custom), not arithmetic.
   */
  public record Extremum(boolean max) implements Binary {
    public String name() {
      return max ? "max" : "min";
    }

    public void export(Export x, Node n) {
      x.same(n, max ? "Max" : "Min");
    }

    public String pairwise() {
      return max ? "Max" : "Min";
    }

    public String scalar(boolean right) {
      return max ? "ScalarMax" : "ScalarMin";
    }

    public String symbol() {
      return name();
    }

    public String math(List<String> a) {
      return name() + "(" + a.get(0) + ", " + a.get(1) + ")";
    }

    public String java(List<String> x) {
      return "Math." + name() + "(" + x.get(0) + ", " + x.get(1) + ")";
    }

    public String hostMath(List<String> x) {
      return math(x);
    }

    public double apply(double... x) {
      return max ? Math.max(x[0], x[1]) : Math.min(x[0], x[1]);
    }

    public void emit(Emission e, Node n) {
      int l = n.input(0);
      int r = n.input(1);
      if (!e.isHost(l) && !e.isHost(r)) {
        e.exec(Emission.op("transforms.custom", pairwise()), "$N, $N, $N", e.name(l), e.name(r), e.out());
        return;
      }
      boolean scalarRight = e.isHost(r);  // max and min are symmetric: the scalar may be either operand
      e.exec(Emission.op("scalar", scalar(scalarRight)), "$N, null, $N, $L", e.name(scalarRight ? l : r), e.out(),
          e.host(scalarRight ? r : l));
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int a = n.input(0);
      int b = n.input(1);
      // a wins where a >= b (max) or a <= b (min), ties included; b takes the rest
      int toA = o.compare(max ? Cmp.GE : Cmp.LE, a, b);
      int toB = o.sub(o.c(1), toA);
      return Arrays.asList(o.sumTo(o.mul(ct, toA), o.shape(a)), o.sumTo(o.mul(ct, toB), o.shape(b)));
    }
  }

  /** min(max(x, lo), hi); the gradient goes to whichever operand the value came from. */
  public record Clamp() implements HostScalar {
    public String name() {
      return "clamp";
    }

    public double apply(double... x) {
      return Math.min(Math.max(x[0], x[1]), x[2]);
    }

    public String java(List<String> x) {
      return "Math.min(Math.max(" + x.get(0) + ", " + x.get(1) + "), " + x.get(2) + ")";
    }

    public String hostMath(List<String> x) {
      return math(x);
    }

    public void export(Export x, Node n) {
      String m = x.node("Max", List.of(x.in(n, 0), x.in(n, 1)), java.util.Map.of());
      x.node("Min", List.of(m, x.in(n, 2)), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      return broadcastAll(this, in);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int x = n.input(0);
      int lo = n.input(1);
      int hi = n.input(2);
      // y = min(m, hi) with m = max(x, lo): m <= hi exactly where x <= hi and lo <= hi
      int belowHi = o.mul(o.compare(Cmp.LE, x, hi), o.compare(Cmp.LE, lo, hi));
      int toX = o.mul(o.compare(Cmp.GE, x, lo), belowHi);
      int toLo = o.mul(o.compare(Cmp.LT, x, lo), belowHi);
      int toHi = o.sub(o.c(1), belowHi);
      return Arrays.asList(o.sumTo(o.mul(ct, toX), o.shape(x)), o.sumTo(o.mul(ct, toLo), o.shape(lo)),
          o.sumTo(o.mul(ct, toHi), o.shape(hi)));
    }

    public void emit(Emission e, Node n) {
      if (e.isHost(n.input(1)) && e.isHost(n.input(2))) {
        e.step("$T.clamp($N, $L, $L, $N)", Emission.KERNELS, e.tensor(n.input(0)), e.host(n.input(1)), e.host(n.input(2)), e.out());
      } else {
        e.step("$T.clamp($N, $N, $N, $N)", Emission.KERNELS, e.tensor(n.input(0)), e.tensor(n.input(1)), e.tensor(n.input(2)), e.out());
      }
    }

    public String math(List<String> a) {
      return "clamp(" + String.join(", ", a) + ")";
    }
  }

  /**
   * c != 0 ? a : b, a true select (the untaken side may be infinite); the lowering broadcasts
   * every operand to the result's shape first.
   */
  public record Where() implements HostScalar {
    public String name() {
      return "where";
    }

    public double apply(double... x) {
      return x[0] != 0 ? x[1] : x[2];
    }

    public String java(List<String> x) {
      return "(" + x.get(0) + " != 0 ? " + x.get(1) + " : " + x.get(2) + ")";
    }

    public String hostMath(List<String> x) {
      return math(x);
    }

    public void export(Export x, Node n) {
      // ONNX selects on booleans: c != 0, as the IR reads it
      String c = x.node("Cast", List.of(x.in(n, 0)), java.util.Map.of("to", Export.BOOL));
      x.node("Where", List.of(c, x.in(n, 1), x.in(n, 2)), x.out(n), java.util.Map.of());
    }

    public Shape shape(List<Shape> in) {
      return broadcastAll(this, in);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      Shape s = o.shape(ct);
      int zero = o.broadcast(o.c(0), s);
      return Arrays.asList(null, o.sumTo(o.where(n.input(0), ct, zero), o.shape(n.input(1))),
          o.sumTo(o.where(n.input(0), zero, ct), o.shape(n.input(2))));
    }

    public void emit(Emission e, Node n) {
      e.step("$T.where($N, $N, $N, $N)", Emission.KERNELS, e.tensor(n.input(0)), e.tensor(n.input(1)), e.tensor(n.input(2)), e.out());
    }

    public String math(List<String> a) {
      return a.get(0) + " ? " + a.get(1) + " : " + a.get(2);
    }
  }

  /** Numpy broadcasting of every input shape. */
  static Shape broadcastAll(Primitive p, List<Shape> in) {
    Shape s = in.get(0);
    for (int i = 1; i < in.size(); i++) {
      Shape b = Shape.broadcast(s, in.get(i));
      if (b == null) {
        throw p.shapeError("shapes " + s + " and " + in.get(i) + " do not broadcast");
      }
      s = b;
    }
    return s;
  }

  /** x op neutral = x when x keeps the result's shape (x + 0, x * 1, x / 1). */
  private static Integer identity(GraphBuilder g, int x, int neutral, double value) {
    Shape out = Shape.broadcast(g.shape(x), g.shape(neutral));
    return isConst(g, neutral, value) && g.shape(x).equals(out) ? x : null;
  }

  private static boolean isConst(GraphBuilder g, int id, double v) {
    return g.node(id).op() instanceof Leaves.Const c && c.value() == v;
  }

  private static boolean isConst(GraphBuilder g, int id) {
    return g.node(id).op() instanceof Leaves.Const;
  }

  /** A broadcast feeding a broadcasting op is redundant when the result keeps its shape. */
  static Integer absorbBroadcast(GraphBuilder g, Primitive op, int a, int b) {
    Node x = g.node(a);
    Node y = g.node(b);
    Shape out = Shape.broadcast(x.shape(), y.shape());
    if (out != null && x.op() instanceof Layouts.Broadcast && out.equals(Shape.broadcast(g.shape(x.input(0)), y.shape()))) {
      return g.add(op, x.input(0), b);
    }
    if (out != null && y.op() instanceof Layouts.Broadcast && out.equals(Shape.broadcast(x.shape(), g.shape(y.input(0))))) {
      return g.add(op, a, y.input(0));
    }
    return null;
  }

  /** The walk test's applications of this family. */
  /**
   * dropout(x, mask) = x * mask, with mask a step's {@link Leaves.DropoutMask} (in the samples,
   * any 0/1 mask): the mask is a constant of the step, so the VJP is ct * mask and the third pass
   * differentiates through the multiplication like any other. Exported as the identity: at
   * inference the mask is all ones.
   */
  public record Dropout() implements Primitive {
    public String name() {
      return "dropout";
    }

    public Shape shape(List<Shape> in) {
      if (!in.get(0).equals(in.get(1))) {
        throw shapeError("the mask must have the value's shape, got " + in.get(0) + " and " + in.get(1));
      }
      return in.get(0);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(d.ops().mul(ct, n.input(1)), null);
    }

    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.pairwise.arithmetic", "MulOp"), "$N, $N, $N", e.name(n.input(0)),
          e.name(n.input(1)), e.out());
    }

    public void export(Export x, Node n) {
      x.alias(n, x.in(n, 0));
    }

    public String math(List<String> a) {
      return a.get(0) + " * " + a.get(1);
    }
  }

  static List<Primitives.Sample> samples(int rank) {
    Shape s = Primitives.batch(rank);
    Shape example = new Shape(s.dims().subList(1, s.rank()));
    Primitives.Operand x = Primitives.Operand.of(s);
    Primitives.Operand pos = Primitives.Operand.positive(s);
    List<Primitives.Sample> l = new java.util.ArrayList<>(List.of(
        Primitives.Sample.of(new Add(), x, x), Primitives.Sample.of(new Add(), x, Primitives.Operand.of(example)),
        Primitives.Sample.of(new Add(), x, Primitives.Operand.constant(0.5)),
        Primitives.Sample.of(new Sub(), x, x), Primitives.Sample.of(new Sub(), Primitives.Operand.constant(1), x),
        Primitives.Sample.of(new Mul(), x, x), Primitives.Sample.of(new Mul(), x, Primitives.Operand.constant(1.5)),
        Primitives.Sample.of(new Div(), x, pos), Primitives.Sample.of(new Div(), Primitives.Operand.constant(1), pos),
        Primitives.Sample.of(new Pow(), pos, x), Primitives.Sample.of(new Pow(), pos, Primitives.Operand.constant(3)),
        Primitives.Sample.of(new Pow(), Primitives.Operand.constant(2), x),
        Primitives.Sample.of(new Neg(), x),
        Primitives.Sample.of(new Clamp(), x, Primitives.Operand.constant(-0.5), Primitives.Operand.constant(0.5)),
        Primitives.Sample.of(new Clamp(), x, x, pos),
        Primitives.Sample.of(new Where(), Primitives.Operand.mask(s), x, x),
        Primitives.Sample.of(new Extremum(true), x, x), Primitives.Sample.of(new Extremum(false), x, x),
        Primitives.Sample.of(new Extremum(true), x, Primitives.Operand.constant(0.3)),
        Primitives.Sample.of(new Extremum(false), Primitives.Operand.constant(0.3), x),
        Primitives.Sample.of(new Extremum(true), x, Primitives.Operand.of(example)),
        Primitives.Sample.of(new Dropout(), x, Primitives.Operand.mask(s))));
    for (Cmp c : Cmp.values()) {
      l.add(Primitives.Sample.of(new Compare(c), x, x));
    }
    // constants a float cannot hold: an ND4J op that took its scalar as a float would be off by 1e-8
    Primitives.Operand c = Primitives.Operand.constant(0.3);
    l.addAll(List.of(Primitives.Sample.of(new Add(), x, c), Primitives.Sample.of(new Sub(), c, x),
        Primitives.Sample.of(new Mul(), x, c), Primitives.Sample.of(new Div(), c, pos),
        Primitives.Sample.of(new Div(), x, c), Primitives.Sample.of(new Pow(), pos, Primitives.Operand.constant(2.3)),
        Primitives.Sample.of(new Pow(), Primitives.Operand.constant(2.3), x),
        Primitives.Sample.of(new Clamp(), x, Primitives.Operand.constant(-0.3), Primitives.Operand.constant(0.7))));
    for (Cmp cmp : Cmp.values()) {
      l.add(Primitives.Sample.of(new Compare(cmp), x, c));
    }
    return l;
  }
}
