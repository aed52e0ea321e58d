package dev.bpnet.dsl;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random batches for tests, made with java.util.Random (independent of ND4J's RNG). */
public final class TestData {
  private TestData() {}

  public static INDArray gaussian(Random r, DataType dt, int rows, int cols) {
    double[][] v = new double[rows][cols];
    for (double[] row : v) {
      for (int j = 0; j < cols; j++) {
        row[j] = r.nextGaussian();
      }
    }
    return Nd4j.createFromArray(v).castTo(dt);
  }

  /** One-hot labels, each row a random class. */
  public static INDArray oneHot(Random r, DataType dt, int rows, int classes) {
    double[][] v = new double[rows][classes];
    for (double[] row : v) {
      row[r.nextInt(classes)] = 1;
    }
    return Nd4j.createFromArray(v).castTo(dt);
  }

  /**
   * Adds scale * N(0, 1) noise to every parameter, in order: gradients are checked at a generic
   * point (zero biases would put ReLU layers exactly on their kinks).
   */
  public static void perturb(dev.bpnet.runtime.Trainer t, Random r, double scale) {
    for (INDArray p : t.parameters().values()) {
      p.addi(gaussian(r, DataType.DOUBLE, 1, (int) p.length()).reshape(p.shape()).muli(scale));
    }
  }

  public static double[][] toArray(INDArray a) {
    return a.castTo(DataType.DOUBLE).toDoubleMatrix();
  }
}
