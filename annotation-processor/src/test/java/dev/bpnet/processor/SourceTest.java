package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code @BpNetSource}: a .bpnet file found on the class path (here this module's test
 * resources) is compiled by javac; a missing or broken file fails the compilation with the DSL's
 * diagnostics, shown with the file's own positions and lines, on the annotation.
 */
class SourceTest {
  @Test
  void compilesEveryModelOfTheFile() {
    Compilation c = Compile.javac(Compile.source("Models", "import dev.bpnet.api.annotation.BpNetSource;",
        "@BpNetSource(\"models/tiny.bpnet\") interface Models {}"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("test.TinyATrainer").contentsAsUtf8String().contains("[tiny.bpnet:5:15]");  // relative to the model file's directory
    assertThat(c).generatedSourceFile("test.TinyBTrainer");
  }

  @Test
  void onAPackage() {
    Compilation c = Compile.javac(JavaFileObjects.forSourceLines("test.package-info",
        "@BpNetSource(\"models/tiny.bpnet\")", "package test;", "import dev.bpnet.api.annotation.BpNetSource;"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("test.TinyATrainer");
  }

  @Test
  void missingFile() {
    JavaFileObject src = Compile.source("Models", "import dev.bpnet.api.annotation.BpNetSource;",
        "@BpNetSource(\"models/nowhere.bpnet\")",
        "interface Models {}");
    Compilation c = Compile.javac(src);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E14] cannot read models/nowhere.bpnet: no such file on the source path, "
        + "the class path or the class output").inFile(src).onLine(3);
  }

  @Test
  void syntaxErrorsInTheFile() {
    JavaFileObject src = Compile.source("Models", "import dev.bpnet.api.annotation.BpNetSource;",
        "",
        "@BpNetSource(\"models/broken.bpnet\") interface Models {}");
    Compilation c = Compile.javac(src);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E12] models/broken.bpnet:4:20: syntax error: unexpected number 5; expected ',' or ')'\n"
        + "      h = relu(dense(x 5))\n"
        + "                       ^").inFile(src).onLine(4);
  }

  @Test
  void modelErrorsInTheFile() {
    JavaFileObject src = Compile.source("Models", "import dev.bpnet.api.annotation.BpNetSource;",
        "@BpNetSource(\"models/misnamed.bpnet\") interface Models {}");
    Compilation c = Compile.javac(src);
    assertThat(c).hadErrorCount(2);
    assertThat(c).hadErrorContaining("[E1] models/misnamed.bpnet:4:18: unknown name 'xx'\n"
        + "      logits = dense(xx, 3)\n"
        + "                     ^^\n  hint: did you mean 'x'?").inFile(src).onLine(3);
    assertThat(c).hadErrorContaining("[E7] models/misnamed.bpnet:6:19: bad value for option 'third'").inFile(src).onLine(3);
  }
}
