package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Attrs;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.RuleDecl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A call of a user activation. Its forward body is lowered in place; a RULE node carries the
 * value, and its VJP lowers the backward body with the cotangent bound, each time the
 * autodiff transform needs it (so the third pass differentiates the rule like any graph).
 * The backward body is also lowered once right away, so its errors are compile errors.
 */
final class RuleCalls {
  private final Scope s;
  private final Function<Expr, Integer> modelLower;

  RuleCalls(Scope s, Function<Expr, Integer> modelLower) {
    this.s = s;
    this.modelLower = modelLower;
  }

  Integer call(Expr.Call c, RuleDecl r) {
    if (c.args().size() != 1 || !c.named().isEmpty()) {
      s.error(ErrorCode.E29, c.pos(), r.name(), c.args().size() + c.named().size());
      return null;
    }
    Integer z = modelLower.apply(c.args().get(0));
    if (z == null) {
      return null;
    }
    Map<String, Integer> env = new HashMap<>();
    env.put(r.input(), z);
    if (!run(r, r.forward(), env)) {
      return null;
    }
    Integer a = env.get(r.result());
    if (a == null) {
      s.error(ErrorCode.E28, r.pos(), r.name(), "its result '" + r.result() + "'");
      return null;
    }
    s.graph.at(c.pos());
    int node = s.graph.add(Op.RULE, List.of(a, z), Attrs.named(r.name()));
    Map<String, Integer> forward = Map.copyOf(env);
    s.graph.registerRule(node, ct -> backward(r, forward, node, ct));
    return backward(r, forward, node, a) == null ? null : node;
  }

  /** d(input) from the cotangent of the result, or null after reporting why not. */
  private Integer backward(RuleDecl r, Map<String, Integer> forward, int node, int ct) {
    Map<String, Integer> env = new HashMap<>(forward);
    env.put(r.result(), node);
    env.put(r.grad(), ct);
    if (!run(r, r.backward(), env)) {
      return null;
    }
    Integer dz = env.get(r.inputGradient());
    if (dz == null) {
      s.error(ErrorCode.E28, r.pos(), r.name(), "'" + r.inputGradient() + "' in its backward rule");
    }
    return dz;
  }

  private boolean run(RuleDecl r, List<Decl.Let> stmts, Map<String, Integer> env) {
    for (Decl.Let let : stmts) {
      Integer v = lower(let.value(), env);
      if (v == null) {
        return false;
      }
      env.put(let.name(), v);
    }
    return true;
  }

  /** Lowers an expression of a rule body: names are the body's own, the input, lr and eps. */
  private Integer lower(Expr e, Map<String, Integer> env) {
    try {
      s.graph.at(e.pos());
      if (e instanceof Expr.Ref ref) {
        Integer v = env.get(ref.name());
        if (v == null && (ref.name().equals("lr") || ref.name().equals("eps"))) {
          v = s.graph.leaf(Op.HYPER, ref.name(), Shape.SCALAR);
        }
        if (v == null) {
          java.util.Set<String> known = new java.util.TreeSet<>(env.keySet());
          known.add("lr");
          known.add("eps");
          s.diag.unknown(ErrorCode.E1, ref.pos(), ref.name(), known, ref.name());
        }
        return v;
      } else if (e instanceof Expr.Num n) {
        return s.graph.constant(n.value());
      } else if (e instanceof Expr.Neg n) {
        Integer v = lower(n.operand(), env);
        return v == null ? null : s.ops.neg(v);
      } else if (e instanceof Expr.Binary b) {
        return Lowering.binary(s, b, lower(b.left(), env), lower(b.right(), env));
      } else if (e instanceof Expr.Str str) {
        s.error(ErrorCode.E21, str.pos(), "\"" + str.value() + "\" can only be an option's value");
        return null;
      }
      return new Builtins(s, x -> lower(x, env)).call((Expr.Call) e);
    } catch (dev.bpnet.dsl.ir.ShapeException x) {
      s.error(ErrorCode.E4, x.pos(), x.op(), x.getMessage());
      return null;
    }
  }
}
