package dev.bpnet.runtime.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InitializersTest {
  static double variance(INDArray a) {
    return a.castTo(DataType.DOUBLE).varNumber().doubleValue();
  }

  @Test
  void variancesFollowTheirFormulas() {
    long[] shape = {300, 200};
    // 60,000 samples: the sample variance is within about 1% of the true one
    assertEquals(2.0 / 500, variance(Initializers.create("xavier", shape, 1, 300, 200, 1, "w", DataType.DOUBLE)), 2.0 / 500 * 0.03);
    assertEquals(2.0 / 300, variance(Initializers.create("kaiming", shape, 2, 300, 200, 1, "w", DataType.DOUBLE)), 2.0 / 300 * 0.03);
    assertEquals(1.0 / 300, variance(Initializers.create("kaiming", shape, 1, 300, 200, 1, "w", DataType.DOUBLE)), 1.0 / 300 * 0.03);
    double threePass = 2.0 / Math.sqrt(300 * 200);
    assertEquals(threePass, variance(Initializers.create("three_pass", shape, 2, 300, 200, 1, "w", DataType.DOUBLE)), threePass * 0.03);
    assertEquals(0.0, Initializers.create("zeros", new long[] {5}, 1, 1, 5, 1, "b", DataType.FLOAT).amaxNumber().doubleValue());
  }

  @Test
  void seededPerParameterName() {
    INDArray a = Initializers.create("kaiming", new long[] {4, 3}, 2, 4, 3, 9, "h.W", DataType.FLOAT);
    INDArray b = Initializers.create("kaiming", new long[] {4, 3}, 2, 4, 3, 9, "h.W", DataType.FLOAT);
    INDArray c = Initializers.create("kaiming", new long[] {4, 3}, 2, 4, 3, 9, "out.W", DataType.FLOAT);
    INDArray d = Initializers.create("kaiming", new long[] {4, 3}, 2, 4, 3, 10, "h.W", DataType.FLOAT);
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertNotEquals(a, d);
    assertEquals(DataType.FLOAT, a.dataType());
  }

  @Test
  void unknownSchemeNamesTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.create("he", new long[] {2}, 1, 1, 2, 1, "w", DataType.FLOAT));
    assertEquals("unknown initialiser 'he'; known: [xavier, kaiming, three_pass, zeros, ones]", e.getMessage());
  }

  @Test
  void onesAreOnes() {
    INDArray g = Initializers.create("ones", new long[] {3}, 1, 3, 3, 1, "ln.g", DataType.DOUBLE);
    assertEquals(Nd4j.ones(DataType.DOUBLE, 3), g);
  }
}
