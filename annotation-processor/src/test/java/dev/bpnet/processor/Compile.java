package dev.bpnet.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;

/** Compiles test sources with the processor, as javac would in a user's build. */
final class Compile {
  private Compile() {}

  static Compilation javac(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new BpNetProcessor()).withOptions("-Xlint:all,-processing", "-Werror").compile(sources);
  }

  /** As {@link #javac}, without -Werror: bpnet's warnings (W codes) then leave the build successful. */
  static Compilation javacAllowingWarnings(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new BpNetProcessor()).withOptions("-Xlint:all,-processing").compile(sources);
  }

  /** A source file {@code test/NAME.java} from its lines (line 1 is the package clause). */
  static JavaFileObject source(String name, String... lines) {
    String[] all = new String[lines.length + 1];
    all[0] = "package test;";
    System.arraycopy(lines, 0, all, 1, lines.length);
    return JavaFileObjects.forSourceLines("test." + name, all);
  }

  /** The usual imports, to start a model file with. */
  static final String IMPORTS = "import dev.bpnet.api.annotation.*; import org.nd4j.linalg.api.ndarray.INDArray;";
}
