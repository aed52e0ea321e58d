package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed tensor graph. Append-only, so node ids are a topological order. Identical nodes
 * are shared (hash-consing), and {@link Simplifier} folds the trivial cases as nodes are
 * made, so the autodiff output stays small without a separate optimisation pass.
 *
 * <p>Nodes are made in a context: the current phase and source position, set by the
 * lowering and the autodiff transform with {@link #at} and {@link #inPhase}.
 */
public final class Graph {
  private record Key(Op op, List<Integer> inputs, Attrs attrs) {}

  private final List<Node> nodes = new ArrayList<>();
  private final Map<Key, Integer> cse = new HashMap<>();
  private final BitSet host = new BitSet();
  private final Simplifier simplifier = new Simplifier(this);
  private final Map<Integer, RuleInfo.Vjp> ruleVjps = new HashMap<>();
  private final Map<Integer, RuleInfo> ruleInfos = new java.util.LinkedHashMap<>();
  private final Map<Integer, BitSet> ruleDerived = new HashMap<>();
  /** The rule whose body is being lowered, if any: nodes made meanwhile belong to it. */
  private RuleInfo within;
  private final Map<Integer, RuleInfo> madeWithin = new HashMap<>();
  private Phase phase = Phase.FORWARD;
  private Pos pos = Pos.UNKNOWN;

  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
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

  public Phase phase() {
    return phase;
  }

  public Graph inPhase(Phase p) {
    this.phase = p;
    return this;
  }

  public Pos pos() {
    return pos;
  }

  public Graph at(Pos p) {
    this.pos = p;
    return this;
  }

  /** Gives a node a human name, unless it already has one. */
  public int label(int id, String label) {
    Node n = nodes.get(id);
    if (n.label() == null && !host.get(id)) {
      nodes.set(id, new Node(n.id(), n.op(), n.inputs(), n.attrs(), n.shape(), n.phase(), n.pos(), label));
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
      nodes.set(id, new Node(n.id(), n.op(), n.inputs(), n.attrs(), n.shape(), n.phase(), n.pos(), name));
    }
    return id;
  }

  /** Registers the backward rule of a RULE node: cotangent of its value to those of its inputs. */
  public void registerRule(int node, RuleInfo info, RuleInfo.Vjp vjp) {
    ruleVjps.put(node, vjp);
    ruleInfos.put(node, info);
  }

  /**
   * Registers a layer rule, whose inputs at {@code derived} keep their true gradient: the
   * autodiff transform computes it through the rule's forward body (input 0).
   */
  public void registerRule(int node, RuleInfo info, RuleInfo.Vjp vjp, BitSet derived) {
    registerRule(node, info, vjp);
    ruleDerived.put(node, (BitSet) derived.clone());
  }

  public RuleInfo.Vjp ruleVjp(int node) {
    return ruleVjps.get(node);
  }

  /** The inputs of a RULE node whose gradient is the true one through its body (none for activations). */
  public BitSet ruleDerived(int node) {
    return (BitSet) ruleDerived.getOrDefault(node, new BitSet()).clone();
  }

  /** The RULE nodes of the graph and what they stand for, in the order they were made. */
  public Map<Integer, RuleInfo> rules() {
    return Collections.unmodifiableMap(ruleInfos);
  }

  /** Runs {@code body} (the lowering of a rule's statements) with its new nodes attributed to {@code rule}. */
  public <T> T within(RuleInfo rule, java.util.function.Supplier<T> body) {
    RuleInfo saved = within;
    within = rule;
    try {
      return body.get();
    } finally {
      within = saved;
    }
  }

  /** The rule whose body made node {@code id}, or null for the model's own nodes. */
  public RuleInfo madeWithin(int id) {
    return madeWithin.get(id);
  }

  /** Adds a leaf (INPUT or PARAM) with a declared shape. */
  public int leaf(Op op, String name, Shape shape) {
    return raw(op, List.of(), Attrs.named(name), shape);
  }

  public int constant(double v) {
    return raw(Op.CONST, List.of(), Attrs.value(v), null);
  }

  /** Adds an operation after simplification; the result may be an existing node. */
  public int add(Op op, List<Integer> inputs, Attrs attrs) {
    Integer s = simplifier.simplify(op, inputs, attrs);
    return s != null ? s : raw(op, inputs, attrs, null);
  }

  public int add(Op op, int... inputs) {
    List<Integer> l = new ArrayList<>();
    for (int i : inputs) {
      l.add(i);
    }
    return add(op, l, Attrs.NONE);
  }

  int raw(Op op, List<Integer> inputs, Attrs attrs, Shape given) {
    Key key = new Key(op, List.copyOf(inputs), attrs);
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
      shape = Shapes.infer(op, in, attrs, given, pos);
    } catch (ShapeException e) {
      throw new ShapeException(e.pos(), e.op(), e.getMessage() + origins(inputs));
    }
    int id = nodes.size();
    nodes.add(new Node(id, op, inputs, attrs, shape, phase, pos, null));
    cse.put(key, id);
    if (within != null) {
      madeWithin.put(id, within);
    }
    boolean elementwise = op.isElementwiseBinary() || op.isElementwiseUnary();
    if (op == Op.CONST || op == Op.SIZE || (elementwise && inputs.stream().allMatch(host::get))) {
      host.set(id);
    }
    return id;
  }

  /** The node {@code op(inputs)} if it was already made, else null. */
  public Integer existing(Op op, List<Integer> inputs, Attrs attrs) {
    return cse.get(new Key(op, List.copyOf(inputs), attrs));
  }

  /** Where each operand of a failed node came from: "; 'y' is [B, 3] (m.bpnet:3:9)". */
  private String origins(List<Integer> inputs) {
    StringBuilder b = new StringBuilder();
    for (int i : inputs) {
      Node n = nodes.get(i);
      String name = n.label() != null ? n.label() : n.attrs().name();
      if (name != null && !host.get(i)) {
        b.append(b.length() == 0 ? "; " : ", ").append("'").append(name).append("' is ").append(n.shape())
            .append(" (").append(n.pos()).append(")");
      }
    }
    return b.toString();
  }

  /** The ids of every node that {@code roots} depend on, roots included. */
  public BitSet ancestors(Iterable<Integer> roots) {
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
