package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The DSL's warnings (W codes) become javac warnings on the element they are about: the
 * trainer is still generated, and only {@code -Werror} makes them fail the build.
 */
class WarningTest {
  private static final String I = Compile.IMPORTS; // line 2

  /** Compiles {@code test.M} without -Werror: it succeeds, with exactly one warning containing {@code message} on {@code line}. */
  private static void warns(int line, String message, String... lines) {
    JavaFileObject src = Compile.source("M", lines);
    Compilation c = Compile.javacAllowingWarnings(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningCount(1);
    assertThat(c).hadWarningContaining(message).inFile(src).onLine(line);
    assertThat(c).generatedSourceFile("test.MTrainer");
  }

  @Test
  void unusedInput() {
    warns(5, "[W2] unused input 'x2': the loss does not depend on it", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Input(2) INDArray x2();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void unusedValue() {
    warns(6, "[W3] 'extra' is computed, but neither the loss nor the output depends on it", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(5) INDArray extra(INDArray x);",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void thirdPassModeWithTwoPasses() {
    warns(3, "[W1] 'third = exact' has no effect: passes = 2 (the default) trains without the third pass", I,
        "@BpNetModel(train = @Train(third = \"exact\")) interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void werrorMakesAWarningFail() {
    Compilation c = Compile.javac(Compile.source("M", I,
        "@BpNetModel(train = @Train(third = \"paper\")) interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}"));
    assertThat(c).failed();
    assertThat(c).hadWarningContaining("[W1] 'third = paper' has no effect");
  }

  @Test
  void warningsOfASourceFileAreShownWithItsLines() {
    JavaFileObject src = Compile.source("Models", "import dev.bpnet.api.annotation.BpNetSource;",
        "@BpNetSource(\"models/warned.bpnet\") interface Models {}");
    Compilation c = Compile.javacAllowingWarnings(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningCount(1);
    assertThat(c).hadWarningContaining("[W2] models/warned.bpnet:4:9: unused input 'x2': the loss does not depend on it\n"
        + "      input x2: [2]\n"
        + "            ^^\n  hint: remove it, or use it in the model").inFile(src).onLine(3);
    assertThat(c).generatedSourceFile("test.WarnedTrainer");
  }
}
