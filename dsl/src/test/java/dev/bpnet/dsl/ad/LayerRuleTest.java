package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer rules: a user layer that overrides some gradients (dx) and keeps the true ones for the
 * rest (dW, db), with state that is not trained. Feedback alignment written by hand must equal
 * the built-in dense(..., feedback = ...), whose reference test is {@link FeedbackAlignmentTest};
 * a layer rule that is the true derivative composes with the exact third pass.
 */
class LayerRuleTest {
  /**
   * R and R* of the report "Asymmetric backpropagation" (authors unnamed) as user layer rules:
   * x W + b forward, dx = dy B^T backward.
   */
  static final String FA = """
      layer fa_dense(x, units) -> y {
        W = param(size(x, axis = 1), units)
        b = param(units)
        B = state(size(x, axis = 1), units)
        y = matmul(x, W) + b
        backward(dy) {
          dx = matmul(dy, transpose(B))
        }
      }
      layer fa_updated(x, units) -> y {
        W = param(size(x, axis = 1), units)
        b = param(units)
        B = state(size(x, axis = 1), units, follows = W)
        y = matmul(x, W) + b
        backward(dy) {
          dx = matmul(dy, transpose(B))
        }
      }
      """;

  static Trainer trainer(String text, int batch) {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("l.bpnet", text), null), DataType.DOUBLE, batch);
  }

  static String model(String out, String train) {
    return "model F { input x: [3] label y: [2]\n h = tanh(dense(x, 4))\n out = " + out + "\n"
        + " loss = mse(out, y)\n train { optimizer = sgd(lr = 0.2) dtype = float64 " + train + " } }\n";
  }

  static Map<String, INDArray> feeds(Random r) {
    return Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 5, 3), "y", TestData.gaussian(r, DataType.DOUBLE, 5, 2));
  }

  @ParameterizedTest
  @CsvSource({"fa_dense, random", "fa_updated, random_updated"})
  void feedbackAlignmentAsAUserLayerEqualsTheBuiltIn(String layer, String mode) {
    Trainer user = trainer(FA + model(layer + "(h, 2)", ""), 5);
    Trainer builtin = trainer(model("dense(h, 2, feedback = " + mode + ")", ""), 5);
    Random r = new Random(4);
    TestData.perturb(builtin, r, 0.3);
    builtin.parameters().forEach((k, v) -> user.parameters().get(k).assign(v));
    Map<String, INDArray> f = feeds(r);
    Gradients gu = user.gradients(f);
    Gradients gb = builtin.gradients(f);
    assertEquals(gb.pass2().keySet(), gu.pass2().keySet());
    for (String k : gb.pass2().keySet()) {
      assertTrue(gb.pass2().get(k).equalsWithEps(gu.pass2().get(k), 1e-14), k);
    }
    INDArray wBefore = user.parameters().get("out.W").dup();
    INDArray bBefore = user.parameters().get("out.B").dup();
    user.step(f);
    builtin.step(f);
    INDArray dw = user.parameters().get("out.W").sub(wBefore);
    INDArray db = user.parameters().get("out.B").sub(bBefore);
    assertTrue(dw.amaxNumber().doubleValue() > 0);
    assertEquals(mode.equals("random") ? dw.mul(0) : dw, db, "B: fixed, or W's update");
    builtin.parameters().forEach((k, v) -> assertTrue(v.equalsWithEps(user.parameters().get(k), 1e-14), k));
  }

  @Test
  void anExactLayerRuleComposesWithTheExactThirdPass() {
    String text = """
        layer exact my_dense(x, units) -> y {
          W = param(size(x, axis = 1), units)
          b = param(units)
          y = matmul(x, W) + b
          backward(dy) {
            dx = matmul(dy, transpose(W))
          }
        }
        """ + model("my_dense(h, 2)", "passes = 3 alpha = 0.5 third = exact");
    Trainer t = trainer(text, 5);
    Random r = new Random(5);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> f = feeds(r);
    Gradients g = t.gradients(f);
    double e2 = GradientCheckTest.maxError(t, g.pass2(), x -> t.gradients(f).loss());
    double e3 = GradientCheckTest.maxError(t, g.pass3(), x -> t.gradients(f).inputLoss());
    System.out.printf("layer exact rule: g2 %.2e, exact g3 %.2e%n", e2, e3);
    assertTrue(e2 < 1e-6 && e3 < 1e-6, e2 + " " + e3);
  }

  static final String SIGN_SYMMETRIC = """
      layer sign_dense(x, units) -> y {
        W = param(size(x, axis = 1), units)
        y = matmul(x, W)
        backward(dy) {
          dx = matmul(dy, transpose(sign(W)))
        }
      }
      """;

  @Test
  void aRuleWithoutADerivativeIsRefusedByTheThirdPassAndFineWithTwo() {
    String three = SIGN_SYMMETRIC + model("sign_dense(h, 2)", "passes = 3 alpha = 0.5");
    CompileException e = assertThrows(CompileException.class, () -> FileCompiler.check(new SourceFile("s.bpnet", three)));
    assertEquals("error(E30): s.bpnet:5:31: 'sign' has no derivative, but rule 'sign_dense' (s.bpnet:1:7) uses it and the"
        + " third pass (passes = 3) differentiates the rule; use passes = 2 or alpha = 1, or write the rule without 'sign'",
        render(e));
    Trainer two = trainer(SIGN_SYMMETRIC + model("sign_dense(h, 2)", "passes = 2"), 5);
    Random r = new Random(7);
    TestData.perturb(two, r, 0.3);
    Map<String, INDArray> f = feeds(r);
    INDArray dh = two.gradients(f).pass2().get("h.W");
    assertTrue(dh.amaxNumber().doubleValue() > 0, "the rule's dx reaches the layer below");
  }

  @Test
  void signInTheModelItselfNeedsAStopGradient() {
    String text = "model S { input x: [3] label y: [2]\n out = sign(dense(x, 2))\n loss = mse(out, y) }\n";
    CompileException e = assertThrows(CompileException.class, () -> FileCompiler.check(new SourceFile("s.bpnet", text)));
    assertEquals("error(E30): s.bpnet:2:8: 'sign' has no derivative, but the backward pass needs its derivative (the loss"
        + " depends on it through a parameter); apply it to stop_gradient(...), or use it in a rule's backward body", render(e));
  }

  /** The hint of E30 works: sign of a stopped value needs no derivative, and the rest still trains. */
  @Test
  void signOfAStoppedValueCompilesAndKeepsTheOtherGradients() {
    String text = "model S { input x: [3] label y: [2]\n z = dense(x, 2)\n out = z + sign(stop_gradient(z)) + round(3 * stop_gradient(z))\n"
        + " loss = mse(out, y)\n train { dtype = float64 } }\n";
    Trainer t = TrainerLoader.instantiate(FileCompiler.model(new SourceFile("s.bpnet", text), null), DataType.DOUBLE, 5);
    Random r = new Random(3);
    TestData.perturb(t, r, 0.3);
    Map<String, INDArray> f = feeds(r);
    // d/dz of mse(out, y) with out = z + constants: (out - y) / B, then z.W's gradient x^T (out - y) / B
    INDArray out = t.predict(Map.of("x", f.get("x")));
    INDArray want = f.get("x").transpose().mmul(out.sub(f.get("y"))).div(f.get("x").rows());
    INDArray got = t.gradients(f).pass2().get("z.W");
    assertTrue(want.sub(got).amaxNumber().doubleValue() < 1e-12, want + " vs " + got);
  }

  @Test
  void layerRuleErrors() {
    assertEquals("error(E32): l.bpnet:2:22: 'state(...)' is only allowed in the forward body of a layer rule",
        errors("model S { input x: [3] label y: [2]\n out = dense(x, 2) + state(2)\n loss = mse(out, y) }\n"));
    assertEquals("error(E31): l.bpnet:1:12: unknown rule mark 'exakt': a rule is a learning rule unless marked 'exact' (its"
        + " backward is the true derivative); did you mean 'exact'?",
        errors("activation exakt a(z) -> y { y = z backward(dy) { dz = dy } }\n" + model("dense(h, 2)", "")));
    assertEquals("error(E34): l.bpnet:1:7: layer 'l' does not replace any gradient: its backward rule must assign d<name> for an"
        + " input or a parameter (as dx = ...)",
        errors("layer l(x) -> y { y = x backward(dy) { dz = dy } }\n" + model("l(dense(h, 2))", "")));
    assertEquals("error(E4): l.bpnet:1:56: shape mismatch in the backward rule of 'l': dx is [B, 3] but x is [B, 2]",
        errors("layer l(x) -> y { W = param(2, 3) y = x backward(dy) { dx = matmul(dy, W) } }\n"
            + model("l(dense(h, 2))", "")));
    assertEquals("error(E51): l.bpnet:1:56: 'param(...)' is not allowed in a rule's backward body: it declares"
        + " parameters, which belong in the forward body of a layer rule",
        errors("layer l(x) -> y { y = x backward(dy) { dx = matmul(dy, param(2, 3)) } }\n" + model("l(dense(h, 2))", "")));
    assertEquals("error(E7): l.bpnet:1:51: bad value for option 'follows': expected the name of a trainable param(...) of this layer",
        errors("layer l(x) -> y { y = x B = state(2, 2, follows = x) backward(dy) { dx = dy } }\n" + model("l(dense(h, 2))", "")));
    assertEquals("error(E3): l.bpnet:21:8: 'fa_dense' expects 2 argument(s), got 1", errors(FA + model("fa_dense(h)", "")));
  }

  private static String errors(String text) {
    return render(assertThrows(CompileException.class, () -> FileCompiler.check(new SourceFile("l.bpnet", text))));
  }

  private static String render(CompileException e) {
    return e.diagnostics().stream().map(Diagnostic::render).collect(Collectors.joining("\n"));
  }
}
