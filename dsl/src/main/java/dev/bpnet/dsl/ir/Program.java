package dev.bpnet.dsl.ir;

import dev.bpnet.api.FeedbackThird;
import dev.bpnet.api.Init;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Pos;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lowered model: the forward graph, its leaves, the value it predicts, its scalar loss, and
 * the warnings its lowering reported (unused inputs and values), and the update rule of its
 * optimizer when that is written in the language (null for a built-in). The autodiff phase
 * extends a copy of the graph with the backward and third passes.
 */
public record Program(String name, Graph graph, List<Leaf> inputs, List<Leaf> labels,
    List<Param> params, int output, int loss, TrainSpec train, List<Diagnostic> warnings, UpdateRule update,
    List<Running> running) {
  public Program {
    running = List.copyOf(running);
    inputs = List.copyOf(inputs);
    labels = List.copyOf(labels);
    params = List.copyOf(params);
    warnings = List.copyOf(warnings);
  }

  /** A program without running statistics. */
  public Program(String name, Graph graph, List<Leaf> inputs, List<Leaf> labels, List<Param> params, int output,
      int loss, TrainSpec train, List<Diagnostic> warnings, UpdateRule update) {
    this(name, graph, inputs, labels, params, output, loss, train, warnings, update, List.of());
  }

  /** A program whose optimizer is a built-in one. */
  public Program(String name, Graph graph, List<Leaf> inputs, List<Leaf> labels, List<Param> params, int output,
      int loss, TrainSpec train, List<Diagnostic> warnings) {
    this(name, graph, inputs, labels, params, output, loss, train, warnings, null);
  }

  /** A program without warnings (built by hand, as tests do). */
  public Program(String name, Graph graph, List<Leaf> inputs, List<Leaf> labels, List<Param> params, int output,
      int loss, TrainSpec train) {
    this(name, graph, inputs, labels, params, output, loss, train, List.of());
  }

  /**
   * The parameters whose g2 a learning rule replaced, each with the (first) rule: those upstream
   * of an input whose gradient a rule not marked exact gives in place of the true one. A layer
   * rule's weights that keep their true gradient ({@link RuleBackward#derived}) are not among
   * them unless another rule lies below them. In parameter order.
   */
  public Map<String, RuleInfo> ruleReplaced() {
    Map<String, RuleInfo> out = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      RuleBackward rule = graph.ruleBackward(n.id());
      if (rule == null || rule.info().trueGradient()) {
        continue;
      }
      BitSet derived = rule.derived();
      for (int i = 0; i < n.inputs().size(); i++) {
        if (rule.outputs().get(i) < 0 || derived.get(i)) {
          continue;
        }
        BitSet up = graph.ancestors(List.of(n.input(i)));
        for (Param p : params) {
          if (up.get(p.node())) {
            out.putIfAbsent(p.name(), rule.info());
          }
        }
      }
    }
    Map<String, RuleInfo> ordered = new LinkedHashMap<>();
    params.stream().filter(p -> out.containsKey(p.name())).forEach(p -> ordered.put(p.name(), out.get(p.name())));
    return ordered;
  }

  /**
   * A running average that a training step moves after its update (batch norm's running mean
   * and variance, as PyTorch's): param = (1 - momentum) param + momentum c stat, where stat is
   * the node of the step's batch statistic (as many elements as the parameter) and c is 1, or
   * n/(n - 1) with n the host scalar {@code count} (the values per statistic) for an unbiased
   * variance from a biased one ({@code count} -1 when c = 1).
   */
  public record Running(String param, int paramNode, int stat, int count, double momentum, Pos pos) {}

  /** An input or label: name, leaf node, shape with the batch dimension first. */
  public record Leaf(String name, int node, Shape shape, Pos pos) {}

  /**
   * A trainable parameter with its initialisation: the scheme, the gain (2 before a ReLU,
   * 1 otherwise) and the fans it is computed from. {@code thirdTo}: for a feedback matrix B, where
   * the third-pass gradient that reaches it goes ({@link FeedbackThird}); every other parameter
   * has {@code B}, which leaves its gradient where it is.
   */
  public record Param(String name, int node, Shape shape, Init init, double gain, int fanIn,
      int fanOut, Update update, String leader, FeedbackThird thirdTo) {
    public Param {
      java.util.Objects.requireNonNull(thirdTo, "thirdTo");
    }

    public Param(String name, int node, Shape shape, Init init, double gain, int fanIn, int fanOut, Update update,
        String leader) {
      this(name, node, shape, init, gain, fanIn, fanOut, update, leader, FeedbackThird.B);
    }

    public Param(String name, int node, Shape shape, Init init, double gain, int fanIn, int fanOut) {
      this(name, node, shape, init, gain, fanIn, fanOut, Update.OWN, null);
    }

    public Param withGain(double g) {
      return new Param(name, node, shape, init, g, fanIn, fanOut, update, leader, thirdTo);
    }

    public Param withThirdTo(FeedbackThird t) {
      return new Param(name, node, shape, init, gain, fanIn, fanOut, update, leader, t);
    }
  }

  /**
   * How a parameter moves: by its own gradient, not at all (a fixed feedback matrix), or by
   * the update of its leader (a feedback matrix that receives W's update, R* of the asymmetric-backprop report).
   */
  public enum Update { OWN, FIXED, FOLLOW }

  public Leaf input(String n) {
    return inputs.stream().filter(l -> l.name().equals(n)).findFirst().orElseThrow();
  }
}
