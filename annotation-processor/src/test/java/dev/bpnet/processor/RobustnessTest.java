package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor never throws, and never reports an error twice. */
class RobustnessTest {
  private static final String MODEL_BODY = "  @Input(4) INDArray x(); @Label(3) INDArray y(); @Dense(3) INDArray h(INDArray x);"
      + " @Loss(\"mse\") INDArray loss(INDArray h, INDArray y);";

  /**
   * An unexpected failure while processing one type (here thrown into the processor's own guard,
   * as a bug in the compiler would be) is one E11 error on that type, and the other types are
   * still generated.
   */
  @Test
  void internalFailureIsOneErrorAndOtherTypesGoOn(@TempDir Path out) {
    JavaFileObject broken = Compile.source("Broken", Compile.IMPORTS, "interface Broken {}");
    JavaFileObject fine = Compile.source("Fine", Compile.IMPORTS, "@BpNetModel interface Fine {", MODEL_BODY, "}");
    Compilation c = Compiler.javac().withProcessors(failingOn("Broken"), new BpNetProcessor()).compile(broken, fine);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E11] internal compiler error: while processing test.Broken: "
        + "java.lang.IllegalStateException: boom").inFile(broken).onLine(3);
    // compile-testing keeps the generated files of a failed compilation to itself: run javac with a source output
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavaCompiler.CompilationTask task = javac.getTask(null, null, d -> { }, List.of("-s", out.toString(), "-d",
        out.toString(), "-proc:only"), null, List.of(broken, fine));
    task.setProcessors(List.of(failingOn("Broken"), new BpNetProcessor()));
    assertFalse(task.call());
    assertTrue(Files.exists(out.resolve("test/FineTrainer.java")), "FineTrainer was not generated");
  }

  /** A processor that fails on the named type inside the processor's own guard, as a bug in bpnet would. */
  private static AbstractProcessor failingOn(String name) {
    return new AbstractProcessor() {
      @Override
      public Set<String> getSupportedAnnotationTypes() {
        return Set.of("*");
      }

      @Override
      public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
      }

      @Override
      public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (Element e : round.getRootElements()) {
          if (e.getSimpleName().contentEquals(name)) {
            BpNetProcessor.guard(e, new ErrorReporter(processingEnv.getMessager()), () -> {
              throw new IllegalStateException("boom");
            });
          }
        }
        return false;
      }
    };
  }

  /** A value javac cannot evaluate is javac's error to report, not an internal failure of bpnet. */
  @Test
  void unknownConstantIsLeftToJavac() {
    JavaFileObject src = Compile.source("M", Compile.IMPORTS,
        "@BpNetModel(train = @Train(optimizer = NO_SUCH_CONSTANT)) interface M {", MODEL_BODY, "}");
    Compilation c = Compile.javac(src);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("cannot find symbol").inFile(src).onLine(3);
  }

  /**
   * The generated trainer starts a second round: nothing is written or reported twice, and the
   * whole compilation, generated code included, is warning-free.
   */
  @Test
  void cleanAcrossRounds() {
    JavaFileObject src = Compile.source("Once", Compile.IMPORTS, "@BpNetModel interface Once {", MODEL_BODY, "}");
    Compilation c = Compile.javac(src);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("test.OnceTrainer");
  }
}
