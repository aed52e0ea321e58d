package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.Models;
import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.TrainerBatch;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pass 2 and the exact pass 3 against central finite differences of L and l_x, in float64,
 * for random dense networks of depth 1 to 4 with every activation and every loss.
 * The finite differences use only the forward computation of L and l_x... l_x itself comes
 * from pass 2, which this test checks first, against differences of L.
 */
class GradientCheckTest {
  static final double H = 1e-5;
  static final double TOL = 1e-6;

  static Stream<Arguments> networks() {
    List<Arguments> l = new ArrayList<>();
    for (String act : List.of("sigmoid", "tanh", "relu", "leaky_relu")) {
      for (String loss : List.of("softmax_cross_entropy", "mse", "hinge")) {
        for (int depth = 1; depth <= 4; depth++) {
          l.add(Arguments.of(act, loss, depth));
        }
      }
    }
    return l.stream();
  }

  @ParameterizedTest(name = "{0} {1} depth {2}")
  @MethodSource("networks")
  void secondAndExactThirdPassMatchFiniteDifferences(String act, String loss, int depth) {
    Random r = random(act, loss, depth);
    Net net = network(act, loss, depth, r);
    int in = net.in();
    int out = net.out();
    Trainer tr = Compiled.ALL.trainer(act + " " + loss + " " + depth, DataType.DOUBLE, 3, () -> instantiate(net.model()));
    // Biases start at zero; a ReLU row that is all dead would then put the next layer exactly
    // on its kink, where differences are one-sided. Check at a generic point instead.
    TestData.perturb(tr, r, 0.1);
    int batch = 3 + r.nextInt(3);
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, batch, in);
    INDArray y = loss.equals("mse") ? TestData.gaussian(r, DataType.DOUBLE, batch, out)
        : TestData.oneHot(r, DataType.DOUBLE, batch, out);
    Map<String, INDArray> feeds = Map.of("x", x, "y", y);
    Gradients g = tr.gradients(feeds);
    double e2 = maxError(tr, g.pass2(), f -> tr.gradients(feeds).loss());
    double e3 = maxError(tr, g.pass3(), f -> tr.gradients(feeds).inputLoss());
    double ex = inputLossError(tr, feeds, g.inputLoss());
    System.out.printf("gradcheck %-10s %-22s depth %d: g2 %.2e, g3 exact %.2e, l_x %.2e%n", act, loss, depth, e2, e3, ex);
    assertTrue(ex < TOL, "l_x relative error " + ex);
    assertTrue(e2 < TOL, "g2 max relative error " + e2);
    assertTrue(e3 < TOL, "exact g3 max relative error " + e3);
  }

  /** The sample of a large tensor meets every index of every axis COVER times, is seeded, and small tensors are whole. */
  @org.junit.jupiter.api.Test
  void sampleCoversEveryIndexOfEveryAxis() {
    long[] shape = {36, 3, 18};
    long[] s = sample(shape, 256, new Random(7));
    org.junit.jupiter.api.Assertions.assertEquals(256, s.length);
    org.junit.jupiter.api.Assertions.assertArrayEquals(s, sample(shape, 256, new Random(7)));
    for (int ax = 0; ax < shape.length; ax++) {
      int[] met = new int[(int) shape[ax]];
      for (long i : s) {
        long rest = i;
        for (int b = shape.length - 1; b > ax; b--) {
          rest /= shape[b];
        }
        met[(int) (rest % shape[ax])]++;
      }
      for (int k = 0; k < met.length; k++) {
        assertTrue(met[k] >= COVER, "axis " + ax + " index " + k + " met " + met[k] + " times");
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(108, sample(new long[] {3, 6, 6}, 256, new Random(7)).length);
  }

  private static Random random(String act, String loss, int depth) {
    return new Random(1000L * depth + act.hashCode() * 31L + loss.hashCode());
  }

  private record Net(ModelDecl model, int in, int out) {}

  /** The network of a case: its widths drawn from {@code r}, which the case goes on drawing from. */
  private static Net network(String act, String loss, int depth, Random r) {
    int in = 2 + r.nextInt(4);
    int out = 2 + r.nextInt(3);
    int[] hidden = new int[depth - 1];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = 2 + r.nextInt(4);
    }
    return new Net(Models.mlp("Check", in, hidden, out, act, loss,
        t -> t.withPasses(3).withAlpha(0.5).withThird("exact").withInit("xavier")), in, out);
  }

  /** Every case's trainer, compiled in one javac task when the first case asks ({@link TrainerBatch}). */
  private static final class Compiled {
    static final TrainerBatch<String> ALL;

    static {
      Map<String, java.util.function.Function<String, com.palantir.javapoet.JavaFile>> sources = new java.util.LinkedHashMap<>();
      networks().forEach(a -> {
        String act = (String) a.get()[0];
        String loss = (String) a.get()[1];
        int depth = (Integer) a.get()[2];
        sources.put(act + " " + loss + " " + depth, pkg -> dev.bpnet.dsl.compile.BpNetCompiler.generate(
            network(act, loss, depth, random(act, loss, depth)).model(), pkg));
      });
      ALL = TrainerBatch.compile(sources);
    }
  }

  /**
   * Relative error of l_x = (B/2) ||dL/dx||^2 (the per-example form, (1/B) sum_b 1/2
   * ||B dL/dx_b||^2) when dL/dx comes from finite differences of L instead of from pass 2.
   */
  static double inputLossError(Trainer tr, Map<String, INDArray> feeds, double inputLoss) {
    return inputLossError(tr, feeds, java.util.List.of("x"), inputLoss);
  }

  /** The same over several inputs: l_x sums (B/2) ||dL/dx||^2 over each of them. */
  static double inputLossError(Trainer tr, Map<String, INDArray> feeds, java.util.List<String> inputs, double inputLoss) {
    double sq = 0;
    long batch = 0;
    for (String name : inputs) {
      INDArray x = feeds.get(name).dup();
      Map<String, INDArray> f = new java.util.HashMap<>(feeds);
      f.put(name, x);
      batch = x.size(0);
      for (long i = 0; i < x.length(); i++) {
        double v = x.getDouble(i);
        double[] fs = new double[4];
        double[] steps = {-2, -1, 1, 2};
        for (int k = 0; k < 4; k++) {
          x.putScalar(i, v + steps[k] * H);
          fs[k] = tr.gradients(f).loss();
        }
        x.putScalar(i, v);
        double d = (fs[0] - 8 * fs[1] + 8 * fs[2] - fs[3]) / (12 * H);
        sq += d * d;
      }
    }
    double numeric = batch / 2.0 * sq;
    return Math.abs(numeric - inputLoss) / Math.max(Math.abs(inputLoss), 1e-6);
  }

  static Trainer instantiate(ModelDecl m) {
    try {
      return TrainerLoader.compile(m).getConstructor(DataType.class, long.class)
          .newInstance(DataType.DOUBLE, 3L);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Max over every parameter element of |a - n| / max(|a|, |n|, 1e-3 max|a|, 1e-4 max(1, |f|)).
   * The floors keep elements that are tiny compared with the rest of their tensor, or below
   * what differences of f can resolve (their round-off is about 3e-11 |f|), from dominating:
   * there the check is absolute, at 1e-10 |f|.
   * n is the fourth-order central difference (f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h.
   */
  static double maxError(Trainer tr, Map<String, INDArray> analytic, ToDoubleFunction<Void> f) {
    return maxError(tr, analytic, f, Integer.MAX_VALUE, 0);
  }

  /**
   * {@link #maxError(Trainer, Map, ToDoubleFunction)} over every element of each parameter tensor
   * of at most {@code limit} elements, and over a seeded sample ({@link #sample}) of each larger
   * one.
   */
  static double maxError(Trainer tr, Map<String, INDArray> analytic, ToDoubleFunction<Void> f, int limit, long seed) {
    double worst = 0;
    Random r = new Random(seed);
    for (Map.Entry<String, INDArray> e : tr.parameters().entrySet()) {
      INDArray p = e.getValue();
      INDArray a = analytic.get(e.getKey());
      double scale = a.amaxNumber().doubleValue();
      for (long i : sample(p.shape(), limit, r)) {
        double v = p.getDouble(i);
        double[] fs = new double[4];
        double[] steps = {-2, -1, 1, 2};
        for (int k = 0; k < 4; k++) {
          p.putScalar(i, v + steps[k] * H);
          fs[k] = f.applyAsDouble(null);
        }
        p.putScalar(i, v);
        double n = (fs[0] - 8 * fs[1] + 8 * fs[2] - fs[3]) / (12 * H);
        double ai = a.getDouble(i);
        double noise = 1e-4 * Math.max(1, Math.abs(fs[1]));
        double denom = Math.max(Math.max(Math.abs(ai), Math.abs(n)), Math.max(1e-3 * scale, noise));
        if (Math.abs(ai - n) / denom > TOL && System.getenv("GRADCHECK_DEBUG") != null) {
          System.out.printf("  %s[%d]: analytic %.10e numeric %.10e fs %s%n", e.getKey(), i, ai, n, java.util.Arrays.toString(fs));
        }
        worst = Math.max(worst, Math.abs(ai - n) / denom);
      }
    }
    return worst;
  }

  /** How often {@link #sample} meets each index of each axis. */
  static final int COVER = 4;

  /**
   * The linear (C-order) indices of the elements of a tensor of this shape that a check visits:
   * all of them if there are at most {@code limit}; else, first, every index of every axis
   * {@link #COVER} times (pick k of a round takes, on each axis, entry k of a fresh shuffle of
   * that axis's indices), so that a wrong gradient confined to one position, channel or kernel
   * tap is met {@code COVER} times with the other coordinates random; then elements drawn
   * uniformly until there are {@code limit}. Sorted.
   */
  static long[] sample(long[] shape, int limit, Random r) {
    long n = 1;
    long widest = 1;
    for (long d : shape) {
      n *= d;
      widest = Math.max(widest, d);
    }
    if (n <= limit) {
      return java.util.stream.LongStream.range(0, n).toArray();
    }
    java.util.TreeSet<Long> chosen = new java.util.TreeSet<>();
    for (int round = 0; round < COVER; round++) {
      List<List<Long>> shuffled = new ArrayList<>();
      for (long d : shape) {
        List<Long> axis = new ArrayList<>(java.util.stream.LongStream.range(0, d).boxed().toList());
        java.util.Collections.shuffle(axis, r);
        shuffled.add(axis);
      }
      for (long k = 0; k < widest; k++) {
        long index = 0;
        for (int ax = 0; ax < shape.length; ax++) {
          index = index * shape[ax] + shuffled.get(ax).get((int) (k % shape[ax]));
        }
        chosen.add(index);
      }
    }
    while (chosen.size() < limit) {
      chosen.add((long) (r.nextDouble() * n));
    }
    return chosen.stream().mapToLong(Long::longValue).toArray();
  }
}
