package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Three-pass trainers combined with each learning rule: the third pass differentiates whatever
 * backward computation the rules produce. A plain-Java reference computes l_x through the
 * rule's backward computation, written from the papers, as a function of the parameters of the
 * forward pass and those of the backward recursion. The exact third pass must equal its finite
 * differences (both move); the paper mode those with the forward values frozen (only the weights
 * of the backward recursion move, biases get nothing). For the rule that is the true derivative,
 * the exact g3 must also equal finite differences of the trainer's own l_x.
 */
class RuleThirdPassTest {
  static final String RULES = LayerRuleTest.FA + "activation exact my_sigmoid(z) -> a { a = sigmoid(z) backward(da) { dz = da * a * (1 - a) } }\n";
  static final double LR = 0.3;
  static final double EPS = 1e-16;

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** dz from z, a and the batch-mean cotangent da, as each paper defines it. */
  interface Rule {
    double dz(double z, double a, double da);
  }

  static final Rule TRUE_SIGMOID = (z, a, da) -> da * a * (1 - a);
  static final Rule TRUE_TANH = (z, a, da) -> da * (1 - a * a);
  static final Rule LINEAR = (z, a, da) -> da;
  static final Rule DIFF_SIGMOID = (z, a, da) -> {
    double a1 = Math.min(Math.max(a - LR * da, EPS), 1 - EPS);
    double z1 = -Math.log(1 / a1 - 1);
    return z1 == z ? 0 : da * (a1 - a) / (z1 - z);
  };
  static final Rule DIFF_TANH = (z, a, da) -> {
    double a1 = Math.min(Math.max(a - LR * da, -1 + EPS), 1 - EPS);
    double z1 = 0.5 * Math.log((1 + a1) / (1 - a1));
    return z1 == z ? 0 : da * (a1 - a) / (z1 - z);
  };

  @ParameterizedTest(name = "{0} / {1}, third = {2}")
  @CsvSource({
      "my_sigmoid(z), 'dense(a, 2)', exact",
      "my_sigmoid(z), 'dense(a, 2)', paper",
      "straight_through(tanh(z)), 'dense(a, 2)', exact",
      "straight_through(tanh(z)), 'dense(a, 2)', paper",
      "difference(sigmoid(z)), 'dense(a, 2)', exact",
      "difference(sigmoid(z)), 'dense(a, 2)', paper",
      "difference(tanh(z)), 'dense(a, 2)', exact",
      "tanh(z),                     'dense(a, 2, feedback = random)',    exact",
      "tanh(z),                     'dense(a, 2, feedback = random)',    paper",
      "tanh(z),                     'dense(a, 2, feedback = random_updated)', exact",
      "sigmoid(z),                  'fa_dense(a, 2)',                    exact",
      "straight_through(tanh(z)),   'fa_updated(a, 2)',                  exact",
  })
  void g3EqualsTheReference(String act, String out, String third) {
    String text = RULES + "model M { input x: [3] label y: [2]\n z = dense(x, 4)\n a = " + act + "\n out = " + out + "\n"
        + " loss = mse(out, y)\n train { passes = 3 alpha = 0.5 third = " + third + " optimizer = sgd(lr = " + LR + ")"
        + " dtype = float64 } }\n";
    Trainer t = LayerRuleTest.trainer(text, 5);
    Random r = new Random(11);
    TestData.perturb(t, r, 0.4);
    Map<String, INDArray> f = LayerRuleTest.feeds(r);
    boolean sig = act.contains("sigmoid");
    Rule rule = act.startsWith("my_sigmoid") || act.equals("sigmoid(z)") ? TRUE_SIGMOID
        : act.equals("tanh(z)") ? TRUE_TANH
        : act.startsWith("straight") ? LINEAR : sig ? DIFF_SIGMOID : DIFF_TANH;
    Reference ref = new Reference(t.parameters(), f, sig ? RuleThirdPassTest::sigmoid : Math::tanh, rule,
        out.contains("feedback") || out.contains("fa_"));
    Gradients g = t.gradients(f);
    assertEquals(ref.inputLoss(ref.theta, ref.theta), g.inputLoss(), 1e-12 * Math.max(1, g.inputLoss()), "l_x");
    boolean paper = third.equals("paper");
    Map<String, double[]> expected = ref.g3(paper);
    double worst = 0;
    for (var e : expected.entrySet()) {
      INDArray got = g.pass3().get(e.getKey());
      double[] have = got == null ? new double[e.getValue().length] : got.dup().data().asDouble();
      worst = Math.max(worst, relative(e.getValue(), have));
    }
    System.out.printf("third pass with %s / %s (%s): g3 vs reference %.2e%n", act, out, third, worst);
    assertTrue(worst < 1e-6, "g3 vs reference " + worst);
    if (rule == TRUE_SIGMOID && act.startsWith("my_") && !paper) {
      double fd = GradientCheckTest.maxError(t, g.pass3(), x -> t.gradients(f).inputLoss());
      assertTrue(fd < 1e-6, "a true-gradient rule: g3 vs finite differences of l_x " + fd);
    }
  }

