package dev.bpnet.dsl.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.lower.Lowering;
import dev.bpnet.dsl.syntax.Parser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The warnings (W1 a third-pass mode without a third pass or clip without a learning rule, W2 an unused input, W3 an unused
 * value) through the file pipeline: each reported where it belongs with its hint, none where the
 * thing is used, and none of them stopping compilation.
 */
class WarningsTest {
  /** The warnings of a file that compiles, rendered on one line each. */
  static List<String> warnings(String text) {
    FileCompiler.Checked checked = FileCompiler.checkWithWarnings(new SourceFile("w.bpnet", text));
    return checked.warnings().stream().map(Diagnostic::render).toList();
  }

  static String model(String body, String train) {
    return "model M {\n input x: [4]\n label y: [2]\n" + body + " loss = mse(out, y)\n train { " + train + " }\n}\n";
  }

  // ---------------------------------------------------------------- W1

  @Test
  void aThirdPassModeWithTwoPassesHasNoEffect() {
    assertEquals(List.of("warning(W1): w.bpnet:6:10: 'third = exact' has no effect: passes = 2 (the default) trains"
            + " without the third pass; write passes = 3 to train with the third pass, or leave out 'third'"),
        warnings(model(" out = dense(x, 2)\n", "third = exact")));
    assertEquals(List.of("warning(W1): w.bpnet:6:22: 'third = paper' has no effect: passes = 2 (at w.bpnet:6:10) trains"
            + " without the third pass; write passes = 3 to train with the third pass, or leave out 'third'"),
        warnings(model(" out = dense(x, 2)\n", "passes = 2  third = paper")));
  }

  @Test
  void aThirdPassModeWithThreePassesOrABadValueIsNoWarning() {
    assertEquals(List.of(), warnings(model(" out = dense(x, 2)\n", "passes = 3  alpha = 0.5  third = exact")));
    assertEquals(List.of(), warnings(model(" out = dense(x, 2)\n", "passes = 2")));
    // a bad value is an error of its own: no warning about it besides
    CompileException e = assertThrows(CompileException.class, () -> warnings(model(" out = dense(x, 2)\n", "third = papr")));
    assertEquals(List.of("E7"), codes(e));
    e = assertThrows(CompileException.class, () -> warnings(model(" out = dense(x, 2)\n", "passes = 4  third = exact")));
    assertEquals(List.of("E7"), codes(e));
  }

  @Test
  void minDeltaWithoutEarlyStopOrKeepBestHasNoEffect() {
    assertEquals(List.of("warning(W1): w.bpnet:6:22: 'min_delta' has no effect: it decides what counts as a better"
            + " validation epoch, and neither early_stop nor keep = best follows one; add early_stop = N or keep = best,"
            + " or leave out 'min_delta'"),
        warnings(model(" out = dense(x, 2)\n", "epochs = 3  min_delta = 0.01")));
    assertEquals(List.of(), warnings(model(" out = dense(x, 2)\n", "early_stop = 2  min_delta = 0.01")));
    assertEquals(List.of(), warnings(model(" out = dense(x, 2)\n", "keep = best  min_delta = 0.01")));
    CompileException e = assertThrows(CompileException.class,
        () -> warnings(model(" out = dense(x, 2)\n", "early_stop = 2  min_delta = -0.1")));
    assertEquals(List.of("E7"), codes(e));
  }

  @Test
  void g3WithoutFeedbackHasNoEffect() {
    assertEquals(List.of("warning(W1): w.bpnet:4:25: 'g3' has no effect: the layer has no feedback matrix B (it is an"
            + " option of feedback alignment); remove 'g3', or add feedback = random or random_updated"),
        warnings(model(" out = dense(x, 2, g3 = w)\n", "passes = 3  alpha = 0.5")));
    assertEquals(List.of(), warnings(model(" out = dense(x, 2, feedback = random, g3 = none)\n", "passes = 3  alpha = 0.5")));
    CompileException e = assertThrows(CompileException.class,
        () -> warnings(model(" out = dense(x, 2, feedback = random, g3 = W)\n", "passes = 3  alpha = 0.5")));
    assertEquals(List.of("E7"), codes(e));
  }

