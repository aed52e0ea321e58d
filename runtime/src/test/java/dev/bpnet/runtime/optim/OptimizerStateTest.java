package dev.bpnet.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * A damaged state is refused naming the array: a missing or fractional update count, missing
   * moments, moments laid out unlike their parameter. Started again at zero, any of them would
   * change the resumed run's results without a word.
   */
  @ParameterizedTest
  @ValueSource(strings = {"momentum", "adam", "reinforced"})
  void aDamagedStateIsRefusedNamingTheArray(String name) {
    Supplier<Optimizer> make = () -> Optimizers.create(name,
        name.equals("reinforced") ? Map.of("gamma0", 0.9, "lambda", 0.01) : Map.of(), 5);
    assertEquals(0L, make.get().state().get("t").getLong(0), "a fresh optimizer's state records t = 0");
    make.get().restoreState(make.get().state());
    Optimizer a = make.get();
    INDArray p = direction(-1);
    for (int i = 0; i < 3; i++) {
      a.update(List.of(p), List.of(direction(i)));
    }
    Map<String, INDArray> good = a.state();
    String moments = name.equals("momentum") ? "velocity" : name.equals("adam") ? "m" : "previous";
    Map<String, Map<String, INDArray>> damaged = new java.util.LinkedHashMap<>();
    damaged.put("t (the update count) is missing", without(good, "t"));
    damaged.put("t is a DOUBLE scalar 4.5", with(good, "t", Nd4j.scalar(4.5)));
    damaged.put("t is a LONG scalar -3", with(good, "t", Nd4j.scalar(-3L)));
    damaged.put(moments + "/0 is missing", without(good, moments + "/0"));
    damaged.put(moments + "/0 is a LONG array", with(good, moments + "/0", Nd4j.zeros(DataType.LONG, 7, 3)));
    damaged.put(moments + "/1 without " + moments + "/0", with(without(good, moments + "/0"), moments + "/1",
        good.get(moments + "/0")));
    for (Map.Entry<String, Map<String, INDArray>> d : damaged.entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> make.get().restoreState(d.getValue()), d.getKey());
      assertTrue(e.getMessage().contains(d.getKey()), d.getKey() + ": " + e.getMessage());
    }
    // laid out unlike the parameter: refused by the first update, before it moves anything
    Optimizer b = make.get();
    b.restoreState(with(good, moments + "/0", Nd4j.zeros(DataType.DOUBLE, 3, 7)));
    INDArray q = p.dup();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.update(List.of(q), List.of(direction(3))));
    assertTrue(e.getMessage().contains(moments + "/0 is [3, 7] DOUBLE, but the parameter it belongs to is [7, 3] DOUBLE"),
        e.getMessage());
    assertArrayEquals(p.data().asDouble(), q.data().asDouble(), 0.0);
    Optimizer c = make.get();
    Map<String, INDArray> extra = with(good, moments + "/1", good.get(moments + "/0"));
    c.restoreState(name.equals("adam") ? with(extra, "v/1", good.get("v/0")) : extra);
    e = assertThrows(IllegalArgumentException.class, () -> c.update(List.of(q.dup()), List.of(direction(3))));
    assertTrue(e.getMessage().contains(moments + "/1 belongs to no parameter"), e.getMessage());
  }

  private static Map<String, INDArray> without(Map<String, INDArray> m, String key) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>(m);
    assertNotNull(out.remove(key), key);
    return out;
  }

  private static Map<String, INDArray> with(Map<String, INDArray> m, String key, INDArray value) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>(m);
    out.put(key, value);
    return out;
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
