package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.syntax.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code params(...)}: several parameters at once, for regularisers over all weights. The
 * parameters have different shapes, so the set is no tensor: it may stand only inside a
 * {@code sum} over all axes, which it turns into one sum per parameter, added up:
 * {@code sum(params(W) ^ 2)} is {@code sum(h.W ^ 2) + sum(logits.W ^ 2)}. Each term is an ordinary
 * expression of one parameter, so gradients (and the third pass) reach every parameter as they
 * reach {@code h.W}.
 *
 * <p>{@code params()} is every trained parameter; {@code params(W, b)} those whose name, or the
 * last part of it ({@code W} of {@code h.W}), is one of the names given. Fixed and following
 * feedback matrices are left out: they are not trained by their gradient.
 */
final class ParamSets {
  static final String NAME = "params";

  private ParamSets() {}

  /** The params(...) calls within {@code e}, in source order. */
  static List<Expr.Call> find(Expr e) {
    List<Expr.Call> out = new ArrayList<>();
    walk(e, out);
    return out;
  }

  private static void walk(Expr e, List<Expr.Call> out) {
    if (e instanceof Expr.Call c) {
      if (c.fn().equals(NAME)) {
        out.add(c);
        return;
      }
      c.args().forEach(a -> walk(a, out));
      c.named().values().forEach(a -> walk(a, out));
    } else if (e instanceof Expr.Binary b) {
      walk(b.left(), out);
      walk(b.right(), out);
    } else if (e instanceof Expr.Neg n) {
      walk(n.operand(), out);
    }
  }

  /** {@code e} with the call {@code set} (the very object) replaced by {@code by}. */
  static Expr replace(Expr e, Expr.Call set, Expr by) {
    if (e == set) {
      return by;
    } else if (e instanceof Expr.Neg n) {
      return new Expr.Neg(replace(n.operand(), set, by), n.pos());
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), replace(b.left(), set, by), replace(b.right(), set, by), b.pos());
    } else if (e instanceof Expr.Call c) {
      Map<String, Expr> named = new LinkedHashMap<>();
      c.named().forEach((k, v) -> named.put(k, replace(v, set, by)));
      return new Expr.Call(c.fn(), c.args().stream().map(a -> replace(a, set, by)).toList(), named, c.namePos(), c.pos());
    }
    return e;
  }

  /** How the call is written, for messages: params(W, b). */
  static String text(Expr.Call set) {
    return NAME + "(" + String.join(", ", set.args().stream().map(a -> a instanceof Expr.Ref r ? r.name() : "...").toList()) + ")";
  }

  /**
   * {@code sum(E)} where E holds one params(...) call: the sum of {@code sum(E)} with each matching
   * parameter in its place; null after reporting an error.
   *
   * @param resolveAll lowers every value of the model, so that every parameter exists
   * @param lower lowers an expression
   */
  static Integer sum(Scope s, Expr.Call sum, List<Expr.Call> sets, Runnable resolveAll, Function<Expr, Integer> lower) {
    Expr.Call set = sets.get(0);
    String text = text(set);
    if (sets.size() > 1) {
      s.error(ErrorCode.E61, sets.get(1).pos(), text(sets.get(1)), "one sum may hold one params(...), which it sums over;"
          + " write a sum for each");
      return null;
    }
    if (sum.args().size() != 1) {
      s.error(ErrorCode.E3, sum.pos(), sum.fn(), "1", sum.args().size());
      return null;
    }
    if (!sum.named().isEmpty()) {
      String k = sum.named().keySet().iterator().next();
      s.error(ErrorCode.E61, sum.nameAt(k), text, "the sum is over all their elements: leave out " + k);
      return null;
    }
    if (!s.rulesInProgress.isEmpty() || s.inRuleBackward || s.inLayerForward) {
      s.error(ErrorCode.E61, set.pos(), text, "it is the model's parameters, so it belongs in the model's values and loss,"
          + " not in a rule");
      return null;
    }
    List<String> names = new ArrayList<>();
    for (Expr a : set.args()) {
      if (a instanceof Expr.Ref r) {
        names.add(r.name());
      } else {
        s.error(ErrorCode.E10, a.pos(), String.valueOf(set.args().indexOf(a) + 1), NAME,
            "a parameter's name, as W in params(W) or h.W");
        return null;
      }
    }
    if (!set.named().isEmpty()) {
      String k = set.named().keySet().iterator().next();
      s.diag.unknown(ErrorCode.E8, set.nameAt(k), k, List.of(), k, "'" + NAME + "'");
      return null;
    }
    resolveAll.run();
    List<Program.Param> chosen = s.params.stream().filter(p -> p.update() == Program.Update.OWN)
        .filter(p -> names.isEmpty() || names.contains(p.name()) || names.contains(p.name().substring(p.name().lastIndexOf('.') + 1)))
        .toList();
    if (chosen.isEmpty()) {
      List<String> trained = s.params.stream().filter(p -> p.update() == Program.Update.OWN).map(Program.Param::name).toList();
      s.error(ErrorCode.E62, set.pos(), text, trained.isEmpty() ? "the model has none"
          : "the model's trained parameters are " + String.join(", ", trained));
      return null;
    }
    Integer total = null;
    for (Program.Param p : chosen) {
      Expr one = new Expr.Call(sum.fn(), List.of(replace(sum.args().get(0), set, new Expr.Ref(p.name(), set.pos()))),
          Map.of(), Map.of(), sum.pos());
      Integer v = lower.apply(one);
      if (v == null) {
        return null;
      }
      total = total == null ? v : s.ops.add(total, v);
    }
    return total;
  }
}
