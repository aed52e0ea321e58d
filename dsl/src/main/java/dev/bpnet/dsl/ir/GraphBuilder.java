package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds a {@link Graph}. Append-only, so node ids are a topological order. Identical nodes
 * are shared (hash-consing: a primitive record and its inputs are the key), and each
 * primitive's {@link Primitive#simplify} folds the trivial cases as nodes are made, after the
 * two rules every element-wise primitive shares: constant folding and lifting host-scalar
 * broadcasts. So the autodiff output stays small without a separate optimisation pass.
 *
 * <p>Nodes take the source position set with {@link #at}: the lowering sets the expression
 * being lowered, the autodiff transform the node being differentiated.
 */
public final class GraphBuilder {
  private record Key(Primitive op, List<Integer> inputs) {}

  private final List<Node> nodes = new ArrayList<>();
  private final Map<Key, Integer> cse = new HashMap<>();
  private final BitSet host = new BitSet();
  private final Map<Integer, RuleBackward> rules = new LinkedHashMap<>();
  private final Map<Integer, RuleInfo> madeWithin = new HashMap<>();
  /** The rule whose body is being lowered, if any: nodes made meanwhile belong to it. */
  private RuleInfo within;
  private Pos pos = Pos.UNKNOWN;

  public GraphBuilder() {}

  /** A builder that continues {@code g}: the autodiff transform appends its passes. */
  public static GraphBuilder extend(Graph g) {
    GraphBuilder b = new GraphBuilder();
    for (Node n : g.nodes()) {
      b.nodes.add(n);
      b.cse.putIfAbsent(new Key(n.op(), n.inputs()), n.id());
    }
    b.host.or(g.hostSet());
    b.rules.putAll(g.ruleBackwards());
    b.madeWithin.putAll(g.madeWithinMap());
    return b;
  }

  public Graph build() {
    return new Graph(nodes, host, rules, madeWithin);
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

  public boolean isHost(int id) {
    return host.get(id);
  }

  public Pos pos() {
    return pos;
  }

  /** Sets the source position of the nodes made next. */
  public GraphBuilder at(Pos p) {
    this.pos = p;
    return this;
  }

  /**
   * Gives a node a human name, unless it already has one; host scalars have none, and declared
   * leaves keep their declared name.
   */
  public int label(int id, String label) {
    Node n = nodes.get(id);
    if (n.label() == null && !host.get(id) && !(n.op() instanceof Leaves.Named)) {
      nodes.set(id, n.withLabel(label));
    }
    return id;
  }

  /**
   * Names a value after the declaration that defines it ("out"), replacing the internal name
   * its lowering gave it ("out.z"); a value that merely refers to another keeps that name.
   */
  public int declare(int id, String name) {
    Node n = nodes.get(id);
    if (n.label() == null || n.label().startsWith(name + ".")) {
      nodes.set(id, n.withLabel(name));
    }
    return id;
  }

  /** Registers the backward rule of a RULE node. */
  public void registerRule(int node, RuleBackward rule) {
    rules.put(node, rule);
  }

  public RuleBackward ruleBackward(int node) {
    return rules.get(node);
  }

  /** Runs {@code body} (the lowering of a rule's statements) with its new nodes attributed to {@code rule}. */
  public <T> T within(RuleInfo rule, Supplier<T> body) {
    RuleInfo saved = within;
    within = rule;
    try {
      return body.get();
    } finally {
      within = saved;
    }
  }

  public RuleInfo madeWithin(int id) {
    return madeWithin.get(id);
  }

  public int constant(double v) {
    return raw(new Leaves.Const(v), List.of());
  }

  /** Adds a leaf (an input, parameter, hyperparameter or placeholder). */
  public int leaf(Primitive leaf) {
    return raw(leaf, List.of());
  }

  /** Adds an operation after simplification; the result may be an existing node. */
  public int add(Primitive op, List<Integer> inputs) {
    Integer s = foldOrLift(op, inputs);
    if (s == null) {
      s = op.simplify(this, inputs);
    }
    return s != null ? s : raw(op, inputs);
  }

  public int add(Primitive op, int... inputs) {
    List<Integer> l = new ArrayList<>();
    for (int i : inputs) {
      l.add(i);
    }
    return add(op, l);
  }

  /** The node {@code op(inputs)} if it was already made, else null. */
  public Integer existing(Primitive op, List<Integer> inputs) {
    return cse.get(new Key(op, List.copyOf(inputs)));
  }

  /**
   * Constant folding of element-wise primitives on constants, and f(broadcast(s)) =
   * broadcast(f(s)) (likewise for a binary op with a host scalar on the other side), so a
   * host scalar stays on the host as long as it can.
   */
  private Integer foldOrLift(Primitive op, List<Integer> in) {
    if (!(op instanceof HostScalar h) || !h.readsValues() || in.isEmpty()) {
      return null;
    }
    if (in.stream().allMatch(i -> nodes.get(i).op() instanceof Leaves.Const)) {
      double[] v = in.stream().mapToDouble(i -> ((Leaves.Const) nodes.get(i).op()).value()).toArray();
      return constant(h.apply(v));
    }
    if (in.size() == 1 && isHostBroadcast(in.get(0))) {
      Node x = nodes.get(in.get(0));
      return add(x.op(), add(op, x.input(0)));
    }
    if (in.size() == 2 && isHostBroadcast(in.get(0)) && isHost(in.get(1))) {
      Node x = nodes.get(in.get(0));
      return add(x.op(), add(op, x.input(0), in.get(1)));
    }
    if (in.size() == 2 && isHostBroadcast(in.get(1)) && isHost(in.get(0))) {
      Node y = nodes.get(in.get(1));
      return add(y.op(), add(op, in.get(0), y.input(0)));
    }
    return null;
  }

  /** A host scalar broadcast to a tensor. */
  public boolean isHostBroadcast(int id) {
    Node n = nodes.get(id);
    return n.op() instanceof Layouts.Broadcast && isHost(n.input(0));
  }

  /** Makes the node as written: hash-consed, shape-checked, never simplified. */
  int raw(Primitive op, List<Integer> inputs) {
    Key key = new Key(op, List.copyOf(inputs));
    Integer old = cse.get(key);
    if (old != null) {
      return old;
    }
    List<Shape> in = new ArrayList<>();
    for (int i : inputs) {
      in.add(shape(i));
    }
    Shape shape;
    try {
      shape = op.shape(in);
    } catch (ShapeException e) {
      throw new ShapeException(pos, e.op(), e.getMessage() + origins(inputs));
    }
    if (shape.staticSize() > Integer.MAX_VALUE) {
      // ND4J indexes an example's elements with ints; sizes past that wrap around in shape arithmetic
      throw new ShapeException(pos, op.name(), "a value of shape " + shape + " has " + (shape.staticSize() == Long.MAX_VALUE
          ? "more than 9.2e18" : String.format(java.util.Locale.ROOT, "%,d", shape.staticSize()))
          + " elements per example, more than the 2,147,483,647 an array can hold" + origins(inputs));
    }
    int id = nodes.size();
    nodes.add(new Node(id, op, inputs, shape, pos, null));
    cse.put(key, id);
    if (within != null) {
      madeWithin.put(id, within);
    }
    if (op instanceof HostScalar h && (!h.readsValues() || inputs.stream().allMatch(host::get))) {
      host.set(id);
    }
    return id;
  }

  /**
   * Rebuilds the nodes between {@code from} and {@code roots} with {@code from} replaced by
   * {@code to}, keeping their positions, rules and the labels of the intermediate nodes (the
   * roots are left for the caller to name): how a rule's backward template is bound to a
   * cotangent. Returns the new roots.
   */
  public List<Integer> substitute(int from, int to, List<Integer> roots) {
    BitSet needed = Graph.ancestors(nodes, roots);
    Map<Integer, Integer> map = new HashMap<>();
    map.put(from, to);
    int last = roots.stream().mapToInt(Integer::intValue).max().orElse(-1);
    Pos saved = pos;
    RuleInfo savedWithin = within;
    try {
      for (int id = from + 1; id <= last; id++) {
        Node n = nodes.get(id);
        if (!needed.get(id) || n.inputs().stream().noneMatch(map::containsKey)) {
          continue;
        }
        pos = n.pos();
        within = madeWithin.get(id);
        int m = add(n.op(), n.inputs().stream().map(i -> map.getOrDefault(i, i)).toList());
        if (n.label() != null && !roots.contains(id)) {
          label(m, n.label());
        }
        map.put(id, m);
      }
    } finally {
      pos = saved;
      within = savedWithin;
    }
    return roots.stream().map(r -> map.getOrDefault(r, r)).toList();
  }

  /** Where each operand of a failed node came from: "; 'y' is [B, 3] (m.bpnet:3:9)". */
  private String origins(List<Integer> inputs) {
    StringBuilder b = new StringBuilder();
    for (int i : inputs) {
      Node n = nodes.get(i);
      String name = n.displayName();
      if (name != null && !host.get(i)) {
        b.append(b.length() == 0 ? "; " : ", ").append("'").append(name).append("' is ").append(n.shape())
            .append(" (").append(n.pos()).append(")");
      }
    }
    return b.toString();
  }

  /** The ids of every node that {@code roots} depend on, roots included. */
  public BitSet ancestors(Iterable<Integer> roots) {
    return Graph.ancestors(nodes, roots);
  }
}
