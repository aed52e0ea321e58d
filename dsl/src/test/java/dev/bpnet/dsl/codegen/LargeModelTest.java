package dev.bpnet.dsl.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model too large for one Java method per pass (javac's "code too large" at 64 KiB of
 * bytecode): the generator splits the passes into parts, and the trainer compiles, loads and
 * takes a step.
 */
class LargeModelTest {
  static String deepMlp(int layers, int passes) {
    StringBuilder b = new StringBuilder("model Deep {\n  input x: [4]\n  label y: [3]\n  h0 = x\n");
    for (int i = 1; i <= layers; i++) {
      b.append("  h").append(i).append(" = tanh(dense(h").append(i - 1).append(", 4))\n");
    }
    b.append("  logits = dense(h").append(layers).append(", 3)\n")
        .append("  loss = softmax_cross_entropy(logits, y)\n")
        .append("  train { passes = ").append(passes).append(" alpha = 0.5 }\n}\n");
    return b.toString();
  }

  @Test
  void aThreeHundredLayerMlpCompilesLoadsAndSteps() {
    for (int passes : new int[] {2, 3}) {
      TrainingGraph tg = FileCompiler.model(new SourceFile("deep.bpnet", deepMlp(300, passes)), null);
      String src = FileCompiler.generate(tg, "dev.bpnet.generated").toString();
      assertTrue(src.contains("private void forwardPart2()"), "forward is split");
      assertTrue(src.contains("private void backwardPart2()"), "backward is split");
      assertTrue(src.contains("private void allocatePart2()"), "allocate is split");
      assertTrue(src.contains("private void initParametersPart2(DataType dtype, long seed)"), "the parameters' initialisation is split");
      if (passes == 3) {
        assertTrue(src.contains("private void directionPart2()"), "the update direction is split");
      }
      assertMethodsWithinLimit(src);
      Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 1);
      var x = Nd4j.rand(DataType.FLOAT, 8, 4);
      var y = Nd4j.zeros(DataType.FLOAT, 8, 3);
      for (int i = 0; i < 8; i++) {
        y.putScalar(i, i % 3, 1);
      }
      StepResult r = t.step(java.util.Map.of("x", x, "y", y));
      assertTrue(Double.isFinite(r.loss()), "loss " + r.loss());
    }
  }

  /** No generated method body, the constructor included, holds more statements than the limit. */
  private static void assertMethodsWithinLimit(String src) {
    Matcher m = Pattern.compile("\n  (?:private|public) [^\n(]*\\(([^\n]*)\\) \\{\n(.*?)\n  }\n", Pattern.DOTALL)
        .matcher(src);
    while (m.find()) {
      long n = m.group(2).lines().filter(l -> l.stripTrailing().endsWith(";")).count();
      assertTrue(n <= MethodSplitter.MAX_STATEMENTS, n + " statements in " + m.group(0).lines().skip(1)
          .findFirst().orElse(""));
    }
  }
}
