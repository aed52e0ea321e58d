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
    if (numbers.isEmpty()) {
      return e;
    }
    if (e instanceof Expr.Ref r && numbers.containsKey(r.name())) {
      return new Expr.Num(numbers.get(r.name()), r.pos());
    } else if (e instanceof Expr.Neg n) {
      return new Expr.Neg(numbers(n.operand(), numbers), n.pos());
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), numbers(b.left(), numbers), numbers(b.right(), numbers), b.pos());
    } else if (e instanceof Expr.Call c) {
      Map<String, Expr> named = new LinkedHashMap<>();
      c.named().forEach((k, v) -> named.put(k, numbers(v, numbers)));
      return new Expr.Call(c.fn(), c.args().stream().map(a -> numbers(a, numbers)).toList(), named, c.namePos(), c.pos());
    }
    return e;
  }
}
