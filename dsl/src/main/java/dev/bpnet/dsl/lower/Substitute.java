package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.syntax.Expr;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replaces the names of a layer's number arguments with their values in its body, so that
 * they can size parameters ({@code param(size(x, axis = 1), units)}), which take literals.
 */
final class Substitute {
  private Substitute() {}

  static Expr numbers(Expr e, Map<String, Double> numbers) {
    return numbers(e, numbers, Map.of());
  }

  /**
   * As {@link #numbers(Expr, Map)}, with each number placed where {@code at} says (the call's
   * argument) rather than at its name in the body: an error about the number is the caller's.
   */
  static Expr numbers(Expr e, Map<String, Double> numbers, Map<String, dev.bpnet.dsl.diag.Pos> at) {
    if (numbers.isEmpty()) {
      return e;
    }
    if (e instanceof Expr.Ref r && numbers.containsKey(r.name())) {
      return new Expr.Num(numbers.get(r.name()), at.getOrDefault(r.name(), r.pos()));
    } else if (e instanceof Expr.Neg n) {
      return new Expr.Neg(numbers(n.operand(), numbers, at), n.pos());
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), numbers(b.left(), numbers, at), numbers(b.right(), numbers, at), b.pos());
    } else if (e instanceof Expr.Call c) {
      Map<String, Expr> named = new LinkedHashMap<>();
      c.named().forEach((k, v) -> named.put(k, numbers(v, numbers, at)));
      return new Expr.Call(c.fn(), c.args().stream().map(a -> numbers(a, numbers, at)).toList(), named, c.namePos(), c.pos());
    }
    return e;
  }
}
