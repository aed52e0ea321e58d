package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lowered optimizer: its update rule as an element-wise graph over {@link Leaves.RuleScalar}s
 * (hyperparameters, t, epoch, rate) and {@link Leaves.RuleElement}s (theta, g, state), applied
 * to every parameter the optimizer moves.
 *
 * @param name the optimizer's name as declared
 * @param hypers hyperparameter values as this model uses them (defaults overridden by its train
 *     block), in declaration order
 * @param graph the rule's values
 * @param states per-parameter state arrays, in declaration order
 * @param theta the parameter's value before the update is added (the rule may change it first,
 *     as decoupled weight decay does), or the theta leaf itself
 * @param update the rule's update: the parameter becomes {@code theta + update}
 * @param next the parameter's new value, theta + update
 * @param ownRate the learning rate the rule defines ({@code rate = ...}), or the {@code lr}
 *     hyperparameter; -1 when it has neither (it then reads no rate and has no learning rate)
 * @param steps the rule's assignments in order, for the generated code's comments
 * @param pos where the optimizer is declared
 */
public record UpdateRule(String name, Map<String, Double> hypers, Graph graph, List<State> states, int theta,
    int update, int next, int ownRate, List<Step> steps, Pos pos) {
  public UpdateRule {
    hypers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hypers));
    states = List.copyOf(states);
    steps = List.copyOf(steps);
  }

  /** A state array: its initial value (made once, from theta and hyperparameters) and its value after a step. */
  public record State(String name, int init, int next, String text, Pos pos) {}

  /** An assignment of the rule: the name it sets, its value, its source text and line. */
  public record Step(String name, int node, String text, Pos pos) {}

  /** Whether the rule draws random masks (it then keeps a seeded generator, checkpointed). */
  public boolean random() {
    return graph.nodes().stream().anyMatch(n -> n.op() instanceof Leaves.Bernoulli);
  }
}
