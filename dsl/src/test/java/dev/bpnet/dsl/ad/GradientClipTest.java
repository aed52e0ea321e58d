package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.codegen.TrainerSources;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code clip = c} in the train block (the asymmetric-backprop report, section 5: the gradient
 * dot(h^T, G) whose G came back through the random feedback is clipped): each step the g2 of the
 * parameters upstream of a learning rule's replaced gradient is clipped element-wise to [-c, c]
 * before the optimizer (and before alpha g2 + (1 - alpha) g3); every other gradient, g3, and the
 * reported pass2 are untouched, and a run without clip is the same trainer as before.
 */
class GradientClipTest {
  private static final double LR = 0.5;
  private static final double CLIP = 0.02;

  static TrainingGraph graph(String out, String act, String options) {
    String text = "model K { input x: [3] label y: [2]\n h = " + act + "\n out = " + out + "\n loss = mse(out, y)\n"
        + " train { optimizer = sgd(lr = " + LR + ") dtype = float64 " + options + " } }\n";
    return FileCompiler.model(new SourceFile("k.bpnet", text), null);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "dense(h, 2, feedback = random)        | tanh(dense(x, 4))                  | ''",
      "dense(h, 2, feedback = random)        | tanh(dense(x, 4))                  | passes = 3 alpha = 0.6 third = exact",
      "dense(h, 2, feedback = random_updated) | tanh(dense(x, 4))                 | passes = 3 alpha = 0.6 third = paper",
      "dense(h, 2)                           | straight_through(tanh(dense(x, 4))) | ''",
  })
  void onlyTheGradientsARuleReplacedAreClipped(String out, String act, String options) {
    Trainer clipped = TrainerLoader.instantiate(graph(out, act, options + " clip = " + CLIP), DataType.DOUBLE, 3);
    Trainer plain = TrainerLoader.instantiate(graph(out, act, options), DataType.DOUBLE, 3);
    Random r = new Random(4);
    TestData.perturb(clipped, r, 0.5);
    plain.parameters().forEach((k, v) -> v.assign(clipped.parameters().get(k)));
    Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 6, 3).muli(3),
        "y", TestData.gaussian(r, DataType.DOUBLE, 6, 2).muli(3));

    Gradients gc = clipped.gradients(f);
    Gradients gp = plain.gradients(f);
    boolean third = options.contains("passes = 3");
    double alpha = third ? 0.6 : 1.0;
    for (String k : List.of("h.W", "h.b", "out.W", "out.b")) {
      INDArray g2 = gp.pass2().get(k);
      assertEquals(0.0, g2.sub(gc.pass2().get(k)).amaxNumber().doubleValue(), 0.0, k + ": the reported g2 is not clipped");
      boolean upstream = k.startsWith("h.");  // below the rule: its gradient came back through it
      // the test fails if clipping acts nowhere or everywhere: both kinds exceed the bound
      assertTrue(g2.amaxNumber().doubleValue() > 2 * CLIP, k + " exceeds the bound: " + g2.amaxNumber());
      INDArray g3 = third ? gp.pass3().get(k) : null;
      INDArray want = (upstream ? Transforms.min(Transforms.max(g2, -CLIP, true), CLIP, false) : g2.dup()).muli(alpha);
      if (g3 != null) {
        want.addi(g3.mul(1 - alpha));
      }
      double off = want.sub(gc.direction().get(k)).amaxNumber().doubleValue();
      assertTrue(off < 1e-15, k + ": direction off by " + off);
      double plainOff = third ? gp.direction().get(k).sub(g2.mul(alpha).addi(g3 == null ? g2.mul(0) : g3.mul(1 - alpha)))
          .amaxNumber().doubleValue() : gp.direction().get(k).sub(g2).amaxNumber().doubleValue();
      assertTrue(plainOff < 1e-15, k + ": without clip the direction is unchanged, off by " + plainOff);
    }

    // a step moves the parameters by -lr times that direction (plain SGD)
    INDArray before = clipped.parameters().get("h.W").dup();
    INDArray dir = gc.direction().get("h.W");
    clipped.step(f);
    INDArray moved = clipped.parameters().get("h.W").sub(before);
    assertTrue(moved.add(dir.mul(LR)).amaxNumber().doubleValue() < 1e-15, "the step follows the clipped direction");
    if (options.contains("random_updated")) {
      INDArray b = clipped.parameters().get("out.B");
      assertTrue(b.sub(plain.parameters().get("out.B")).amaxNumber().doubleValue() > 0, "B moved with W");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"dense(h, 2) | tanh(dense(x, 4))", "dense(h, 2, feedback = random) | tanh(dense(x, 4))"})
  void withoutClipTheTrainerIsTheSame(String out, String act) {
    String without = TrainerGenerator.generate(graph(out, act, ""), "p").toString();
    assertFalse(without.contains("clamp("), "no clipping without clip");
    // with nothing a learning rule replaced, clip changes nothing either
    String noRule = TrainerGenerator.generate(graph("dense(h, 2)", "tanh(dense(x, 4))", "clip = 1"), "p").toString();
    assertEquals(TrainerSources.withoutTrainBlock(TrainerGenerator.generate(graph("dense(h, 2)", "tanh(dense(x, 4))", ""),
        "p").toString()), TrainerSources.withoutTrainBlock(noRule), "the same code; only TRAIN says clip = 1");
    if (out.contains("feedback")) {
      String with = TrainerGenerator.generate(graph(out, act, "clip = 1"), "p").toString();
      assertTrue(with.contains("clamp(") && with.contains("// h.W: its gradient comes back through feedback_random"), with);
      assertFalse(with.contains("// out.W: its gradient"), "out.W keeps its true, unclipped gradient");
    }
  }
}
