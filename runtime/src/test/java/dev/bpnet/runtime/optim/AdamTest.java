package dev.bpnet.runtime.optim;

import static dev.bpnet.runtime.optim.OptimTesting.allocatedBy;
import static dev.bpnet.runtime.optim.OptimTesting.doubles;
import static dev.bpnet.runtime.optim.OptimTesting.gaussians;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdamTest {
  // sizes go up and down so the shared scratch is lent at several sizes
  private static final long[][] SHAPES = {{7, 5}, {5}, {3, 4, 2}};

  /** Kingma and Ba, Algorithm 1, on plain doubles. */
  private static final class Reference {
    final double lr;
    final double b1;
    final double b2;
    final double eps;
    final double[][] theta;
    final double[][] m;
    final double[][] v;
    int t;

    Reference(double lr, double b1, double b2, double eps, List<INDArray> params) {
      this.lr = lr;
      this.b1 = b1;
      this.b2 = b2;
      this.eps = eps;
      theta = new double[params.size()][];
      m = new double[params.size()][];
      v = new double[params.size()][];
      for (int k = 0; k < params.size(); k++) {
        theta[k] = doubles(params.get(k));
        m[k] = new double[theta[k].length];
        v[k] = new double[theta[k].length];
      }
    }

    void update(List<INDArray> dirs) {
      t++;
      for (int k = 0; k < theta.length; k++) {
        double[] g = doubles(dirs.get(k));
        for (int j = 0; j < g.length; j++) {
          m[k][j] = b1 * m[k][j] + (1 - b1) * g[j];
          v[k][j] = b2 * v[k][j] + (1 - b2) * g[j] * g[j];
          double mHat = m[k][j] / (1 - Math.pow(b1, t));
          double vHat = v[k][j] / (1 - Math.pow(b2, t));
          theta[k][j] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
      }
    }
  }

  @ParameterizedTest(name = "lr {0} b1 {1} b2 {2} eps {3}")
  @CsvSource({"0.01, 0.9, 0.999, 1e-8", "0.1, 0.5, 0.9, 1e-3", "0.001, 0.0, 0.99, 1e-8",
      "0.05, 0.9, 0.999, 1.0"})
  void matchesTheTextbookLoop(double lr, double b1, double b2, double eps) {
    Random r = new Random(6);
    List<INDArray> params = gaussians(r, DataType.DOUBLE, SHAPES);
    Reference ref = new Reference(lr, b1, b2, eps, params);
    Adam opt = new Adam(lr, b1, b2, eps);
    for (int step = 1; step <= 10; step++) {
      List<INDArray> dirs = gaussians(r, DataType.DOUBLE, SHAPES);
      dirs.get(1).muli(step * 0.3);  // gradients of changing scale
      opt.update(params, dirs);
      ref.update(dirs);
      for (int k = 0; k < SHAPES.length; k++) {
        assertArrayEquals(ref.theta[k], doubles(params.get(k)), 1e-12, "step " + step + " param " + k);
      }
    }
  }

  @Test
  void mixedFloatAndDoubleParametersEachGetTheirOwnScratch() {
    Random r = new Random(7);
    List<INDArray> params = new ArrayList<>(gaussians(r, DataType.DOUBLE, SHAPES));
    params.addAll(gaussians(r, DataType.FLOAT, new long[] {9, 9}, new long[] {2}));
    Reference ref = new Reference(0.01, 0.9, 0.999, 1e-8, params);
    Adam opt = new Adam(0.01);
    for (int step = 1; step <= 6; step++) {
      List<INDArray> dirs = new ArrayList<>(gaussians(r, DataType.DOUBLE, SHAPES));
      dirs.addAll(gaussians(r, DataType.FLOAT, new long[] {9, 9}, new long[] {2}));
      opt.update(params, dirs);
      ref.update(dirs);
    }
    for (int k = 0; k < params.size(); k++) {
      double tol = params.get(k).dataType() == DataType.FLOAT ? 1e-5 : 1e-12;
      assertArrayEquals(ref.theta[k], doubles(params.get(k)), tol, "param " + k);
    }
  }

  @ParameterizedTest
  @CsvSource({"FLOAT", "DOUBLE"})
  void stepsAfterTheFirstAllocateNothing(DataType dt) {
    Random r = new Random(8);
    List<INDArray> params = gaussians(r, dt, SHAPES);
    List<INDArray> dirs = gaussians(r, dt, SHAPES);
    Adam opt = new Adam(0.01);
    opt.update(params, dirs);
    assertEquals(0L, allocatedBy(() -> {
      for (int i = 0; i < 3; i++) {
        opt.update(params, dirs);
      }
    }));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new Adam(-1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, 0.999, 0));
  }
}
