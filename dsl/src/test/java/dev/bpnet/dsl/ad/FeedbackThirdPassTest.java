package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the third-pass gradient of a feedback-alignment layer goes ({@code g3 = b | w | none}).
 * The backward pass holds B in W's place, so the gradient of l_x reaches B; in paper mode W, whose
 * only occurrence is the forward product (held constant), gets none of its own. Each choice,
 * in dense, conv2d and untied_conv2d layers and in both modes, against central differences of
 * plain-Java references of l_x (the layer tests' references, in which B is a separate argument
 * of the backward recursion): {@code b} leaves B's gradient on B, {@code w} adds it to W's own
 * (exact) or makes it W's (paper), {@code none} gives W and B nothing; every other parameter's
 * g3 is the reference's in all three. The train option {@code g3} is the default of every
 * feedback layer that gives none, and a layer's own argument wins over it.
 */
class FeedbackThirdPassTest {
  static String denseModel(String to, String third) {
    return "model M { input x: [3] label y: [2]\n z = dense(x, 4)\n a = tanh(z)\n"
        + " out = dense(a, 2, feedback = random" + (to.isEmpty() ? "" : ", g3 = " + to) + ")\n"
        + " loss = mse(out, y)\n train { passes = 3 alpha = 0.5 third = " + third + " optimizer = sgd(lr = 0.3)"
        + " dtype = float64 } }\n";
  }

  @ParameterizedTest(name = "dense, g3 = {0}, third = {1}")
  @CsvSource({"'', paper", "b, paper", "w, paper", "none, paper", "b, exact", "w, exact", "none, exact"})
  void dense(String to, String third) {
    checkDense(denseModel(to, third), to, third);
  }

  /**
   * The train option {@code g3} (what {@code --set g3=...} and {@code bpnet sweep --grid g3=...}
   * set) is the default of a feedback layer that gives none: the same gradients as the layer's
   * own argument, against the same reference.
   */
  @ParameterizedTest(name = "dense, train option g3 = {0}, third = {1}")
  @CsvSource({"w, paper", "none, paper", "w, exact", "b, exact"})
  void denseTrainOption(String to, String third) {
    checkDense(withTrainG3(denseModel("", third), to), to, third);
  }

  /** A layer's own g3 wins over the train option's. */
  @ParameterizedTest(name = "dense, layer g3 = {0} under train option g3 = {1}, third = {2}")
  @CsvSource({"b, w, paper", "w, none, paper", "none, w, exact"})
  void denseLayerWins(String layer, String option, String third) {
    checkDense(withTrainG3(denseModel(layer, third), option), layer, third);
  }

  /** The model with {@code g3 = to} in its train block. */
  private static String withTrainG3(String model, String to) {
    String with = model.replace(" dtype = float64 }", " dtype = float64 g3 = " + to + " }");
    assertTrue(with.contains("g3 = " + to + " }"), with);
    return with;
  }

  private static void checkDense(String model, String to, String third) {
    Trainer t = LayerRuleTest.trainer(model, 5);
    Random r = new Random(31);
    TestData.perturb(t, r, 0.4);
    Map<String, INDArray> f = LayerRuleTest.feeds(r);
    RuleThirdPassTest.Reference ref = new RuleThirdPassTest.Reference(t.parameters(), f, Math::tanh,
        RuleThirdPassTest.TRUE_TANH, true);
    Gradients g = t.gradients(f);
    check("dense", t, f, g, ref.theta, ref::differences, to, third);
  }

  @ParameterizedTest(name = "conv2d, g3 = {0}, third = {1}")
  @CsvSource({"b, paper", "w, paper", "none, paper", "w, exact", "none, exact"})
  void conv2d(String to, String third) {
    Trainer t = ConvFeedbackAlignmentTest.trainer("random_updated, g3 = " + to, third, "sgd(lr = 0.1)");
    Random r = new Random(23);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> f = ConvFeedbackAlignmentTest.feeds(r);
    ConvFeedbackAlignmentTest.Reference ref = new ConvFeedbackAlignmentTest.Reference(t.parameters(), f);
    check("conv2d", t, f, t.gradients(f), ref.theta, ref::differences, to, third);
  }