  /**
   * The train option g3 chooses for the feedback layers that give no g3 of their own: with three
   * passes and none such it changes nothing (with two, the third-pass check above says so). Where
   * a layer takes it, it matters in exact mode as in paper mode: no warning for either.
   */
  @Test
  void theTrainOptionG3WithoutAFeedbackLayerThatTakesItHasNoEffect() {
    assertEquals(List.of("warning(W1): w.bpnet:6:35: 'g3 = w' has no effect: model 'M' has no feedback layer (dense,"
            + " conv2d or untied_conv2d with feedback = random or random_updated), and g3 says where the third-pass gradient"
            + " that reaches a feedback matrix B goes; leave out 'g3', or give a layer feedback = random or random_updated"),
        warnings(model(" out = dense(x, 2)\n", "passes = 3  alpha = 0.5  g3 = w")));
    assertEquals(List.of("warning(W1): w.bpnet:6:35: 'g3 = none' has no effect: every feedback layer of model 'M' gives"
            + " its own g3, which wins over the train option; leave out 'g3': each feedback layer's own g3 = ... decides"),
        warnings(model(" out = dense(x, 2, feedback = random, g3 = w)\n", "passes = 3  alpha = 0.5  g3 = none")));
    for (String third : List.of("paper", "exact")) {
      assertEquals(List.of(), warnings(model(" h = tanh(dense(x, 3, feedback = random, g3 = b))\n out = dense(h, 2,"
          + " feedback = random_updated)\n", "passes = 3  alpha = 0.5  third = " + third + "  g3 = w")), third);
    }
    // with two passes, one warning: the third-pass check's
    assertEquals(List.of("warning(W1): w.bpnet:6:10: 'g3 = w' has no effect: passes = 2 (the default) trains without the"
            + " third pass; write passes = 3 to train with the third pass, or leave out 'g3'"),
        warnings(model(" out = dense(x, 2)\n", "g3 = w")));
  }

  /** From the command line (--set g3=..., what a sweep's --grid g3=... gives each run), located in the setting. */
  @Test
  void aSetG3WithoutAFeedbackLayerIsLocatedInTheSetting() {
    FileCompiler.Checked checked = FileCompiler.checkWithWarnings(new SourceFile("w.bpnet",
        model(" out = dense(x, 2)\n", "passes = 3  alpha = 0.5")), new dev.bpnet.dsl.syntax.Overrides(List.of("g3=none")));
    assertEquals(List.of("warning(W1): --set:1:1: 'g3 = none' has no effect: model 'M' has no feedback layer (dense,"
        + " conv2d or untied_conv2d with feedback = random or random_updated), and g3 says where the third-pass gradient"
        + " that reaches a feedback matrix B goes; leave out 'g3', or give a layer feedback = random or random_updated"),
        checked.warnings().stream().map(Diagnostic::render).toList());
  }

  @Test
  void clipWithoutALearningRuleHasNoEffect() {
    assertEquals(List.of("warning(W1): w.bpnet:7:10: 'clip' has no effect: no learning rule in this model replaces a"
            + " gradient, and clip bounds only those; remove 'clip', or give the layers below it a learning rule"
            + " (feedback = random, ...)"),
        warnings(model(" h = tanh(dense(x, 3))\n out = dense(h, 2)\n", "clip = 0.5")));
    // feedback alignment on the output layer replaces the gradient that reaches h's weights
    assertEquals(List.of(), warnings(model(" h = tanh(dense(x, 3))\n out = dense(h, 2, feedback = random)\n", "clip = 0.5")));
    // on the first layer it replaces only the input's gradient, which no parameter is upstream of
    assertEquals(1, warnings(model(" h = tanh(dense(x, 3, feedback = random))\n out = dense(h, 2)\n", "clip = 0.5")).size());
    assertEquals(List.of(), warnings(model(" out = dense(x, 2)\n", "clip = none")));
  }

  // ---------------------------------------------------------------- W2, W3

  @Test
  void anInputTheLossNeverReadsIsUnused() {
    String text = "model M {\n input x: [4]\n input x2: [3]\n label y: [2]\n out = dense(x, 2)\n loss = mse(out, y)\n}\n";
    assertEquals(List.of("warning(W2): w.bpnet:3:8: unused input 'x2': the loss does not depend on it;"
        + " remove it, or use it in the model"), warnings(text));
  }

