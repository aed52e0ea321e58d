package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The declaration {@code output = EXPR} in the annotation front end: a {@code @Layer} method named
 * output. With a hand-written loss it is what predict returns, and the trainer is the one the
 * .bpnet file with {@code output = out} gives; without it such a loss is E52 on the loss, and an
 * output without a label's shape is E4 on the output, as in a .bpnet file.
 */
class OutputTest {
  private static final String I = Compile.IMPORTS; // line 2

  private static final String BPNET = """
      model Squared {
        input x: [4]
        label y: [3]
        h = tanh(dense(x, 5))
        out = dense(h, 3)
        output = out
        loss = mean(sum((out - y) ^ 2, axis = 1))
        train { optimizer = adam(lr = 0.001)  seed = 3 }
      }
      """;

  /** The annotated Squared, with {@code output} as the given line (line 9; the loss is line 10). */
  private static JavaFileObject squared(String output) {
    return Compile.source("Squared", I,
        "@BpNetModel(train = @Train(optimizer = \"adam(lr = 0.001)\", seed = 3))",
        "interface Squared {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Layer(\"tanh(dense(x, 5))\") INDArray h();",
        "  @Dense(3) INDArray out(INDArray h);",
        "  " + output,
        "  @Loss(\"mean(sum((out - y) ^ 2, axis = 1))\") INDArray loss();",
        "}");
  }

  @Test
  void aDeclaredOutputGeneratesTheFilesTrainer() throws Exception {
    Compilation c = Compile.javac(squared("@Layer(\"out\") INDArray output();"));
    assertThat(c).succeededWithoutWarnings();
    String annotated = c.generatedSourceFile("test.SquaredTrainer").orElseThrow().getCharContent(true).toString();
    String dsl = FileCompiler.generate(FileCompiler.model(new SourceFile("squared.bpnet", BPNET), "Squared"), "test").toString();
    assertEquals(withoutPositions(dsl), withoutPositions(annotated));
  }

  @Test
  void aHandWrittenLossWithoutOutputIsE52OnTheLoss() {
    JavaFileObject src = squared("// no output");
    Compilation c = Compile.javac(src);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E52] cannot tell what the model predicts: the loss calls none of the built-in losses")
        .inFile(src).onLine(10);
  }

  @Test
  void anOutputWithoutALabelsShapeIsE4OnTheOutput() {
    JavaFileObject src = squared("@Layer(\"h\") INDArray output();");
    Compilation c = Compile.javac(src);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E4] shape mismatch in the output: 'h' is [B, 5], but the label 'y' is [B, 3]")
        .inFile(src).onLine(9);
  }

  /** As EquivalenceTest: without the source positions of the generated comments. */
  private static String withoutPositions(String source) {
    return source.replaceAll("    \\[[^\\]\\n]+:\\d+:\\d+\\]\\n", "\n").replaceAll("\\(\\S+:\\d+:\\d+\\)", "(...)");
  }
}
