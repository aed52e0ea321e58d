package dev.bpnet.runtime.optim;

import dev.bpnet.runtime.Optimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizers by the names models use, with their arguments and defaults. The compiler checks
 * names and values against {@link #ARGUMENTS} before generating code that calls {@link #create}.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Each optimizer's arguments with their defaults; flags (nesterov, raw) are 0 or 1. */
  public static final Map<String, Map<String, Double>> ARGUMENTS = Map.of(
      "sgd", ordered("lr", 0.01),
      "momentum", ordered("lr", 0.01, "momentum", 0.9, "nesterov", 0.0),
      "adam", ordered("lr", 0.001, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8),
      "reinforced", ordered("lr", 0.8, "beta", 0.999, "floor", 0.02, "gamma0", 0.9995, "lambda", 0.0001, "raw", 0.0));

  /** Arguments that take a word in the language, with the words for 0 and 1. */
  public static final Map<String, List<String>> FLAGS = Map.of(
      "nesterov", List.of("false", "true"), "raw", List.of("false", "true"));

  /** The optimizer with its own learning rate ({@link #ownSchedule}). */
  public static Optimizer create(String name, Map<String, Double> given, long seed) {
    return create(name, given, null, seed);
  }

  /**
   * The optimizer with its learning rate following {@code schedule} from its {@code lr}; null
   * means its own ({@link #ownSchedule}). A schedule given replaces reinforced's beta and floor.
   */
  public static Optimizer create(String name, Map<String, Double> given, Schedule schedule, long seed) {
    Map<String, Double> a = arguments(name, given);
    Schedule s = schedule != null ? schedule : Schedule.NONE;  // reinforced makes its own below
    return switch (name) {
      case "sgd" -> new Sgd(a.get("lr"), s);
      case "momentum" -> new Momentum(a.get("lr"), a.get("momentum"), a.get("nesterov") != 0, s);
      case "adam" -> new Adam(a.get("lr"), a.get("beta1"), a.get("beta2"), a.get("eps"), s);
      default -> schedule == null
          ? new ReinforcedBackprop(a.get("lr"), a.get("beta"), a.get("floor"), a.get("gamma0"), a.get("lambda"),
              previous(a), seed)
          : new ReinforcedBackprop(a.get("lr"), s, a.get("gamma0"), a.get("lambda"), previous(a), seed);
    };
  }

  /**
   * The learning-rate schedule an optimizer has when none is given: constant, except
   * reinforced's decay max(floor, lr * beta^t) (Haiping Huang and Taro Toyoizumi, "Reinforced
   * backpropagation improves test performance of deep networks: a toy-model study").
   */
  public static Schedule ownSchedule(String name, Map<String, Double> given) {
    Map<String, Double> a = arguments(name, given);
    return name.equals("reinforced") ? new Schedule.Exponential(a.get("beta"), a.get("floor")) : Schedule.NONE;
  }

  private static ReinforcedBackprop.Previous previous(Map<String, Double> a) {
    return a.get("raw") != 0 ? ReinforcedBackprop.Previous.RAW : ReinforcedBackprop.Previous.REINFORCED;
  }

  /** The defaults of {@code name}, overridden by {@code given}; unknown names are refused. */
  private static Map<String, Double> arguments(String name, Map<String, Double> given) {
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

  private static Map<String, Double> ordered(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