  @Test
  void aValueNothingDependsOnIsUnusedAndItsParametersAreNamed() {
    assertEquals(List.of(
        "warning(W3): w.bpnet:5:2: 'extra' is computed, but neither the loss nor the output depends on it;"
            + " remove it, or use it; the loss does not depend on its parameters extra.W, extra.b",
        "warning(W3): w.bpnet:6:2: 'more' is computed, but neither the loss nor the output depends on it; remove it, or use it",
        "warning(W3): w.bpnet:7:2: 'w' is computed, but neither the loss nor the output depends on it;"
            + " remove it, or use it; the loss does not depend on its parameter w"),
        warnings(model(" h = tanh(dense(x, 3))\n extra = dense(h, 5)\n more = relu(extra)\n w = param(4, 4)\n"
            + " out = dense(h, 2)\n", "")));
  }

  /** reshape(flatten(x)) is one reshape of x: the flattened value's node leaves the graph, not its use. */
  @Test
  void aValueThatAlgebraRemovesIsStillUsedByName() {
    String text = "model M {\n input x: [2, 3, 4]\n label y: [5]\n f = flatten(x)\n r = reshape(f, 4, 6)\n"
        + " W = param(6, 5)\n out = mean(matmul(r, W), axis = 1)\n loss = mse(out, y)\n}\n";
    assertEquals(List.of(), warnings(text));
  }

  @Test
  void usedThingsAreNotReported() {
    // the label only through the loss; g only in a layer rule's backward body; h through a
    // value used twice; a number; a feedback matrix the forward pass never reads
    String text = """
        layer scaled(x, s) -> y {
          unused_inside = relu(x)
          y = x
          backward(dy) { dx = dy * s }
        }
        activation slow(z) -> a {
          a = sigmoid(z)
          backward(da) { t = da * 2  dz = da * lr }
        }
        model M {
          input x: [4]
          label y: [2]
          n = 3
          g = sigmoid(dense(x, 4))
          h = scaled(dense(x, 4), g)
          k = slow(h) * n
          fb = dense(k, 3, feedback = random)
          out = dense(stop_gradient(fb) + fb, 2)
          loss = mse(out, y)
        }
        """;
    assertEquals(List.of(), warnings(text));
  }

  @Test
  void aNumberIsNeverReportedUnused() {
    assertEquals(List.of(), warnings(model(" n = 4\n m = 2 * 3\n out = dense(x, 2)\n", "")));
  }

  // ---------------------------------------------------------------- how warnings travel

  @Test
  void warningsDoNotStopThePipeline() {
    String text = model(" extra = dense(x, 3)\n out = dense(x, 2)\n", "third = exact");
    FileCompiler.Checked checked = FileCompiler.checkWithWarnings(new SourceFile("w.bpnet", text));
    assertEquals(List.of("M"), checked.models().stream().map(t -> t.program().name()).toList());
    assertEquals(List.of("W3", "W1"), checked.warnings().stream().map(d -> d.code().code()).toList(), "in source order");
    // the trainer is generated as ever
    FileCompiler.generate(checked.model(null), "w");
    // callers that only want the graphs still get them
    assertEquals(1, FileCompiler.check(new SourceFile("w.bpnet", text)).size());
    Program p = Lowering.lower(Parser.parse("w.bpnet", text).get(0));
    assertEquals("M", p.name());
  }

  /** Errors in one model, warnings in another: all of them, in source order, with the errors. */
  @Test
  void warningsTravelWithErrors() {
    String text = model(" out = dense(x, 2)\n", "third = exact") + "model Bad {\n input x: [4]\n input unused: [2]\n"
        + " label y: [2]\n out = dense(nope, 2)\n loss = mse(out, y)\n}\n";
    CompileException e = assertThrows(CompileException.class, () -> warnings(text));
    assertEquals(List.of("W1", "E1"), codes(e));
  }

  /** The Java API: the warnings travel with the lowered program. */
  @Test
  void theCompilerApiReturnsWarningsWithTheProgram() {
    String text = "model M {\n input x: [4]\n input x2: [3]\n label y: [2]\n out = dense(x, 2)\n loss = mse(out, y)\n}\n";
    var tg = BpNetCompiler.differentiate(Parser.parse("w.bpnet", text).get(0));
    assertEquals(List.of("W2"), tg.program().warnings().stream().map(d -> d.code().code()).toList());
  }

  private static List<String> codes(CompileException e) {
    return e.diagnostics().stream().map(d -> d.code().code()).toList();
  }
}
