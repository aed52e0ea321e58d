package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.OptimizerSpec;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.syntax.OptimizerDecl;
import dev.bpnet.dsl.syntax.Parser;
import dev.bpnet.dsl.syntax.StandardOptimizers;
import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.optim.Optimizers;
import dev.bpnet.runtime.optim.RuleOptimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The built-in optimizers are declarations in the bundled optimizers.bpnet, compiled into every
 * trainer. Each must move parameters exactly as the runtime's Java optimizer of the same name
 * and arguments (an independent implementation: BLAS scal and ND4J element-wise ops, with the
 * reinforced masks drawn by ND4J's dropout op): 100 updates of parameters of five shapes (odd
 * sizes included) by the same random directions, epochs started every 10, the same seed.
 */
class StandardOptimizersTest {
  private static final long SEED = 7;
  private static final List<long[]> SHAPES = List.of(new long[] {6, 8}, new long[] {8}, new long[] {8, 4},
      new long[] {4}, new long[] {33});

  /** The trainer's compiled optimizer for {@code spec} (the model itself does not matter). */
  private static Optimizer compiled(String spec, DataType dt) throws Exception {
    String text = """
        model tiny {
          input x: [6]
          label y: [4]
          loss = softmax_cross_entropy(dense(tanh(dense(x, 8)), 4), y)
          train { optimizer = %s, seed = %d }
        }
        """.formatted(spec, SEED);
    Trainer t = TrainerLoader.compile(Parser.parse("std.bpnet", text).get(0))
        .getConstructor(DataType.class, long.class).newInstance(dt, SEED);
    return t.optimizer();
  }

  private static List<INDArray> params(DataType dt, Random r) {
    List<INDArray> out = new ArrayList<>();
    for (long[] s : SHAPES) {
      out.add(gaussian(dt, s, r, 1.0));
    }
    return out;
  }

