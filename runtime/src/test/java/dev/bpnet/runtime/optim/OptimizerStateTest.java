package dev.bpnet.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.runtime.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * state() and restoreState(): an optimizer restored into a fresh instance continues exactly as
 * the original would have, reinforced backprop's random masks included.
 */
class OptimizerStateTest {
  @ParameterizedTest
  @ValueSource(strings = {"momentum", "adam", "reinforced"})
  void aRestoredOptimizerContinuesBitForBit(String name) {
    Supplier<Optimizer> make = () -> Optimizers.create(name,
        name.equals("reinforced") ? Map.of("gamma0", 0.9, "lambda", 0.01) : Map.of(), 5);
    Optimizer a = make.get();
    INDArray p = direction(-1);
    for (int i = 0; i < 5; i++) {
      a.update(List.of(p), List.of(direction(i)));
    }
    Map<String, INDArray> saved = a.state();
    INDArray q = p.dup();
    Optimizer b = make.get();
    b.restoreState(saved);
    for (int i = 5; i < 12; i++) {
      a.update(List.of(p), List.of(direction(i)));
      b.update(List.of(q), List.of(direction(i)));
    }
    assertArrayEquals(p.data().asDouble(), q.data().asDouble(), 0.0);
    assertEquals(a.state().keySet(), b.state().keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "momentum"})
  void stateOfAnotherOptimizerIsRefused(String name) {
    Optimizer adam = Optimizers.create("adam", Map.of(), 1);
    adam.update(List.of(Nd4j.ones(DataType.DOUBLE, 2)), List.of(Nd4j.ones(DataType.DOUBLE, 2)));
    Optimizer o = Optimizers.create(name, Map.of(), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.restoreState(adam.state()));
    System.out.println(e.getMessage());
  }

  private static INDArray direction(int i) {
    java.util.Random r = new java.util.Random(100 + i);
    double[] v = new double[21];
    for (int k = 0; k < v.length; k++) {
      v[k] = r.nextDouble() - 0.5;
    }
    return Nd4j.create(v, new long[] {7, 3}, DataType.DOUBLE);
  }
}
