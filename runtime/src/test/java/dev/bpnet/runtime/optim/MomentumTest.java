package dev.bpnet.runtime.optim;

import static dev.bpnet.runtime.optim.OptimTesting.allocatedBy;
import static dev.bpnet.runtime.optim.OptimTesting.assertBitwiseEqual;
import static dev.bpnet.runtime.optim.OptimTesting.copies;
import static dev.bpnet.runtime.optim.OptimTesting.doubles;
import static dev.bpnet.runtime.optim.OptimTesting.gaussians;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MomentumTest {
  private static final long[][] SHAPES = {{7, 5}, {5}, {3, 4, 2}};

  @ParameterizedTest(name = "lr {0} mu {1} nesterov {2}")
  @CsvSource({"0.1, 0.9, false", "0.05, 0.8, true", "0.3, 0.0, false", "0.3, 0.0, true"})
  void matchesTheTextbookLoop(double lr, double mu, boolean nesterov) {
    Random r = new Random(3);
    List<INDArray> params = gaussians(r, DataType.DOUBLE, SHAPES);
    double[][] theta = new double[SHAPES.length][];
    double[][] v = new double[SHAPES.length][];
    for (int k = 0; k < SHAPES.length; k++) {
      theta[k] = doubles(params.get(k));
      v[k] = new double[theta[k].length];
    }
    Momentum opt = new Momentum(lr, mu, nesterov);
    for (int step = 1; step <= 8; step++) {
      List<INDArray> dirs = gaussians(r, DataType.DOUBLE, SHAPES);
      opt.update(params, dirs);
      for (int k = 0; k < SHAPES.length; k++) {
        double[] g = doubles(dirs.get(k));
        for (int j = 0; j < g.length; j++) {
          v[k][j] = mu * v[k][j] + g[j];
          theta[k][j] -= lr * (nesterov ? g[j] + mu * v[k][j] : v[k][j]);
        }
        assertArrayEquals(theta[k], doubles(params.get(k)), 1e-12, "step " + step + " param " + k);
      }
    }
  }

  @Test
  void aParameterWhoseShapeChangesStartsAfresh() {
    Random r = new Random(4);
    Momentum used = new Momentum(0.1, 0.9, false);
    used.update(gaussians(r, DataType.DOUBLE, new long[] {3, 4}),
        gaussians(r, DataType.DOUBLE, new long[] {3, 4}));
    List<INDArray> a = gaussians(r, DataType.DOUBLE, new long[] {4, 3});
    List<INDArray> b = copies(a);
    Momentum fresh = new Momentum(0.1, 0.9, false);
    for (int step = 0; step < 3; step++) {
      List<INDArray> dirs = gaussians(r, DataType.DOUBLE, new long[] {4, 3});
      used.update(a, dirs);
      fresh.update(b, dirs);
    }
    assertBitwiseEqual(b, a, "after a shape change");
  }

  @ParameterizedTest(name = "{0} nesterov {1}")
  @CsvSource({"FLOAT, false", "FLOAT, true", "DOUBLE, true"})
  void stepsAfterTheFirstAllocateNothing(DataType dt, boolean nesterov) {
    Random r = new Random(5);
    List<INDArray> params = gaussians(r, dt, SHAPES);
    List<INDArray> dirs = gaussians(r, dt, SHAPES);
    Momentum opt = new Momentum(0.01, 0.9, nesterov);
    opt.update(params, dirs);
    assertEquals(0L, allocatedBy(() -> {
      for (int i = 0; i < 3; i++) {
        opt.update(params, dirs);
      }
    }));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new Momentum(0, 0.9, false));
    assertThrows(IllegalArgumentException.class, () -> new Momentum(0.1, 1.0, false));
    assertThrows(IllegalArgumentException.class, () -> new Momentum(0.1, -0.1, true));
  }
}
