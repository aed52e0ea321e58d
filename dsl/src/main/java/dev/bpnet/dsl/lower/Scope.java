package dev.bpnet.dsl.lower;

import dev.bpnet.api.Init;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the lowering of one model accumulates: graph, parameters, diagnostics. */
final class Scope {
  final GraphBuilder graph = new GraphBuilder();
  final Ops ops = new Ops(graph);
  final Diagnostics diag;
  final TrainSpec train;
  final List<Program.Param> params = new ArrayList<>();
  /** Batch norm's running statistics, moved after each training step. */
  final List<Program.Running> running = new ArrayList<>();
  /** Dense-layer outputs to the index of their weight, so an activation can set its gain. */
  final Map<Integer, Integer> denseWeight = new HashMap<>();
  /** The user activations the model may call, by name. */
  final Map<String, dev.bpnet.dsl.syntax.RuleDecl> rules = new HashMap<>();
  /** The let being lowered: parameters are named after it. */
  String owner = "model";
  /** True while the forward body of a layer rule is lowered: state(...) is allowed there. */
  boolean inLayerForward;
  /** True while a rule's backward body is lowered: nothing there may declare a parameter. */
  boolean inRuleBackward;
  /** Whether the model has a feedback layer, and whether one took the train option g3 (giving no g3 of its own). */
  boolean feedbackLayer;
  boolean trainG3Taken;
  /** The user rules whose bodies are being lowered, outermost first: a rule met again is a cycle. */
  final java.util.LinkedHashSet<String> rulesInProgress = new java.util.LinkedHashSet<>();
  private final Map<String, Integer> counters = new HashMap<>();
  /** Lowers every value of the model not yet lowered (params(...) needs all the parameters). */
  Runnable resolveAll = () -> { };
  /** Every built-in loss lowered, in order: where a model's undeclared output is found. */
  final List<LossCall> lossCalls = new ArrayList<>();

  /** A call of a built-in loss: its prediction (first argument) and its result. */
  record LossCall(dev.bpnet.dsl.syntax.Expr.Call call, int prediction, int result) {}

  Scope(Diagnostics diag, TrainSpec train) {
    this.diag = diag;
    this.train = train;
  }

  /** A parameter name unique within the model: "h.W", then "h.W2" for a second dense in h. */
  String paramName(String base) {
    String key = owner + "." + base;
    int n = counters.merge(key, 1, Integer::sum);
    return n == 1 ? key : key + n;
  }

  int param(String base, Shape shape, Init init, int fanIn, int fanOut) {
    String name = paramName(base);
    int node = graph.leaf(new Leaves.Param(name, shape));
    params.add(new Program.Param(name, node, shape, init, 1.0, fanIn, fanOut));
    return node;
  }

  /** A parameter that is state rather than trained: fixed, or moved with {@code leader}. */
  int state(String base, Shape shape, Init init, int fanIn, int fanOut, Program.Update update, String leader) {
    String name = paramName(base);
    int node = graph.leaf(new Leaves.Param(name, shape));
    params.add(new Program.Param(name, node, shape, init, 1.0, fanIn, fanOut, update, leader));
    return node;
  }

  /**
   * A parameter declared with param(...) or, in a layer rule, state(...): it takes the name of
   * the value it defines.
   */
  int namedParam(Shape shape, Init init, int fanIn, int fanOut, Program.Update update, String leader) {
    int node = graph.leaf(new Leaves.Param(owner, shape));
    params.add(new Program.Param(owner, node, shape, init, 1.0, fanIn, fanOut, update, leader));
    return node;
  }

  /** A fresh placeholder for the cotangent a rule's backward template is written against. */
  int cotangent(Shape shape) {
    return graph.leaf(new Leaves.Cotangent(graph.size(), shape));
  }

  /** The parameter whose leaf is {@code node}, or null. */
  Program.Param paramAt(int node) {
    return params.stream().filter(p -> p.node() == node).findFirst().orElse(null);
  }

  void error(ErrorCode code, Pos pos, Object... args) {
    diag.error(code, pos, args);
  }
}
