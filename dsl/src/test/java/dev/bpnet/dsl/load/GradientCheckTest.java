package dev.bpnet.dsl.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.ir.RuleInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bpnet check --gradients: a model whose rules are exact is checked and passes; an exact mark
 * on a rule that is not the derivative is caught; learning rules are reported, not checked.
 */
class GradientCheckTest {
  static final String RULES = """
      activation exact my_sigmoid(z) -> a { a = sigmoid(z) backward(da) { dz = da * a * (1 - a) } }
      activation exact wrong_sigmoid(z) -> a { a = sigmoid(z) backward(da) { dz = da * a } }
      """;

  static TrainingGraph model(String act) {
    return FileCompiler.model(new SourceFile("g.bpnet", RULES + "model M { input x: [3] label y: [2]\n h = " + act.replace("Z", "dense(x, 4)")
        + "\n out = dense(h, 2)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { passes = 3 alpha = 0.5 third = exact } }\n"), null);
  }

  @Test
  void anExactRuleThatIsTheDerivativePasses() {
    List<GradientCheck.Result> r = GradientCheck.run(model("my_sigmoid(Z)"), 1);
    assertEquals(2, r.size(), "g2 and the exact g3");
    r.forEach(x -> assertTrue(x.ok() && x.error() < 1e-7, x.toString()));
    assertTrue(GradientCheck.learningRules(model("my_sigmoid(Z)")).isEmpty());
  }

  @Test
  void anExactMarkOnAWrongRuleFailsTheCheck() {
    GradientCheck.Result g2 = GradientCheck.run(model("wrong_sigmoid(Z)"), 1).get(0);
    assertTrue(!g2.ok() && g2.error() > 0.1, g2.toString());
  }

  @Test
  void learningRulesAreNamed() {
    List<RuleInfo> l = GradientCheck.learningRules(model("straight_through(tanh(Z))"));
    assertEquals(List.of("straight_through(tanh)"), l.stream().map(RuleInfo::name).toList());
  }
}
