package dev.bpnet.runtime.init;

import dev.bpnet.api.Init;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameter initialisation, seeded per parameter name so that adding a layer does not change
 * the initial values of the others. Normal distributions with:
 * <ul>
 *   <li>{@code xavier}: Var = 2 / (n_in + n_out)</li>
 *   <li>{@code kaiming}: Var = gain / n_in (gain 2 before ReLU, 1 otherwise)</li>
 *   <li>{@code three_pass}: Var = gain / sqrt(n_in n_out) (Weiming Xiong and Ruoyu Yang, "Reverse
 *       back propagation to make full use of derivative", section 5)</li>
 *   <li>{@code zeros}: all zero (biases)</li>
 *   <li>{@code ones}: all one (layer norm's gains)</li>
 * </ul>
 */
public final class Initializers {
  private Initializers() {}

  /** The schemes by the words generated code passes ({@link Init}'s). */
  public static final List<String> SCHEMES = Arrays.stream(Init.values()).map(Init::word).toList();

  public static INDArray create(String scheme, long[] shape, double gain, int fanIn, int fanOut,
      long seed, String name, DataType dtype) {
    String word = scheme.toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(word)) {
      throw new IllegalArgumentException("unknown initialiser '" + scheme + "'; known: " + SCHEMES);
    }
    double variance = switch (Init.of(word)) {
      case XAVIER -> 2.0 / (fanIn + fanOut);
      case KAIMING -> gain / fanIn;
      case THREE_PASS -> gain / Math.sqrt((double) fanIn * fanOut);
      case ZEROS, ONES -> 0.0;
    };
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] v = new double[Math.toIntExact(n)];
    if (variance > 0) {
      SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * name.hashCode()));
      double sd = Math.sqrt(variance);
      for (int i = 0; i < v.length; i++) {
        v[i] = sd * gaussian(rng);
      }
    }
    if (word.equals(Init.ONES.word())) {
      Arrays.fill(v, 1.0);
    }
    return Nd4j.createFromArray(v).reshape('c', shape).castTo(dtype);
  }

  /** Box-Muller; SplittableRandom's own nextGaussian arrived only in Java 17's RandomGenerator. */
  private static double gaussian(SplittableRandom r) {
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