  static double relative(double[] want, double[] have) {
    double scale = 1e-3;
    double diff = 0;
    for (int i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(want[i] - have[i]));
    }
    return diff / scale;
  }

  /**
   * z = x W1 + b1, a = f(z), out = a W2 + b2; l_b = 1/2 ||out - y||^2. Backward with the rule:
   * da = (out - y) M^T / n (M = B under feedback alignment, else W2), dz = rule(z, a, da),
   * dx = dz W1^T; l_x = n/2 sum ||dx||^2 (per-example gradients are n dL/dx).
   */
  static final class Reference {
    final Map<String, double[]> theta = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final double[][] x;
    final double[][] y;
    final DoubleUnaryOperator f;
    final Rule rule;
    final boolean feedback;

    Reference(Map<String, INDArray> params, Map<String, INDArray> feeds, DoubleUnaryOperator f, Rule rule, boolean feedback) {
      params.forEach((k, v) -> {
        theta.put(k, v.dup().data().asDouble());
        shapes.put(k, v.shape());
      });
      this.x = feeds.get("x").toDoubleMatrix();
      this.y = feeds.get("y").toDoubleMatrix();
      this.f = f;
      this.rule = rule;
      this.feedback = feedback;
    }

    /** Row-major element (i, j) of a [rows, cols] parameter. */
    double at(Map<String, double[]> p, String k, int i, int j) {
      return p.get(k)[i * (int) shapes.get(k)[1] + j];
    }

    double inputLoss(Map<String, double[]> fw, Map<String, double[]> bw) {
      int n = x.length;
      double lx = 0;
      for (int s = 0; s < n; s++) {
        double[] z = new double[4];
        double[] a = new double[4];
        for (int j = 0; j < 4; j++) {
          z[j] = fw.get("z.b")[j];
          for (int i = 0; i < 3; i++) {
            z[j] += x[s][i] * at(fw, "z.W", i, j);
          }
          a[j] = f.applyAsDouble(z[j]);
        }
        double[] e = new double[2];
        for (int k = 0; k < 2; k++) {
          double o = fw.get("out.b")[k];
          for (int j = 0; j < 4; j++) {
            o += a[j] * at(fw, "out.W", j, k);
          }
          e[k] = o - y[s][k];
        }
        double[] dz = new double[4];
        for (int j = 0; j < 4; j++) {
          double da = 0;
          for (int k = 0; k < 2; k++) {
            da += e[k] * at(bw, feedback ? "out.B" : "out.W", j, k) / n;
          }
          dz[j] = rule.dz(z[j], a[j], da);
        }
        for (int i = 0; i < 3; i++) {
          double dx = 0;
          for (int j = 0; j < 4; j++) {
            dx += dz[j] * at(bw, "z.W", i, j);
          }
          lx += n / 2.0 * dx * dx;
        }
      }
      return lx;
    }

    /**
     * Central differences of l_x over every trainable parameter: exact moves the forward and the
     * backward parameters together; paper moves only the weights of the backward recursion.
     */
    Map<String, double[]> g3(boolean paper) {
      Map<String, double[]> out = new LinkedHashMap<>();
      for (String k : theta.keySet()) {
        if (k.endsWith(".B")) {
          continue;
        }
        out.put(k, differences(k, paper));
      }
      return out;
    }

    /** Central differences of l_x along every element of parameter k (B's too: it is in the backward recursion). */
    double[] differences(String k, boolean paper) {
      double h = 1e-6;
      double[] g = new double[theta.get(k).length];
      for (int i = 0; i < g.length && !(paper && k.endsWith(".b")); i++) {
        g[i] = (shifted(k, i, h, paper) - shifted(k, i, -h, paper)) / (2 * h);
      }
      return g;
    }

    private double shifted(String k, int i, double h, boolean paper) {
      Map<String, double[]> moved = new LinkedHashMap<>(theta);
      double[] v = theta.get(k).clone();
      v[i] += h;
      moved.put(k, v);
      return inputLoss(paper ? theta : moved, moved);
    }
  }
}
