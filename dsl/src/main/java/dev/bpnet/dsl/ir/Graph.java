package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed tensor graph, immutable: node ids are a topological order. Made by a
 * {@link GraphBuilder}; the autodiff transform extends a copy ({@link GraphBuilder#extend}).
 */
public final class Graph {
  private final List<Node> nodes;
  private final BitSet host;
  private final Map<Integer, RuleBackward> rules;
  private final Map<Integer, RuleInfo> madeWithin;

  Graph(List<Node> nodes, BitSet host, Map<Integer, RuleBackward> rules, Map<Integer, RuleInfo> madeWithin) {
    this.nodes = List.copyOf(nodes);
    this.host = (BitSet) host.clone();
    this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    this.madeWithin = Map.copyOf(madeWithin);
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Node node(int id) {
    return nodes.get(id);
  }

  public Shape shape(int id) {
    return nodes.get(id).shape();
  }

  public int size() {
    return nodes.size();
  }

  /** True for scalars known on the host (constants, sizes, arithmetic on them). */
  public boolean isHost(int id) {
    return host.get(id);
  }

  BitSet hostSet() {
    return (BitSet) host.clone();
  }

  Map<Integer, RuleBackward> ruleBackwards() {
    return rules;
  }

  Map<Integer, RuleInfo> madeWithinMap() {
    return madeWithin;
  }

  /** The RULE nodes of the graph and what they stand for, in the order they were made. */
  public Map<Integer, RuleInfo> rules() {
    Map<Integer, RuleInfo> m = new LinkedHashMap<>();
    rules.forEach((k, v) -> m.put(k, v.info()));
    return Collections.unmodifiableMap(m);
  }

  /** The backward rule of a RULE node. */
  public RuleBackward ruleBackward(int node) {
    return rules.get(node);
  }

  /** The rule whose body made node {@code id}, or null for the model's own nodes. */
  public RuleInfo madeWithin(int id) {
    return madeWithin.get(id);
  }

  /** The ids of every node that {@code roots} depend on, roots included. */
  public BitSet ancestors(Iterable<Integer> roots) {
    return ancestors(nodes, roots);
  }

  static BitSet ancestors(List<Node> nodes, Iterable<Integer> roots) {
    BitSet seen = new BitSet();
    List<Integer> stack = new ArrayList<>();
    roots.forEach(stack::add);
    while (!stack.isEmpty()) {
      int n = stack.remove(stack.size() - 1);
      if (!seen.get(n)) {
        seen.set(n);
        stack.addAll(nodes.get(n).inputs());
      }
    }
    return seen;
  }
}
