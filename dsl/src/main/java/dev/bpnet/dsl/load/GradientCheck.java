package dev.bpnet.dsl.load;

import dev.bpnet.api.Third;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.RuleInfo;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks a model's generated gradients against finite differences, in float64, on a random
 * batch at a random point: g2 against the loss, and the exact third pass against l_x. Only
 * where they are true gradients: a model whose rules replace them is not checked, and paper
 * mode's g3 is not the gradient of l_x by design. Dropout is checked through one training step's
 * masks: the generator is rewound to the same state before every evaluation, so each draws the
 * same masks, and g2, l_x and g3 are derivatives of the loss with those masks held fixed.
 */
public final class GradientCheck {
  /** Relative errors above this fail (fourth-order differences in float64 reach ~1e-9). */
  public static final double TOLERANCE = 1e-5;
  private static final double H = 1e-5;
  private static final int BATCH = 4;
  private static final int ELEMENTS = 6;

  /** One checked gradient: the worst relative error and where it was. */
  public record Result(String gradient, double error, String worstAt) {
    public boolean ok() {
      return error <= TOLERANCE;
    }
  }

  private GradientCheck() {}

  /** The rules of the model that replace true gradients (its check is skipped when any). */
  public static List<RuleInfo> learningRules(TrainingGraph tg) {
    return tg.program().graph().rules().values().stream().filter(r -> !r.trueGradient()).distinct().toList();
  }

  /** g2 and, for an exact third pass, g3; sampled elements of each parameter. */
  public static List<Result> run(TrainingGraph tg, long seed) {
    Trainer t = TrainerLoader.instantiate(tg, DataType.DOUBLE, seed);
    Random r = new Random(seed);
    for (INDArray p : t.parameters().values()) {
      p.addi(gaussian(r, p.shape()).muli(0.3));  // off the zero biases, where ReLU has its kink
    }
    Map<String, INDArray> feeds = new HashMap<>();
    Program p = tg.program();
    p.inputs().forEach(in -> feeds.put(in.name(), gaussian(r, batchOf(in))));
    p.labels().forEach(lb -> feeds.put(lb.name(), oneHot(r, batchOf(lb))));
    Map<String, INDArray> masks = t.state();
    java.util.function.Supplier<Gradients> step = () -> {
      t.restoreState(masks);
      return t.trainingGradients(feeds);
    };
    Gradients g = step.get();
    List<Result> out = new ArrayList<>();
    // untrained parameters (batch norm's running statistics) have no gradient to check: in a training
    // step the loss does not depend on them, and differences would measure only round-off
    java.util.Set<String> fixed = new java.util.HashSet<>();
    p.params().stream().filter(par -> par.update() == Program.Update.FIXED).forEach(par -> fixed.add(par.name()));
    out.add(compare("g2 (dL/dθ)", t, without(g.pass2(), fixed), () -> step.get().loss(), r));
    if (tg.hasThirdPass() && p.train().third() == Third.EXACT) {
      out.add(compare("g3 (dl_x/dθ, exact)", t, without(g.pass3(), fixed), () -> step.get().inputLoss(), r));
    }
    return out;
  }

  private static Map<String, INDArray> without(Map<String, INDArray> m, java.util.Set<String> names) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>(m);
    out.keySet().removeAll(names);
    return out;
  }

  private static Result compare(String what, Trainer t, Map<String, INDArray> analytic, DoubleSupplier f, Random r) {
    double worst = 0;
    String at = "";
    for (Map.Entry<String, INDArray> e : t.parameters().entrySet()) {
      INDArray p = e.getValue();
      INDArray a = analytic.get(e.getKey());
      if (a == null) {
        continue;  // fixed state, or a parameter the pass does not reach
      }
      double scale = a.amaxNumber().doubleValue();
      for (int k = 0; k < Math.min(ELEMENTS, p.length()); k++) {
        long i = k == 0 ? 0 : (long) (r.nextDouble() * p.length());
        double n = numeric(p, i, f);
        double ai = a.getDouble(i);
        double denom = Math.max(Math.max(Math.abs(ai), Math.abs(n)), Math.max(1e-3 * scale, 1e-8));
        double err = Math.abs(ai - n) / denom;
        if (err > worst) {
          worst = err;
          at = String.format("%s[%d]: generated %.6e, finite differences %.6e", e.getKey(), i, ai, n);
        }
      }
    }
    return new Result(what, worst, at);
  }

  /** A fourth-order central difference of f along element i of p. */
  private static double numeric(INDArray p, long i, DoubleSupplier f) {
    double v = p.getDouble(i);
    double[] steps = {-2, -1, 1, 2};
    double[] fs = new double[4];
    for (int k = 0; k < 4; k++) {
      p.putScalar(i, v + steps[k] * H);
      fs[k] = f.getAsDouble();
    }
    p.putScalar(i, v);
    return (fs[0] - 8 * fs[1] + 8 * fs[2] - fs[3]) / (12 * H);
  }

  private static long[] batchOf(Program.Leaf leaf) {
    long[] s = new long[leaf.shape().rank()];
    for (int i = 0; i < s.length; i++) {
      s[i] = i == 0 ? BATCH : leaf.shape().dim(i);
    }
    return s;
  }

  private static INDArray gaussian(Random r, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, r.nextGaussian());
    }
    return a;
  }

  /** Labels: one class per example along the last axis (valid for every loss). */
  private static INDArray oneHot(Random r, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    long k = shape[shape.length - 1];
    for (long row = 0; row < a.length() / k; row++) {
      a.putScalar(row * k + (long) (r.nextDouble() * k), 1.0);
    }
    return a;
  }
}