  private static INDArray gaussian(DataType dt, long[] shape, Random r, double scale) {
    INDArray a = Nd4j.create(dt, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, scale * r.nextGaussian());
    }
    return a;
  }

  /** Runs both optimizers; returns {max |a - b| / max(1, |b|) over parameters and state, raw-bit mismatches}. */
  private static double[] compare(Optimizer a, Optimizer b, DataType dt, int steps) {
    Random r = new Random(42);
    List<INDArray> pa = params(dt, r);
    List<INDArray> pb = new ArrayList<>();
    pa.forEach(p -> pb.add(p.dup()));
    for (int s = 0; s < steps; s++) {
      if (s % 10 == 0) {
        a.startEpoch(s / 10);
        b.startEpoch(s / 10);
      }
      List<INDArray> d = new ArrayList<>();
      for (long[] shape : SHAPES) {
        // some exact zeros, as a dead unit's gradient has
        INDArray g = gaussian(dt, shape, r, 0.5);
        g.putScalar(0, 0.0);
        d.add(g);
      }
      List<INDArray> dCopy = new ArrayList<>();
      d.forEach(x -> dCopy.add(x.dup()));
      a.update(pa, d);
      b.update(pb, dCopy);
    }
    double worst = 0;
    long bits = 0;
    List<INDArray[]> pairs = new ArrayList<>();
    for (int i = 0; i < pa.size(); i++) {
      pairs.add(new INDArray[] {pa.get(i), pb.get(i)});
    }
    Map<String, INDArray> sa = a.state();
    Map<String, INDArray> sb = b.state();
    sb.forEach((k, v) -> {
      if (sa.containsKey(k) && v.dataType().isFPType() && v.rank() > 0) {
        pairs.add(new INDArray[] {sa.get(k), v});
      }
    });
    for (INDArray[] p : pairs) {
      double[] x = p[0].ravel().toDoubleVector();
      double[] y = p[1].ravel().toDoubleVector();
      for (int k = 0; k < x.length; k++) {
        worst = Math.max(worst, Math.abs(x[k] - y[k]) / Math.max(1, Math.abs(y[k])));
        if (Double.doubleToRawLongBits(x[k]) != Double.doubleToRawLongBits(y[k])) {
          bits++;
        }
      }
    }
    return new double[] {worst, bits};
  }

  private static Optimizer java(String name, Map<String, Double> args) {
    return Optimizers.create(name, args, SEED);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "sgd(lr = 0.1)", "sgd(lr = 0.1, weight_decay = 0.01)",
      "momentum(lr = 0.05, momentum = 0.8)", "momentum(lr = 0.05, momentum = 0.8, nesterov = true, weight_decay = 0.01)",
      "adam(lr = 0.01)", "adam(lr = 0.01, beta1 = 0.8, eps = 0.001, weight_decay = 0.1)",
      "reinforced(lr = 0.5, gamma0 = 0.9, lambda = 0.1)",
      "reinforced(lr = 0.5, gamma0 = 0.9, lambda = 0.1, raw = true, weight_decay = 0.01)",
      "reinforced(lr = 0.5, gamma0 = 0.98, beta = 0.99, floor = 0.2)", "reinforced"})
  void eachBuiltinIsTheJavaOptimizerBitForBit(String spec) throws Exception {
    Optimizer a = compiled(spec, DataType.DOUBLE);
    assertTrue(a instanceof RuleOptimizer, a.getClass().getName());
    Map<String, Double> args = arguments(spec);
    String name = spec.contains("(") ? spec.substring(0, spec.indexOf('(')) : spec;
    Optimizer b = java(name, args);
    assertEquals(b.learningRate(), a.learningRate(), 0, "the first update's rate");
    double[] d = compare(a, b, DataType.DOUBLE, 100);
    System.out.printf("float64 %s: 100 updates, max difference %.3g, %d values differ in any bit%n", spec, d[0], (long) d[1]);
    assertEquals(0.0, d[0], spec + ": parameters and state equal after 100 updates");
    assertEquals(b.learningRate(), a.learningRate(), 0, "the rate after 100 updates");
    // the same checkpoint names, but reinforced's gamma, which the rule computes from the epoch
    java.util.Set<String> javaNames = new java.util.TreeSet<>(b.state().keySet());
    javaNames.remove("gamma");
    assertEquals(javaNames, new java.util.TreeSet<>(a.state().keySet()), "checkpoint names");
    // a checkpoint the Java optimizer wrote (older bpnet versions) resumes the compiled one exactly
    Optimizer c = compiled(spec, DataType.DOUBLE);
    c.restoreState(b.state());
    assertEquals(b.learningRate(), c.learningRate(), 0, "rate after restoring the Java optimizer's state");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {"sgd(lr = 0.1, weight_decay = 0.01)",
      "momentum(lr = 0.05, nesterov = true)", "adam(lr = 0.01, weight_decay = 0.1)",
      "reinforced(lr = 0.05, gamma0 = 0.9, lambda = 0.1)"})
  void float32IsTheJavaOptimizerToAnUlp(String spec) throws Exception {
    Map<String, Double> args = arguments(spec);
    String name = spec.substring(0, spec.indexOf('('));
    double[] d = compare(compiled(spec, DataType.FLOAT), java(name, args), DataType.FLOAT, 100);
    System.out.printf("float32 %s: 100 updates, max relative difference %.3g, %d values differ%n", spec, d[0], (long) d[1]);
    assertTrue(d[0] < 1e-6, spec + ": " + d[0]);
  }

  /** The arguments a train block gives, as the parser reads them. */
  private static Map<String, Double> arguments(String spec) {
    String text = "model m { input x: [2]\n label y: [2]\n loss = mse(dense(x, 2), y)\n train { optimizer = " + spec + " } }";
    return new LinkedHashMap<>(Parser.parse("a.bpnet", text).get(0).train().optimizer().args());
  }

  @Test
  void theBundledFileDeclaresTheBuiltinsWithTheApisDefaults() {
    Map<String, OptimizerDecl> std = StandardOptimizers.all();
    assertEquals(OptimizerSpec.ARGUMENTS.keySet(), std.keySet());
    std.forEach((name, d) -> {
      Map<String, Double> declared = new LinkedHashMap<>();
      d.hypers().forEach(h -> declared.put(h.name(), h.dflt()));
      assertEquals(OptimizerSpec.ARGUMENTS.get(name), declared, name);
      d.hypers().stream().filter(OptimizerDecl.Hyper::flag)
          .forEach(h -> assertTrue(OptimizerSpec.FLAGS.containsKey(h.name()), name + "." + h.name() + " is a flag"));
    });
  }
}
