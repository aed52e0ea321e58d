package dev.bpnet.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizersTest {
  @Test
  void createsEachOptimizerWithDefaultsAndOverrides() {
    assertEquals(0.01, Optimizers.create("sgd", Map.of(), 1).learningRate());
    assertEquals(0.2, Optimizers.create("sgd", Map.of("lr", 0.2), 1).learningRate());
    assertInstanceOf(Momentum.class, Optimizers.create("momentum", Map.of("nesterov", 1.0), 1));
    assertInstanceOf(Adam.class, Optimizers.create("adam", Map.of("lr", 0.01), 1));
    var r = (ReinforcedBackprop) Optimizers.create("reinforced", Map.of("raw", 1.0), 1);
    assertEquals(ReinforcedBackprop.Previous.RAW, r.previous());
    assertEquals(0.8 * 0.999, r.learningRate(), 1e-12);
  }

  @Test
  void unknownNamesAndArgumentsSayWhatIsKnown() {
    var e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adamw", Map.of(), 1));
    assertEquals("unknown optimizer 'adamw'; known: " + Optimizers.ARGUMENTS.keySet(), e.getMessage());
    var f = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("momentum", 0.9), 1));
    assertEquals("optimizer 'sgd' has no argument 'momentum'; it takes [lr, weight_decay]", f.getMessage());
  }
}
