package dev.bpnet.runtime.optim;

import static dev.bpnet.runtime.optim.OptimTesting.allocatedBy;
import static dev.bpnet.runtime.optim.OptimTesting.assertBitwiseEqual;
import static dev.bpnet.runtime.optim.OptimTesting.bitwiseEqual;
import static dev.bpnet.runtime.optim.OptimTesting.copies;
import static dev.bpnet.runtime.optim.OptimTesting.doubles;
import static dev.bpnet.runtime.optim.OptimTesting.gaussians;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.optim.ReinforcedBackprop.Previous;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ReinforcedBackpropTest {
  private static final long[][] SHAPES = {{30, 20}, {20}, {20, 7}};

  /**
   * Reads the mask from g_prev before and after it is applied: a kept element is unchanged, a
   * dropped one is zero. Elements of g_prev that are zero carry no information (and no effect).
   */
  private static final class MaskReader implements ReinforcedBackprop.MaskProbe {
    double[][] masks;
    double[] before;
    long kept;
    long informative;

    @Override
    public void before(int param, INDArray previous) {
      before = doubles(previous);
    }

    @Override
    public void after(int param, INDArray previous) {
      double[] after = doubles(previous);
      double[] mask = new double[after.length];
      for (int j = 0; j < after.length; j++) {
        if (before[j] != 0) {
          informative++;
          if (after[j] == before[j]) {
            mask[j] = 1;
            kept++;
          } else {
            assertEquals(0.0, after[j], "a masked element is either kept or zeroed");
          }
        } else {
          assertEquals(0.0, after[j]);
        }
      }
      masks[param] = mask;
    }
  }

  // (a) with (gamma0, lambda) = (1, 0) it is SGD, bit for bit

  @ParameterizedTest
  @CsvSource({"FLOAT", "DOUBLE"})
  void gammaOneNoDecayIsSgdBitForBit(DataType dt) {
    Random r = new Random(1);
    List<INDArray> a = gaussians(r, dt, SHAPES);
    List<INDArray> b = copies(a);
    var rbp = new ReinforcedBackprop(0.8, 1.0, 0.02, 1.0, 0.0, Previous.REINFORCED, 5);
    var sgd = new Sgd(0.8);
    for (int step = 1; step <= 20; step++) {
      rbp.setEpoch(step / 5);
      assertEquals(0.0, rbp.reinforceProbability());
      List<INDArray> dirs = gaussians(r, dt, SHAPES);
      rbp.update(a, dirs);
      sgd.update(b, dirs);
      assertBitwiseEqual(b, a, "step " + step);
    }
  }

  @ParameterizedTest
  @CsvSource({"FLOAT", "DOUBLE"})
  void learningRateIsEtaZeroBetaToTheTWithAFloor(DataType dt) {
    Random r = new Random(2);
    List<INDArray> a = gaussians(r, dt, SHAPES);
    List<INDArray> b = copies(a);
    var rbp = new ReinforcedBackprop(0.8, 0.7, 0.05, 1.0, 0.0, Previous.RAW, 5);
    for (int t = 1; t <= 20; t++) {
      double eta = Math.max(0.05, 0.8 * Math.pow(0.7, t));
      assertEquals(eta, rbp.learningRate(), "eta(" + t + ")");
      List<INDArray> dirs = gaussians(r, dt, SHAPES);
      rbp.update(a, dirs);
      new Sgd(eta).update(b, dirs);
      assertBitwiseEqual(b, a, "step " + t);
      assertEquals(t, rbp.steps());
    }
    assertEquals(0.05, rbp.learningRate());  // 0.8 * 0.7^t < 0.05 from t = 8
  }

  // (b) the fraction of reinforced elements is 1 - gamma^t

  @Test
  void reinforcedFractionIsOneMinusGammaToTheT() {
    long[][] shapes = {{250, 400}, {1000}};  // 101,000 elements
    double gamma0 = 0.97;
    double lambda = 0.05;
    int stepsPerEpoch = 6;
    Random r = new Random(3);
    List<INDArray> params = gaussians(r, DataType.FLOAT, shapes);
    var rbp = new ReinforcedBackprop(0.01, 1.0, 0.0, gamma0, lambda, Previous.REINFORCED, 9);
    MaskReader reader = new MaskReader();
    reader.masks = new double[shapes.length][];
    rbp.probe = reader;
    System.out.println("epoch  t  gamma     1-gamma^t  measured   elements  z");
    double worst = 0;
    for (int t = 1; t <= 4 * stepsPerEpoch; t++) {
      int epoch = (t - 1) / stepsPerEpoch;
      rbp.setEpoch(epoch);
      double gamma = gamma0 * Math.exp(-lambda * epoch);
      double p = 1 - Math.pow(gamma, t);
      assertEquals(p, rbp.reinforceProbability(), "t = " + t);
      reader.kept = 0;
      reader.informative = 0;
      rbp.update(params, gaussians(r, DataType.FLOAT, shapes));
      if (t == 1) {
        assertEquals(0, reader.informative, "g_prev is zero before the first update");
        continue;
      }
      assertEquals(101_000, reader.informative, "gaussian gradients are never exactly zero");
      double measured = (double) reader.kept / reader.informative;
      double z = (measured - p) / Math.sqrt(p * (1 - p) / reader.informative);
      System.out.printf("%5d %2d  %.6f  %.6f   %.6f   %d  %+.2f%n",
          epoch, t, gamma, p, measured, reader.informative, z);
      worst = Math.max(worst, Math.abs(z));
      assertTrue(Math.abs(z) < 5, "t = " + t + ": " + measured + " vs " + p + ", z = " + z);
    }
    System.out.printf("largest |z| = %.2f%n", worst);
  }

  // (c) reproducible with a seed

  @ParameterizedTest
  @CsvSource({"FLOAT, paper", "DOUBLE, paper", "FLOAT, mid", "DOUBLE, mid"})
  void sameSeedSameRunOtherSeedOtherRun(DataType dt, String setting) {
    List<INDArray> first = run(dt, setting, 11);
    assertBitwiseEqual(first, run(dt, setting, 11), "same seed");
    assertFalse(bitwiseEqual(first, run(dt, setting, 12)), "another seed gives another run");
  }

  private static List<INDArray> run(DataType dt, String setting, long seed) {
    Random r = new Random(4);
    List<INDArray> params = gaussians(r, dt, SHAPES);
    var rbp = setting.equals("paper") ? ReinforcedBackprop.paperDefaults(seed)
        : new ReinforcedBackprop(0.5, 0.99, 0.01, 0.8, 0.1, Previous.REINFORCED, seed);
    for (int t = 1; t <= 12; t++) {
      rbp.setEpoch((t - 1) / 3);
      rbp.update(params, gaussians(r, dt, SHAPES));
    }
    return params;
  }

  // (d) both readings of g_prev against plain Java with the same mask

  @ParameterizedTest(name = "{0} gamma0 {1} lambda {2} {3}")
  @CsvSource({
      "REINFORCED, 0.9, 0.1, DOUBLE", "RAW, 0.9, 0.1, DOUBLE",
      "REINFORCED, 1.0, 0.3, DOUBLE", "RAW, 1.0, 0.3, DOUBLE",  // epoch 0 never reinforces
      "REINFORCED, 1e-200, 0, DOUBLE", "RAW, 1e-200, 0, DOUBLE",  // always reinforces
      "REINFORCED, 0.9, 0.1, FLOAT", "RAW, 0.9, 0.1, FLOAT"})
  void matchesAPlainJavaReference(Previous previous, double gamma0, double lambda, DataType dt) {
    double eta0 = 0.5;
    double beta = 0.9;
    double floor = 0.1;
    Random r = new Random(5);
    List<INDArray> params = gaussians(r, dt, SHAPES);
    double[][] theta = new double[SHAPES.length][];
    double[][] gPrev = new double[SHAPES.length][];
    for (int k = 0; k < SHAPES.length; k++) {
      theta[k] = doubles(params.get(k));
      gPrev[k] = new double[theta[k].length];
    }
    var rbp = new ReinforcedBackprop(eta0, beta, floor, gamma0, lambda, previous, 21);
    MaskReader reader = new MaskReader();
    rbp.probe = reader;
    double tol = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
    for (int t = 1; t <= 18; t++) {
      rbp.setEpoch((t - 1) / 6);
      double p = rbp.reinforceProbability();
      double eta = Math.max(floor, eta0 * Math.pow(beta, t));
      assertEquals(eta, rbp.learningRate());
      List<INDArray> dirs = gaussians(r, dt, SHAPES);
      reader.masks = new double[SHAPES.length][];
      rbp.update(params, dirs);
      for (int k = 0; k < SHAPES.length; k++) {
        double[] mask = reader.masks[k];
        if (mask == null) {  // no mask drawn: all zeros at p = 0, all ones at p = 1
          assertTrue(p == 0 || p == 1, "p = " + p);
          mask = new double[theta[k].length];
          java.util.Arrays.fill(mask, p);
        }
        double[] g = doubles(dirs.get(k));
        for (int j = 0; j < g.length; j++) {
          double gNew = g[j] + mask[j] * gPrev[k][j];
          theta[k][j] -= eta * gNew;
          gPrev[k][j] = previous == Previous.REINFORCED ? gNew : g[j];
        }
        assertArrayEquals(theta[k], doubles(params.get(k)), tol, "t = " + t + ", param " + k);
      }
    }
  }

  // (e) no allocation per step

  @ParameterizedTest(name = "gamma0 {0} lambda {1} {2} {3}")
  @CsvSource({"0.9995, 1e-4, REINFORCED, FLOAT", "0.9, 0.1, RAW, DOUBLE",
      "1.0, 0.0, REINFORCED, FLOAT", "1.0, 0.2, RAW, FLOAT", "1e-200, 0, REINFORCED, DOUBLE"})
  void stepsAfterTheFirstAllocateNothing(double gamma0, double lambda, Previous previous,
      DataType dt) {
    Random r = new Random(6);
    List<INDArray> params = gaussians(r, dt, SHAPES);
    List<INDArray> dirs = gaussians(r, dt, SHAPES);
    var rbp = new ReinforcedBackprop(0.8, 0.999, 0.02, gamma0, lambda, previous, 3);
    rbp.update(params, dirs);
    assertEquals(0L, allocatedBy(() -> {
      for (int epoch = 0; epoch < 3; epoch++) {
        rbp.setEpoch(epoch);
        rbp.update(params, dirs);
        rbp.update(params, dirs);
      }
    }));
  }

  @Test
  void paperDefaultsAreThePapersSetting() {
    var rbp = ReinforcedBackprop.paperDefaults(1);
    assertEquals(0.8 * 0.999, rbp.learningRate());
    assertEquals(1 - 0.9995, rbp.reinforceProbability(), 1e-16);
    assertEquals(Previous.REINFORCED, rbp.previous());
    rbp.setEpoch(100);
    assertEquals(0.9995 * Math.exp(-0.01), rbp.gamma(), 1e-16);
    assertNull(rbp.probe);
    assertNotNull(ReinforcedBackprop.Previous.valueOf("RAW"));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class,
        () -> new ReinforcedBackprop(0.8, 0.999, 0.02, 1.01, 0, Previous.RAW, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ReinforcedBackprop(0.8, 0.999, 0.02, 0.99, -1, Previous.RAW, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ReinforcedBackprop(0.8, 1.5, 0.02, 0.99, 0, Previous.RAW, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ReinforcedBackprop(0, 0.999, 0.02, 0.99, 0, Previous.RAW, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new ReinforcedBackprop(0.8, 0.999, 0.02, 0.99, 0, null, 1));
    assertThrows(IllegalArgumentException.class, () -> ReinforcedBackprop.paperDefaults(1).setEpoch(-1));
  }
}
