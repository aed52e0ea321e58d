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

  /**
   * A call of a layer, activation, loss or math function, with positional and named args
   * (in source order) and where each argument's name was written.
   */
  record Call(String fn, List<Expr> args, Map<String, Expr> named, Map<String, Pos> namePos, Pos pos)
      implements Expr {
    public Call {
      args = List.copyOf(args);
      named = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(named));
      namePos = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(namePos));
    }

    /** A call whose argument names are positioned at their values (builder-made calls). */
    public Call(String fn, List<Expr> args, Map<String, Expr> named, Pos pos) {
      this(fn, args, named, positions(named), pos);
    }

    private static Map<String, Pos> positions(Map<String, Expr> named) {
      Map<String, Pos> m = new java.util.LinkedHashMap<>();
      named.forEach((k, v) -> m.put(k, v.pos()));
      return m;
    }

    /** Where the name of named argument {@code k} was written. */
    public Pos nameAt(String k) {
      return namePos.getOrDefault(k, named.get(k).pos());
    }
  }

  /** An infix operator: + - * / ^ and the comparisons &lt; &lt;= &gt; &gt;= == !=. */
  record Binary(String op, Expr left, Expr right, Pos pos) implements Expr {}

  /** Unary minus. */
  record Neg(Expr operand, Pos pos) implements Expr {}
}
