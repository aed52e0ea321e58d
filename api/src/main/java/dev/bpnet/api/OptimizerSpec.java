package dev.bpnet.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An optimizer as a train block names it: {@code adam(lr = 0.001)} is {@code name} "adam" with
 * {@code args} {lr = 0.001}, the arguments written (defaults are filled in by {@link
 * #arguments}). The names and defaults live here because both sides need them: the compiler
 * checks a train block against them, the runtime's {@code Optimizers.create} builds the optimizer
 * from them.
 */
public record OptimizerSpec(String name, Map<String, Double> args) {

  /**
   * Each optimizer's arguments with their defaults; flags (nesterov, raw) are 0 or 1. Every one
   * takes {@code weight_decay}: L2 added to the gradient (sgd, momentum, reinforced), decoupled
   * from the moments in adam (AdamW).
   */
  public static final Map<String, Map<String, Double>> ARGUMENTS = Map.of(
      "sgd", Ordered.args("lr", 0.01, "weight_decay", 0.0),
      "momentum", Ordered.args("lr", 0.01, "momentum", 0.9, "nesterov", 0.0, "weight_decay", 0.0),
      "adam", Ordered.args("lr", 0.001, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0),
      "reinforced", Ordered.args("lr", 0.8, "beta", 0.999, "floor", 0.02, "gamma0", 0.9995, "lambda", 0.0001, "raw", 0.0,
          "weight_decay", 0.0));

  /** The argument every optimizer takes; 0, its default, is the same as not writing it. */
  public static final String WEIGHT_DECAY = "weight_decay";

  /** Arguments that take a word in the language, with the words for 0 and 1. */
  public static final Map<String, List<String>> FLAGS = Map.of(
      "nesterov", List.of("false", "true"), "raw", List.of("false", "true"));

  /**
   * A built-in optimizer ({@link #ARGUMENTS} names it) is checked here, so that a spec naming one
   * is one the runtime can make; any other name is an optimizer written in the language, whose
   * declaration the compiler checked the arguments against.
   *
   * @throws IllegalArgumentException for an unknown argument of a built-in, as the train block
   *     would report it
   */
  public OptimizerSpec {
    Objects.requireNonNull(name, "name");
    if (isBuiltin(name)) {
      arguments(name, args);
    }
    // sorted: generated code and dumps must not depend on hash order
    TreeMap<String, Double> sorted = new TreeMap<>(args);
    // no decay is no argument: trainers, dumps and checkpoints of runs without it stay as they were
    if (isBuiltin(name) && sorted.containsKey(WEIGHT_DECAY) && sorted.get(WEIGHT_DECAY) == 0) {
      sorted.remove(WEIGHT_DECAY);
    }
    args = Collections.unmodifiableMap(sorted);
  }

  /** This optimizer's arguments, a built-in's defaults filled in (a declared one's are in its declaration). */
  public Map<String, Double> arguments() {
    return isBuiltin(name) ? arguments(name, args) : args;
  }

  /** Whether {@code name} is a built-in optimizer rather than one declared in the language. */
  public static boolean isBuiltin(String name) {
    return ARGUMENTS.containsKey(name);
  }

  /**
   * The learning-rate schedule this optimizer has when none is given: constant, except
   * reinforced's decay max(floor, lr * beta^t) (Haiping Huang and Taro Toyoizumi, "Reinforced
   * backpropagation improves test performance of deep networks: a toy-model study").
   */
  public Schedule ownSchedule() {
    Map<String, Double> a = arguments();
    return name.equals("reinforced") ? new Schedule.Exponential(a.get("beta"), a.get("floor")) : Schedule.NONE;
  }

  /** As a train block writes it, the arguments given: {@code sgd(lr = 0.1)}. */
  public String describe() {
    return name + "(" + args.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
        .collect(Collectors.joining(", ")) + ")";
  }

  /**
   * The defaults of optimizer {@code name}, overridden by {@code given}.
   *
   * @throws IllegalArgumentException for an unknown optimizer or argument
   */
  public static Map<String, Double> arguments(String name, Map<String, Double> given) {
    Map<String, Double> defaults = ARGUMENTS.get(name);
    if (defaults == null) {
      throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: " + ARGUMENTS.keySet());
    }
    Map<String, Double> a = new LinkedHashMap<>(defaults);
    given.forEach((k, v) -> {
      if (!defaults.containsKey(k)) {
        throw new IllegalArgumentException("optimizer '" + name + "' has no argument '" + k + "'; it takes " + defaults.keySet());
      }
      a.put(k, v);
    });
    return a;
  }
}
