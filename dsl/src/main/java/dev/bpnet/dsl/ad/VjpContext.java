package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Differentiation;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.RuleBackward;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * What the VJP rules of the primitives see during one reverse pass: the graph's operations,
 * and how RULE nodes differentiate. In the backward pass a rule replaces the derivative of its
 * forward body for the inputs it overrides; in the third pass ({@code trueRules}) the body gets
 * its true derivative, since l_x is then differentiated as the function it is.
 */
final class VjpContext implements Differentiation {
  private final Ops ops;
  private final boolean trueRules;

  VjpContext(GraphBuilder g, boolean trueRules) {
    this.ops = new Ops(g);
    this.trueRules = trueRules;
  }

  @Override
  public Ops ops() {
    return ops;
  }

  /**
   * A layer rule's inputs in {@code derived} get the true gradient through the body (input 0);
   * the body's own inputs are blocked there, so nothing flows past them twice (the enclosing
   * transform continues from them).
   */
  @Override
  public List<Integer> rule(Node n, int ct) {
    GraphBuilder g = ops.graph();
    if (trueRules) {
      List<Integer> out = new ArrayList<>(Arrays.asList(new Integer[n.inputs().size()]));
      out.set(0, ct);
      return out;
    }
    RuleBackward rule = g.ruleBackward(n.id());
    List<Integer> out = new ArrayList<>(rule.apply(g, ct));
    BitSet derived = rule.derived();
    if (derived.isEmpty()) {
      return out;
    }
    List<Integer> leaves = new ArrayList<>();
    derived.stream().forEach(i -> leaves.add(n.input(i)));
    BitSet blocked = new BitSet();
    leaves.forEach(blocked::set);
    Map<Integer, Integer> d = Reverse.vjp(g, n.input(0), ct, leaves, blocked, "d", false);
    derived.stream().forEach(i -> out.set(i, d.get(n.input(i))));
    return out;
  }

  @Override
  public RuntimeException noDerivative(Node n) {
    return new NoDerivativeException(n);
  }
}
