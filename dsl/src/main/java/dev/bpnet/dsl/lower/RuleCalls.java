package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.RuleBackward;
import dev.bpnet.dsl.ir.RuleInfo;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.ir.ShapeException;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.RuleDecl;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A call of a user rule. Its forward body is lowered in place; a RULE node carries the value,
 * and its backward body is lowered once, against a placeholder cotangent, into a template
 * ({@link RuleBackward}) that the autodiff transform binds to the real cotangent (so the third
 * pass differentiates the rule like any graph, and the body's errors are compile errors).
 * Values of both bodies are named after the rule and their variable ("dbp_sigmoid.a1").
 *
 * <p>An activation's RULE node has inputs (a, z): its rule gives dz. A layer's has inputs
 * (y, leaves...), its tensor arguments and trainable parameters: the rule gives d&lt;leaf&gt;
 * for the leaves it overrides, and the others keep the true gradient through the body.
 */
final class RuleCalls {
  private final Scope s;
  private final Function<Expr, Integer> modelLower;

  RuleCalls(Scope s, Function<Expr, Integer> modelLower) {
    this.s = s;
    this.modelLower = modelLower;
  }

  Integer call(Expr.Call c, RuleDecl r) {
    // a rule whose body calls it again, directly or through other rules, would be inlined forever
    if (!s.rulesInProgress.add(r.name())) {
      List<String> chain = new ArrayList<>(s.rulesInProgress);
      chain = chain.subList(chain.indexOf(r.name()), chain.size());
      Diagnostic d = new Diagnostic(ErrorCode.E9, c.pos(), ErrorCode.E9.format(r.name() + "' ("
          + String.join(" -> ", chain) + " -> " + r.name() + ")"), "a rule cannot call itself, directly or through another rule");
      if (!s.diag.all().contains(d)) {
        s.diag.add(d);
      }
      return null;
    }
    try {
      return r.kind() == RuleDecl.Kind.ACTIVATION ? activation(c, r) : layer(c, r);
    } finally {
      s.rulesInProgress.remove(r.name());
    }
  }

  private Integer activation(Expr.Call c, RuleDecl r) {
    if (c.args().size() != 1 || !c.named().isEmpty()) {
      s.error(ErrorCode.E29, c.pos(), r.name(), c.args().size() + c.named().size());
      return null;
    }
    Integer z = modelLower.apply(c.args().get(0));
    if (z == null) {
      return null;
    }
    RuleInfo info = new RuleInfo(r.name(), r.exact(), r.pos());
    Map<String, Integer> env = new HashMap<>();
    env.put(r.input(), z);
    if (!s.graph.within(info, () -> run(r, r.forward(), env))) {
      return null;
    }
    Integer a = result(r, env);
    if (a == null) {
      return null;
    }
    s.graph.at(c.pos());
    int node = s.ops.apply(new Leaves.Rule(r.name()), a, z);
    return template(r, info, Map.copyOf(env), List.of(r.input()), node, new BitSet()) ? node : null;
  }

  private Integer layer(Expr.Call c, RuleDecl r) {
    if (c.args().size() != r.params().size() || !c.named().isEmpty()) {
      s.error(ErrorCode.E3, c.pos(), r.name(), String.valueOf(r.params().size()), c.args().size() + c.named().size());
      return null;
    }
    Set<String> over = r.overridden();
    if (over.isEmpty()) {
      s.error(ErrorCode.E34, r.pos(), r.name(), "as d" + r.params().get(0) + " = ...");
      return null;
    }
    RuleInfo info = new RuleInfo(r.name(), r.exact(), r.pos());
    Map<String, Integer> env = new HashMap<>();
    Map<String, Double> numbers = new HashMap<>();
    Map<String, Integer> leaves = new LinkedHashMap<>();
    for (int i = 0; i < r.params().size(); i++) {
      String name = r.params().get(i);
      Double v = literal(c.args().get(i));
      Integer x = v != null ? Integer.valueOf(s.graph.constant(v)) : modelLower.apply(c.args().get(i));
      if (x == null) {
        return null;
      }
      env.put(name, x);
      if (v != null) {
        numbers.put(name, v);
      } else {
        leaves.put(name, x);
      }
    }
    // a number argument is placed at the call: an error about it (2.5 units) is the caller's,
    // with the rule's line in its hint
    Map<String, dev.bpnet.dsl.diag.Pos> argAt = new HashMap<>();
    Map<dev.bpnet.dsl.diag.Pos, String> numberArgs = new HashMap<>();
    for (int i = 0; i < r.params().size(); i++) {
      if (numbers.containsKey(r.params().get(i))) {
        argAt.put(r.params().get(i), c.args().get(i).pos());
        numberArgs.put(c.args().get(i).pos(), r.params().get(i));
      }
    }
    int mark = s.diag.size();
    String owner = s.owner;
    s.inLayerForward = true;
    boolean ok;
    try {
      ok = s.graph.within(info, () -> {
        for (Decl.Let let : r.forward()) {
          s.owner = owner + "." + let.name();
          Integer v = lower(Substitute.numbers(let.value(), numbers, argAt), env);
          if (v == null) {
            return false;
          }
          env.put(let.name(), s.graph.label(v, r.name() + "." + let.name()));
          Program.Param p = s.graph.node(v).op() instanceof Leaves.Param ? s.paramAt(v) : null;
          if (p != null && p.update() == Program.Update.OWN && p.name().equals(s.owner)) {
            leaves.put(let.name(), v);
          }
        }
        return true;
      });
    } finally {
      s.owner = owner;
      s.inLayerForward = false;
      s.diag.rewrite(mark, d -> {
        if (!numberArgs.containsKey(d.pos())) {
          return d;
        }
        String where = "this is '" + numberArgs.get(d.pos()) + "' of layer rule '" + r.name() + "' (line "
            + r.pos().line() + "), and its body uses it there";
        return new Diagnostic(d.code(), d.pos(), d.message(), d.hint() == null ? where : d.hint() + "; " + where);
      });
    }
    Integer y = ok ? result(r, env) : null;
    if (y == null) {
      return null;
    }
    List<Integer> inputs = new ArrayList<>(List.of(y));
    BitSet derived = new BitSet();
    for (var e : leaves.entrySet()) {
      if (!over.contains(e.getKey())) {
        derived.set(inputs.size());
      }
      inputs.add(e.getValue());
    }
    s.graph.at(c.pos());
    int node = s.ops.apply(new Leaves.Rule(r.name()), inputs.stream().mapToInt(Integer::intValue).toArray());
    return template(r, info, Map.copyOf(env), List.copyOf(leaves.keySet()), node, derived) ? node : null;
  }

  /**
   * Lowers the rule's backward body against a placeholder cotangent and registers it as the
   * RULE node's backward template; false after reporting an error in the body.
   */
  private boolean template(RuleDecl r, RuleInfo info, Map<String, Integer> forward, List<String> leaves, int node,
      BitSet derived) {
    int ct = s.cotangent(s.graph.shape(node));
    List<Integer> d = backward(r, info, forward, leaves, node, ct);
    List<Integer> outputs = new ArrayList<>();
    outputs.add(-1);
    for (int i = 0; i < leaves.size(); i++) {
      boolean overridden = r.kind() == RuleDecl.Kind.ACTIVATION || r.overridden().contains(leaves.get(i));
      if (overridden && d.get(i + 1) == null) {
        return false;
      }
      outputs.add(d.get(i + 1) == null ? -1 : d.get(i + 1));
    }
    s.graph.registerRule(node, new RuleBackward(info, ct, outputs, derived));
    return true;
  }

  private Integer result(RuleDecl r, Map<String, Integer> env) {
    Integer a = env.get(r.result());
    if (a == null) {
      s.error(ErrorCode.E28, r.pos(), r.kindWord(), r.name(), "its result '" + r.result() + "'");
    }
    return a;
  }

  /**
   * The cotangents of the RULE node's inputs: null for its value (input 0), d&lt;leaf&gt; for each
   * overridden leaf, null for the others (the autodiff transform derives those). A missing or
   * ill-shaped override is reported, and also leaves a null.
   */
  private List<Integer> backward(RuleDecl r, RuleInfo info, Map<String, Integer> forward, List<String> leaves,
      int node, int ct) {
    Map<String, Integer> env = new HashMap<>(forward);
    env.put(r.result(), node);
    env.put(r.grad(), ct);
    List<Integer> out = new ArrayList<>();
    out.add(null);
    boolean saved = s.inRuleBackward;
    s.inRuleBackward = true;
    boolean ran;
    try {
      ran = s.graph.within(info, () -> run(r, r.backward(), env));
    } finally {
      s.inRuleBackward = saved;
    }
    for (String leaf : leaves) {
      boolean overridden = r.kind() == RuleDecl.Kind.ACTIVATION || r.overridden().contains(leaf);
      Integer d = ran && overridden ? env.get("d" + leaf) : null;
      if (ran && overridden && d == null) {
        s.error(ErrorCode.E28, r.pos(), r.kindWord(), r.name(), "'d" + leaf + "' in its backward rule");
      }
      Shape want = s.graph.shape(forward.get(leaf));
      if (d != null && !s.graph.shape(d).equals(want)) {
        s.error(ErrorCode.E4, r.backward().stream().filter(l -> l.name().equals("d" + leaf)).findFirst()
            .map(Decl.Let::pos).orElse(r.pos()), "the backward rule of '" + r.name() + "'",
            "d" + leaf + " is " + s.graph.shape(d) + " but " + leaf + " is " + want);
        d = null;
      }
      out.add(d);
    }
    return out;
  }

  private boolean run(RuleDecl r, List<Decl.Let> stmts, Map<String, Integer> env) {
    for (Decl.Let let : stmts) {
      Integer v = lower(let.value(), env);
      if (v == null) {
        return false;
      }
      env.put(let.name(), s.graph.label(v, r.name() + "." + let.name()));
    }
    return true;
  }

  /** A number written as a layer's argument: it may size the layer's parameters. */
  private static Double literal(Expr e) {
    if (e instanceof Expr.Num n) {
      return n.value();
    }
    return e instanceof Expr.Neg n && n.operand() instanceof Expr.Num num ? -num.value() : null;
  }

  /** Lowers an expression of a rule body: names are the body's own, the inputs, lr and eps. */
  private Integer lower(Expr e, Map<String, Integer> env) {
    try {
      s.graph.at(e.pos());
      if (e instanceof Expr.Ref ref) {
        Integer v = env.get(ref.name());
        if (v == null && (ref.name().equals("lr") || ref.name().equals("eps"))) {
          v = s.graph.leaf(new Leaves.Hyper(ref.name()));
        }
        if (v == null && !Lowering.functionAsValue(s, ref.name(), ref.pos())) {
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
    } catch (ShapeException x) {
      s.error(ErrorCode.E4, x.pos(), x.op(), x.getMessage());
      return null;
    }
  }
}
