package dev.bpnet.runtime.data;

import dev.bpnet.api.DataSets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generated data sets of the papers' small experiments, as regression {@link Dataset}s
 * (labels are real-valued targets, not one-hot classes). Each is a pure function of its
 * arguments and seed: the same call gives bit-identical arrays on every machine, because the
 * numbers come from {@link Random}, whose algorithm the Java specification fixes.
 *
 * <ul>
 *   <li>{@code teacher_student} (Haiping Huang and Taro Toyoizumi, "Reinforced backpropagation
 *       improves test performance of deep networks: a toy-model study", section II): inputs
 *       v ~ N(0, I), targets y* = σ(W_g v) with a fixed teacher matrix W_g of independent
 *       N(0, 1) entries; 2n examples, the first n to train on, the last n to test on, as in the
 *       paper;
 *   <li>{@code cosine} (anonymous authors under double-blind review, "Difference back
 *       propagation with inverse sigmoid function", section 3): n points x ~ U(-1, 1),
 *       y = (1 + cos πx) / 2, a cosine scaled into (0, 1) for a sigmoid output; the paper does
 *       not split, so the test set is the training set;
 *   <li>{@code cubic} (Mehrdad Yazdani, "Linear Backprop in non-linear networks", section 1.1,
 *       after Wu et al. 2017): n points evenly spaced on [-1, 3], y = x³ − 3x² − x + 1 +
 *       N(0, noise²); tested against the noise-free curve on {@value #CURVE_POINTS} evenly
 *       spaced points of the same interval.
 * </ul>
 * The papers leave open the exact inputs of the cosine and cubic tasks and whether "N(0, 0.1)"
 * is a variance or a standard deviation; the choices above are the documented defaults.
 */
public final class Synthetic {
  private Synthetic() {}

  /** Lower end of the cubic's interval. */
  public static final double CUBIC_LOW = -1;
  /** Upper end of the cubic's interval: [-1, 3] holds two of its three roots and its extrema. */
  public static final double CUBIC_HIGH = 3;
  /** Points of the noise-free cubic the test set samples. */
  public static final int CURVE_POINTS = 101;
  /** The most examples {@link #trainAndTest} makes per set ({@link DataSets#MAX_EXAMPLES}). */
  public static final int MAX_EXAMPLES = DataSets.MAX_EXAMPLES;

  /** Each data set's arguments with their defaults, the papers' settings ({@link DataSets#GENERATED}). */
  public static final Map<String, Map<String, Double>> ARGUMENTS = DataSets.GENERATED;

  /** A training set and the set to test on. */
  public record TrainTest(Dataset train, Dataset test) {}

  /**
   * The named data set with the given arguments (missing ones take their defaults) for a model
   * with {@code inputs} features and {@code outputs} targets: teacher_student adapts its teacher
   * to these widths; cosine and cubic are 1 -> 1 whatever they are (the caller checks shapes).
   *
   * @throws IllegalArgumentException for an unknown name or argument, or a value out of range
   */
  public static TrainTest trainAndTest(String name, Map<String, Double> given, int inputs, int outputs,
      DataType dtype) {
    Map<String, Double> defaults = ARGUMENTS.get(name);
    if (defaults == null) {
      throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + ARGUMENTS.keySet());
    }
    Map<String, Double> a = new LinkedHashMap<>(defaults);
    given.forEach((k, v) -> {
      if (!defaults.containsKey(k)) {
        throw new IllegalArgumentException("data set '" + name + "' has no argument '" + k + "'; it takes " + defaults.keySet());
      }
      a.put(k, v);
    });
    double n = a.get("n");
    if (n != Math.rint(n) || n < 2 || n > MAX_EXAMPLES) {
      throw new IllegalArgumentException(name + ": n must be an integer from 2 to " + MAX_EXAMPLES + ", got " + n);
    }
    long seed = a.get("seed").longValue();
    return switch (name) {
      case "teacher_student" -> {
        Dataset.Split s = teacherStudent(2 * (int) n, inputs, outputs, seed, dtype).split((int) n);
        yield new TrainTest(s.first(), s.rest());
      }
      case "cosine" -> {
        Dataset d = cosine((int) n, seed, dtype);
        yield new TrainTest(d, d);
      }
      default -> new TrainTest(cubic((int) n, a.get("noise"), seed, dtype), cubicCurve(CURVE_POINTS, dtype));
    };
  }

  /**
   * The teacher W_g [outputs][inputs] of {@link #teacherStudent} with this seed: the first
   * {@code outputs * inputs} standard normal numbers of the seed's generator, row by row.
   */
  public static double[][] teacherWeights(int inputs, int outputs, long seed) {
    return teacher(new Random(seed), inputs, outputs);
  }

  /**
   * {@code examples} pairs (v, σ(W_g v)): features [examples, inputs] of independent N(0, 1)
   * numbers and labels [examples, outputs] in [0, 1], with W_g = {@link #teacherWeights}. The
   * teacher is drawn first, so a larger {@code examples} extends the same sequence of pairs.
   * With W_g v of standard deviation sqrt(inputs) most targets lie near 0 or 1, as in the paper.
   */
  public static Dataset teacherStudent(int examples, int inputs, int outputs, long seed, DataType dtype) {
    positive("examples", examples);
    positive("inputs", inputs);
    positive("outputs", outputs);
    Random random = new Random(seed);
    double[][] w = teacher(random, inputs, outputs);
    double[] x = new double[examples * inputs];
    double[] y = new double[examples * outputs];
    for (int m = 0; m < examples; m++) {
      for (int i = 0; i < inputs; i++) {
        x[m * inputs + i] = random.nextGaussian();
      }
      for (int j = 0; j < outputs; j++) {
        double h = 0;
        for (int i = 0; i < inputs; i++) {
          h += w[j][i] * x[m * inputs + i];
        }
        y[m * outputs + j] = sigmoid(h);
      }
    }
    return dataset(x, examples, inputs, y, outputs, dtype);
  }

  /** {@code points} pairs (x, {@link #cosineTarget}(x)) with x uniform in the open (-1, 1). */
  public static Dataset cosine(int points, long seed, DataType dtype) {
    positive("points", points);
    Random random = new Random(seed);
    double[] x = new double[points];
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      double v;
      do {
        v = 2 * random.nextDouble() - 1; // [-1, 1); -1 itself is redrawn to keep the interval open
      } while (v == -1);
      x[i] = v;
      y[i] = cosineTarget(v);
    }
    return dataset(x, points, 1, y, 1, dtype);
  }

  /**
   * {@code points} (at least 2) evenly spaced x from {@link #CUBIC_LOW} to {@link #CUBIC_HIGH},
   * both included, with y = {@link #cubicTarget}(x) + noise · N(0, 1).
   */
  public static Dataset cubic(int points, double noise, long seed, DataType dtype) {
    if (points < 2) {
      throw new IllegalArgumentException("points must be >= 2 to span the interval: " + points);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("noise must be a finite number >= 0: " + noise);
    }
    Random random = new Random(seed);
    double[] x = grid(points);
    double[] y = new double[points];
    for (int i = 0; i < points; i++) {
      y[i] = cubicTarget(x[i]) + noise * random.nextGaussian();
    }
    return dataset(x, points, 1, y, 1, dtype);
  }

  /** The noise-free cubic on {@code points} (at least 2) evenly spaced x of its interval. */
  public static Dataset cubicCurve(int points, DataType dtype) {
    return cubic(points, 0, 0, dtype);
  }

  /** The cosine task's target: cos(πx) scaled from [-1, 1] into [0, 1]. */
  public static double cosineTarget(double x) {
    return (1 + Math.cos(Math.PI * x)) / 2;
  }

  /** The cubic task's target x³ − 3x² − x + 1. */
  public static double cubicTarget(double x) {
    return ((x - 3) * x - 1) * x + 1;
  }

  private static double[][] teacher(Random random, int inputs, int outputs) {
    double[][] w = new double[outputs][inputs];
    for (double[] row : w) {
      for (int i = 0; i < inputs; i++) {
        row[i] = random.nextGaussian();
      }
    }
    return w;
  }

  private static double[] grid(int points) {
    double[] x = new double[points];
    for (int i = 0; i < points; i++) {
      x[i] = CUBIC_LOW + (CUBIC_HIGH - CUBIC_LOW) * i / (points - 1);
    }
    return x;
  }

  private static double sigmoid(double h) {
    return 1 / (1 + Math.exp(-h));
  }

  /** Computed in double, stored in {@code dtype}: float32 data is the float64 data rounded. */
  private static Dataset dataset(double[] x, int n, int d, double[] y, int k, DataType dtype) {
    if (!dtype.isFPType()) {
      throw new IllegalArgumentException("data type must be floating-point: " + dtype);
    }
    return Dataset.of(Nd4j.create(x, new long[] {n, d}, 'c').castTo(dtype),
        Nd4j.create(y, new long[] {n, k}, 'c').castTo(dtype));
  }

  private static void positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1: " + value);
    }
  }
}
