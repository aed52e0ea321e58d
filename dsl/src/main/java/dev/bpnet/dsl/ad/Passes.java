package dev.bpnet.dsl.ad;

import dev.bpnet.api.FeedbackThird;
import dev.bpnet.api.Schedule;
import dev.bpnet.api.Third;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.RuleInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds pass 2 and, when asked, pass 3 of three-pass learning (Xiong and Yang, "Reverse back
 * propagation to make full use of derivative"). Pass 2 is {@link Reverse} applied to the loss.
 * Pass 3 builds the input loss l_x = (1/B) sum_b 1/2 ||dl_b/dx_b||^2 from pass 2's input
 * gradient and applies the same transform again: over everything ("exact", what double
 * backward gives), or with every forward value held constant so that only the weights'
 * occurrences in the backward recursion count ("paper", the paper's section 3).
 */
public final class Passes {
  private Passes() {}

  public static TrainingGraph build(Program p) {
    GraphBuilder g = GraphBuilder.extend(p.graph());
    // an alpha schedule may start at 1 and move away from it: the third pass is then needed
    boolean third = p.train().passes() == 3
        && (p.train().alpha() != 1.0 || !p.train().schedules().alpha().equals(Schedule.NONE));
    List<Integer> params = p.params().stream().map(Program.Param::node).toList();
    List<Integer> wrt = new ArrayList<>(params);
    if (third) {
      p.inputs().forEach(in -> wrt.add(in.node()));
    }
    int forwardEnd = g.size();
    Map<Integer, Integer> d = differentiate(() -> Reverse.grad(g, p.loss(), wrt, new BitSet(), "d", false), g, false);
    Map<String, Integer> g2 = byName(p, d);
    if (!third) {
      return new TrainingGraph(p, g.build(), -1, g2, Map.of(), false);
    }
    Ops o = new Ops(g);
    int lx = -1;
    for (Program.Leaf in : p.inputs()) {
      Integer dx = d.get(in.node());
      if (dx == null) {
        continue;
      }
      g.at(in.pos());
      // per-example gradients are B * dL/dx for a batch-mean loss, so l_x = (B/2) ||dL/dx||^2
      int half = o.mul(o.size(in.node(), List.of(0)), o.c(0.5));
      int sq = g.label(o.mul(dx, dx), "sq(" + Reverse.nameOf(g, dx) + ")");
      int term = o.mul(g.label(o.sumAll(sq), "sum_sq(" + Reverse.nameOf(g, dx) + ")"), half);
      lx = lx < 0 ? term : o.add(lx, term);
    }
    if (lx < 0) {
      return new TrainingGraph(p, g.build(), -1, g2, Map.of(), false);
    }
    g.label(lx, "l_x");
    boolean paper = p.train().third() == Third.PAPER;
    BitSet blocked = new BitSet();
    if (paper) {
      // the values the forward pass computes (not a rule body's nodes lowered early, for its checks)
      BitSet forward = p.graph().ancestors(List.of(p.loss()));
      for (int id = 0; id < forwardEnd; id++) {
        Node n = g.node(id);
        if (forward.get(id) && !(n.op() instanceof Leaves.Param) && !(n.op() instanceof Leaves.Input)) {
          blocked.set(id);
        }
      }
    }
    int out = lx;
    Map<Integer, Integer> t = differentiate(() -> Reverse.grad(g, out, params, blocked, "t", true), g, true);
    Map<String, Integer> g3 = byName(p, route(p, g, o, t));  // before build: it may add nodes
    return new TrainingGraph(p, g.build(), lx, g2, g3, paper);
  }

  /**
   * A feedback layer's {@code g3} option: the third-pass gradient that reached its B stays there
   * ({@code b}), is added to W's ({@code w}: in paper mode W has none of its own, since its only
   * occurrence is in the forward product, held constant), or both are dropped ({@code none}).
   */
  private static Map<Integer, Integer> route(Program p, GraphBuilder g, Ops o, Map<Integer, Integer> t) {
    Map<Integer, Integer> out = new LinkedHashMap<>(t);
    for (Program.Param b : p.params()) {
      if (b.thirdTo() == FeedbackThird.B) {
        continue;
      }
      Program.Param w = p.params().stream().filter(q -> q.name().equals(b.leader())).findFirst().orElseThrow();
      Integer fromB = out.remove(b.node());
      Integer own = out.get(w.node());
      if (b.thirdTo() == FeedbackThird.NONE) {
        out.remove(w.node());
      } else if (fromB != null) {
        out.put(w.node(), own == null ? fromB : g.label(o.add(own, fromB), "t(" + w.name() + ") + t(" + b.name() + ")"));
      }
    }
    return out;
  }

  /**
   * Runs a reverse pass; a construct without a derivative on its way becomes a diagnostic that
   * names the construct and the rule that used it, never a silently dropped term.
   */
  private static Map<Integer, Integer> differentiate(Supplier<Map<Integer, Integer>> pass, GraphBuilder g, boolean third) {
    try {
      return pass.get();
    } catch (NoDerivativeException e) {
      Node n = e.node();
      String what = "'" + n.op().name() + "'";
      RuleInfo rule = g.madeWithin(n.id());
      String why;
      String hint;
      if (rule != null && third) {
        why = "rule '" + rule.name() + "' (" + rule.pos() + ") uses it and the third pass (passes = 3) differentiates the rule";
        hint = "use passes = 2 or alpha = 1, or write the rule without " + what;
      } else if (rule != null) {
        why = "rule '" + rule.name() + "' (" + rule.pos() + ") uses it where the backward pass needs its derivative";
        hint = "use " + what + " only in the rule's backward body, or override the gradient that flows through it";
      } else {
        why = "the " + (third ? "third" : "backward") + " pass needs its derivative (the loss depends on it through a parameter)";
        hint = "apply it to stop_gradient(...), or use it in a rule's backward body";
      }
      throw new CompileException(List.of(new Diagnostic(ErrorCode.E30, n.pos(), ErrorCode.E30.format(what, why), hint)));
    }
  }

  private static Map<String, Integer> byName(Program p, Map<Integer, Integer> grads) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Program.Param par : p.params()) {
      Integer gr = grads.get(par.node());
      if (gr != null) {
        m.put(par.name(), gr);
      }
    }
    return m;
  }
}
