package dev.bpnet.runtime.optim;

import dev.bpnet.api.OptimizerSpec;
import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.Map;

/**
 * Makes optimizers by the names models use. The names, arguments and defaults are the api's
 * ({@link OptimizerSpec#ARGUMENTS}), which the compiler checks a train block against before
 * generating code that calls {@link #create}.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Each optimizer's arguments with their defaults ({@link OptimizerSpec#ARGUMENTS}). */
  public static final Map<String, Map<String, Double>> ARGUMENTS = OptimizerSpec.ARGUMENTS;

  /** The optimizer with its own learning rate ({@link OptimizerSpec#ownSchedule}). */
  public static Optimizer create(String name, Map<String, Double> given, long seed) {
    return create(name, given, null, seed);
  }

  /**
   * The optimizer with its learning rate following {@code schedule} from its {@code lr}; null
   * means its own ({@link OptimizerSpec#ownSchedule}). A schedule given replaces reinforced's beta and floor.
   */
  public static Optimizer create(String name, Map<String, Double> given, Schedule schedule, long seed) {
    Map<String, Double> a = OptimizerSpec.arguments(name, given);
    Schedule s = schedule != null ? schedule : Schedule.NONE;  // reinforced makes its own below
    double decay = a.get("weight_decay");
    if (!(decay >= 0) || Double.isInfinite(decay)) {
      throw new IllegalArgumentException("weight_decay must be 0 or a positive number, got " + decay);
    }
    if (name.equals("adam")) {  // decoupled: AdamW
      return new Adam(a.get("lr"), a.get("beta1"), a.get("beta2"), a.get("eps"), decay, s);
    }
    Optimizer o = switch (name) {
      case "sgd" -> new Sgd(a.get("lr"), s);
      case "momentum" -> new Momentum(a.get("lr"), a.get("momentum"), a.get("nesterov") != 0, s);
      default -> schedule == null
          ? new ReinforcedBackprop(a.get("lr"), a.get("beta"), a.get("floor"), a.get("gamma0"), a.get("lambda"),
              previous(a), seed)
          : new ReinforcedBackprop(a.get("lr"), s, a.get("gamma0"), a.get("lambda"), previous(a), seed);
    };
    return decay == 0 ? o : new WeightDecay(o, decay);  // coupled: L2 added to the gradient
  }

  private static ReinforcedBackprop.Previous previous(Map<String, Double> a) {
    return a.get("raw") != 0 ? ReinforcedBackprop.Previous.RAW : ReinforcedBackprop.Previous.REINFORCED;
  }
}
