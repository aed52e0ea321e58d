package dev.bpnet.runtime.optim;

import static dev.bpnet.runtime.optim.OptimTesting.allocatedBy;
import static dev.bpnet.runtime.optim.OptimTesting.assertBitwiseEqual;
import static dev.bpnet.runtime.optim.OptimTesting.copies;
import static dev.bpnet.runtime.optim.OptimTesting.doubles;
import static dev.bpnet.runtime.optim.OptimTesting.gaussians;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * weight_decay in every optimizer, made by {@link Optimizers#create} as a train block asks for it,
 * against textbook loops on plain doubles: L2 in the gradient for sgd and momentum (PyTorch's SGD),
 * decoupled for adam (PyTorch's AdamW); reinforced against itself fed g + lambda theta by hand.
 */
class WeightDecayTest {
  private static final long[][] SHAPES = {{6, 4}, {4}, {2, 3, 2}};
  private static final int STEPS = 8;

  /** One textbook update of parameter k, element j: theta, the optimizer's state, the gradient. */
  interface Textbook {
    void update(int t, double[] theta, double[] m, double[] v, double[] g);
  }

  private static void check(Map<String, Double> args, Textbook ref) {
    Random r = new Random(11);
    List<INDArray> params = gaussians(r, DataType.DOUBLE, SHAPES);
    List<double[]> theta = new ArrayList<>();
    List<double[]> m = new ArrayList<>();
    List<double[]> v = new ArrayList<>();
    for (INDArray p : params) {
      theta.add(doubles(p));
      m.add(new double[(int) p.length()]);
      v.add(new double[(int) p.length()]);
    }
    Optimizer opt = Optimizers.create(args.containsKey("beta1") ? "adam" : args.containsKey("momentum") ? "momentum" : "sgd",
        args, 1);
    for (int t = 1; t <= STEPS; t++) {
      List<INDArray> dirs = gaussians(r, DataType.DOUBLE, SHAPES);
      List<INDArray> given = copies(dirs);
      opt.update(params, dirs);
      assertBitwiseEqual(given, dirs, "the directions are not changed");
      for (int k = 0; k < SHAPES.length; k++) {
        ref.update(t, theta.get(k), m.get(k), v.get(k), doubles(dirs.get(k)));
        assertArrayEquals(theta.get(k), doubles(params.get(k)), 1e-12, "step " + t + " param " + k);
      }
    }
  }

  @ParameterizedTest(name = "lr {0} weight_decay {1}")
  @CsvSource({"0.1, 0.01", "0.05, 0.5"})
  void sgdAddsL2ToTheGradient(double lr, double wd) {
    check(Map.of("lr", lr, "weight_decay", wd), (t, th, m, v, g) -> {
      for (int j = 0; j < th.length; j++) {
        th[j] -= lr * (g[j] + wd * th[j]);
      }
    });
  }

  @ParameterizedTest(name = "nesterov {0}")
  @CsvSource({"0", "1"})
  void momentumAddsL2ToTheGradientBeforeTheVelocity(double nesterov) {
    double lr = 0.05;
    double mu = 0.9;
    double wd = 0.1;
    check(Map.of("lr", lr, "momentum", mu, "nesterov", nesterov, "weight_decay", wd), (t, th, m, v, g) -> {
      for (int j = 0; j < th.length; j++) {
        double d = g[j] + wd * th[j];
        m[j] = mu * m[j] + d;
        th[j] -= lr * (nesterov != 0 ? d + mu * m[j] : m[j]);
      }
    });
  }

  @ParameterizedTest(name = "lr {0} weight_decay {1}")
  @CsvSource({"0.01, 0.1", "0.1, 0.01"})
  void adamDecaysApartFromItsMomentsAsAdamW(double lr, double wd) {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    check(Map.of("lr", lr, "beta1", b1, "beta2", b2, "eps", eps, "weight_decay", wd), (t, th, m, v, g) -> {
      for (int j = 0; j < th.length; j++) {
        th[j] *= 1 - lr * wd;
        m[j] = b1 * m[j] + (1 - b1) * g[j];
        v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
        th[j] -= lr * (m[j] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[j] / (1 - Math.pow(b2, t))) + eps);
      }
    });
  }

  /** Reinforced backprop is random: with decay it moves exactly as without, fed g + lambda theta. */
  @Test
  void reinforcedReceivesTheDecayedGradient() {
    double wd = 0.05;
    Random r = new Random(12);
    List<INDArray> a = gaussians(r, DataType.DOUBLE, SHAPES);
    List<INDArray> b = copies(a);
    Optimizer decayed = Optimizers.create("reinforced", Map.of("lr", 0.3, "weight_decay", wd), 5);
    Optimizer plain = Optimizers.create("reinforced", Map.of("lr", 0.3), 5);
    for (int t = 1; t <= STEPS; t++) {
      decayed.startEpoch(t / 3);
      plain.startEpoch(t / 3);
      List<INDArray> dirs = gaussians(r, DataType.DOUBLE, SHAPES);
      List<INDArray> byHand = new ArrayList<>();
      for (int k = 0; k < SHAPES.length; k++) {
        byHand.add(dirs.get(k).add(b.get(k).mul(wd)));
      }
      decayed.update(a, dirs);
      plain.update(b, byHand);
      for (int k = 0; k < SHAPES.length; k++) {
        assertArrayEquals(doubles(b.get(k)), doubles(a.get(k)), 1e-15, "step " + t + " param " + k);
      }
    }
    assertEquals(plain.state().keySet(), decayed.state().keySet(), "the checkpointed state is the optimizer's own");
  }

  @Test
  void zeroDecayIsTheOptimizerItselfAndDecayedStepsAllocateNothing() {
    assertTrue(Optimizers.create("sgd", Map.of("weight_decay", 0.0), 1) instanceof Sgd);
    Random r = new Random(13);
    List<INDArray> params = gaussians(r, DataType.FLOAT, SHAPES);
    List<INDArray> dirs = gaussians(r, DataType.FLOAT, SHAPES);
    Optimizer opt = Optimizers.create("momentum", Map.of("lr", 0.1, "weight_decay", 0.1), 1);
    opt.update(params, dirs);
    assertEquals(0L, allocatedBy(() -> opt.update(params, dirs)));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("weight_decay", -1.0), 1));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", Map.of("weight_decay", -1.0), 1));
  }
}
