package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The backward rule of a RULE node, as data: its body lowered once against a placeholder
 * cotangent ({@link Leaves.Cotangent}), giving per input of the node the template node of its
 * cotangent (-1 where the rule gives none). The autodiff transform binds the placeholder to
 * the real cotangent by {@link GraphBuilder#substitute}. Inputs in {@code derived} keep their
 * true gradient through the rule's forward body (a layer rule's weights).
 */
public record RuleBackward(RuleInfo info, int placeholder, List<Integer> outputs, BitSet derived) {
  public RuleBackward {
    outputs = List.copyOf(outputs);
    derived = (BitSet) derived.clone();
  }

  @Override
  public BitSet derived() {
    return (BitSet) derived.clone();
  }

  /** The cotangents of the node's inputs for cotangent {@code ct} (null where the rule gives none). */
  public List<Integer> apply(GraphBuilder g, int ct) {
    List<Integer> roots = outputs.stream().filter(o -> o >= 0).toList();
    List<Integer> bound = g.substitute(placeholder, ct, roots);
    List<Integer> out = new ArrayList<>();
    int k = 0;
    for (int o : outputs) {
      out.add(o < 0 ? null : bound.get(k++));
    }
    return out;
  }
}
