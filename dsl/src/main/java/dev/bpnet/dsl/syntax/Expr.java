package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;
import java.util.Map;

/** Expressions of the model language: what both front ends (and the builder API) produce. */
public sealed interface Expr {
  Pos pos();

  /** A reference to an input, label or named value. */
  record Ref(String name, Pos pos) implements Expr {}

  /** A numeric literal. */
  record Num(double value, Pos pos) implements Expr {}

  /** A string literal: only option values (a data directory) take strings. */
  record Str(String value, Pos pos) implements Expr {}

  /** A call of a layer, activation, loss or math function, with positional and named args. */
  record Call(String fn, List<Expr> args, Map<String, Expr> named, Pos pos) implements Expr {
    public Call {
      args = List.copyOf(args);
      named = Map.copyOf(named);
    }
  }

  /** An infix operator: + - * / ^ and the comparisons &lt; &lt;= &gt; &gt;= == !=. */
  record Binary(String op, Expr left, Expr right, Pos pos) implements Expr {}

  /** Unary minus. */
  record Neg(Expr operand, Pos pos) implements Expr {}
}
