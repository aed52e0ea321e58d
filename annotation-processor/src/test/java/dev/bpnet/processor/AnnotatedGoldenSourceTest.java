package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Whole generated sources of annotated models against golden files. Regenerate after an intended
 * change with {@code mvn -pl annotation-processor -am test -Dtest=AnnotatedGoldenSourceTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dbpnet.updateGolden=true} and review the diff.
 */
class AnnotatedGoldenSourceTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  /** Typed layers: dense layers named by their parameters, a loss applied to its parameters; 3 passes, paper. */
  @Test
  void typedLayers() throws IOException {
    check("Mlp", "MlpTrainer.java.txt", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.8, third = \"paper\", optimizer = \"sgd(lr = 0.1)\",",
        "    init = \"xavier\", batch = 16, seed = 7))",
        "interface Mlp {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(value = 5, activation = \"relu\") INDArray h(INDArray x);",
        "  @Dense(3) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** Expression layers, a function applied to a parameter, an exact third pass and Adam, on an abstract class. */
  @Test
  void expressionLayers() throws IOException {
    check("Expressions", "ExpressionsTrainer.java.txt", Compile.IMPORTS,
        "@BpNetModel(name = \"Residual\", train = @Train(passes = 3, alpha = 0.5, third = \"exact\",",
        "    optimizer = \"adam(lr = 0.001)\", dtype = \"float64\"))",
        "abstract class Expressions {",
        "  @Input(4) abstract INDArray x();",
        "  @Label(4) abstract INDArray y();",
        "  @Layer(\"dense(x, 4, bias = 0)\") abstract INDArray z();",
        "  @Layer(\"tanh\") abstract INDArray a(INDArray z);",
        "  @Layer(\"x + 0.5 * a\") abstract INDArray out();",
        "  @Loss(\"mse(out, y)\") abstract INDArray loss();",
        "}");
  }

  /** Learning rules: a user activation, linear backprop and feedback alignment. */
  @Test
  void learningRules() throws IOException {
    check("Rules", "RulesTrainer.java.txt", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.9, third = \"exact\"))",
        "interface Rules {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Activation(forward = \"a = sigmoid(z)\", backward = {\"s = a * (1 - a)\", \"dz = da * s\"})",
        "  INDArray my_sigmoid(INDArray z);",
        "  @Dense(value = 5, activation = \"tanh\", backward = Dense.Backward.STRAIGHT_THROUGH) INDArray h(INDArray x);",
        "  @Dense(value = 5, activation = \"my_sigmoid\") INDArray g(INDArray h);",
        "  @Dense(value = 3, feedback = Dense.Feedback.RANDOM) INDArray logits(INDArray g);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  private static void check(String type, String golden, String... lines) throws IOException {
    Compilation c = Compile.javac(Compile.source(type, lines));
    // golden or not, the generated code compiles warning-free (-Xlint:all -Werror)
    assertThat(c).succeededWithoutWarnings();
    // the trainer (the processor writes the forward-only model beside it)
    JavaFileObject f = c.generatedSourceFiles().stream().filter(g -> g.getName().endsWith("Trainer.java")).findFirst()
        .orElseThrow();
    String actual = f.getCharContent(true).toString();
    Path p = GOLDEN.resolve(golden);
    if (Boolean.getBoolean("bpnet.updateGolden")) {
      Files.writeString(p, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, "generated " + f.getName() + " differs from " + p);
  }
}