  @ParameterizedTest(name = "untied_conv2d, g3 = {0}, third = {1}")
  @CsvSource({"b, paper", "w, paper", "none, paper", "w, exact"})
  void untiedConv2d(String to, String third) {
    UntiedConvReferenceTest.Geometry geo = UntiedConvReferenceTest.geometry("strided");
    Trainer t = UntiedConvReferenceTest.single(geo, "random, g3 = " + to, "sgd(lr = 0.1)", third);
    Random r = new Random(17);
    TestData.perturb(t, r, 0.3);
    int in = (int) t.parameters().get("u").length();
    int outs = 3 * geo.oh() * geo.ow();
    int n = UntiedConvReferenceTest.N;
    double[] x = TestData.gaussian(r, DataType.DOUBLE, n, in).dup().data().asDouble();
    double[] y = TestData.gaussian(r, DataType.DOUBLE, n, outs).dup().data().asDouble();
    Map<String, double[]> theta = new LinkedHashMap<>();
    t.parameters().forEach((k, v) -> theta.put(k, v.dup().data().asDouble()));
    Map<String, INDArray> f = Map.of("x", Nd4j.createFromArray(x).reshape(n, in), "y", Nd4j.createFromArray(y).reshape(n, outs));
    Gradients g = t.gradients(f);
    BiFunction<String, Boolean, double[]> differences = (k, p) -> {
      double step = 1e-6;
      double[] want = new double[theta.get(k).length];
      for (int i = 0; i < want.length; i++) {
        double[] l = new double[2];
        for (int side = 0; side < 2; side++) {
          Map<String, double[]> moved = new LinkedHashMap<>(theta);
          double[] v = theta.get(k).clone();
          v[i] += side == 0 ? step : -step;
          moved.put(k, v);
          l[side] = UntiedConvReferenceTest.inputLoss(geo, x, y, p ? theta : moved, moved, "out.B");
        }
        want[i] = p && k.endsWith(".b") ? 0 : (l[0] - l[1]) / (2 * step);
      }
      return want;
    };
    check("untied_conv2d", t, f, g, theta, differences, to, third);
  }

  /**
   * g3 of every parameter against the reference: B's differences d_B and W's own d_W, routed by
   * the choice; with {@code w} under sgd, a step also moves W by exactly -lr (α g2 + (1 - α) g3).
   */
  private static void check(String layer, Trainer t, Map<String, INDArray> f, Gradients g, Map<String, double[]> theta,
      BiFunction<String, Boolean, double[]> differences, String to, String third) {
    boolean paper = third.equals("paper");
    String choice = to.isEmpty() ? "b" : to;
    double[] fromB = differences.apply("out.B", paper);
    double[] ownW = differences.apply("out.W", paper);
    assertTrue(amax(fromB) > 1e-3, "l_x depends on B");
    if (paper) {
      assertEquals(0.0, amax(ownW), 1e-8, "in paper mode W has no third-pass gradient of its own");
    } else {
      assertTrue(amax(ownW) > 1e-3, "in exact mode W has one, through the forward product");
    }
    double worst = 0;
    for (String k : theta.keySet()) {
      double[] want;
      if (k.equals("out.B")) {
        want = choice.equals("b") ? fromB : new double[fromB.length];
      } else if (k.equals("out.W")) {
        want = switch (choice) {
          case "b" -> ownW;
          case "w" -> add(ownW, fromB);
          default -> new double[ownW.length];
        };
      } else {
        want = differences.apply(k, paper);
      }
      INDArray got = g.pass3().get(k);
      worst = Math.max(worst, RuleThirdPassTest.relative(want, got == null ? new double[want.length] : got.dup().data().asDouble()));
    }
    System.out.printf("%s feedback, g3 = %s, third = %s: g3 vs differences of the reference's l_x %.2e%n", layer, choice, third, worst);
    assertTrue(worst < 1e-6, "g3 vs reference " + worst);

    if (choice.equals("w")) {
      // the routed gradient is applied: sgd moves W by -lr (α g2 + (1 - α) g3), α = 0.5, g3 the reference's
      double lr = layer.equals("dense") ? 0.3 : 0.1;
      double[] before = theta.get("out.W");
      double[] g2 = g.pass2().get("out.W").dup().data().asDouble();
      double[] g3 = add(ownW, fromB);
      t.step(f);
      double[] after = t.parameters().get("out.W").dup().data().asDouble();
      double[] moved = new double[before.length];
      double[] want = new double[before.length];
      for (int i = 0; i < before.length; i++) {
        moved[i] = after[i] - before[i];
        want[i] = -lr * (0.5 * g2[i] + 0.5 * g3[i]);
      }
      double off = RuleThirdPassTest.relative(want, moved);
      System.out.printf("%s feedback, g3 = w, third = %s: W's sgd step vs -lr (a g2 + (1 - a) g3 of the reference) %.2e%n",
          layer, third, off);
      assertTrue(off < 1e-6, "W's step " + off);
    }
  }

  private static double[] add(double[] a, double[] b) {
    double[] s = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      s[i] = a[i] + b[i];
    }
    return s;
  }

  private static double amax(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
