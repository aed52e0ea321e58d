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

  public static Optimizer create(String name, Map<String, Double> given, long seed) {
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
    return switch (name) {
      case "sgd" -> new Sgd(a.get("lr"));
      case "momentum" -> new Momentum(a.get("lr"), a.get("momentum"), a.get("nesterov") != 0);
      case "adam" -> new Adam(a.get("lr"), a.get("beta1"), a.get("beta2"), a.get("eps"));
      default -> new ReinforcedBackprop(a.get("lr"), a.get("beta"), a.get("floor"), a.get("gamma0"), a.get("lambda"),
          a.get("raw") != 0 ? ReinforcedBackprop.Previous.RAW : ReinforcedBackprop.Previous.REINFORCED, seed);
    };
  }

  private static Map<String, Double> ordered(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
