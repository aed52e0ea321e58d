package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiler's packages depend only down the pipeline (docs/architecture.md, "Packages and
 * modules"), and only {@code load} reaches the runtime and ND4J. Read from the sources: every
 * qualified name outside comments and string literals (imports, static imports, names written
 * in full) counts; a name in a string, as codegen writes {@code "dev.bpnet.runtime"} for
 * JavaPoet, is the generated code's dependency, not the compiler's.
 */
class LayeringTest {
  static final Path MAIN = Path.of("src/main/java/dev/bpnet/dsl");
  static final Path PROCESSOR = Path.of("../annotation-processor/src/main/java");

  /** What each package may name besides itself and the JDK; a package missing here fails. */
  static final Map<String, Set<String>> ALLOWED = Map.of(
      "diag", Set.of("api"),
      "syntax", Set.of("diag", "api"),
      "ir", Set.of("diag", "api"),
      "lower", Set.of("syntax", "ir", "diag", "api"),
      "ad", Set.of("ir", "diag", "api"),
      "codegen", Set.of("ad", "ir", "diag", "api"),
      "model", Set.of("syntax", "diag", "api"),
      "compile", Set.of("syntax", "lower", "ir", "ad", "codegen", "diag", "model", "api"),
      // ONNX export: the IR and ND4J (parameter values, and the ONNX protos nd4j-api carries)
      "export", Set.of("ir", "diag", "api", "nd4j"),
      // the only package that loads trainers: the runtime, ND4J
      "load", Set.of("compile", "syntax", "ir", "ad", "codegen", "diag", "model", "api", "runtime", "nd4j"));

  /**
   * Qualified names of the project's packages and of the libraries the layering keeps out (the
   * grammar, ANTLR and JavaPoet are the compiler's own dependencies, allowed everywhere).
   */
  static final Pattern NAME = Pattern.compile(
      "\\b(dev\\.bpnet\\.dsl\\.[a-z]+|dev\\.bpnet\\.(?:api|runtime|cli|processor)|org\\.nd4j|org\\.bytedeco"
          + "|picocli|org\\.knowm|me\\.tongfei)\\b");

  @Test
  void compilerPackagesDependDownThePipeline() {
    List<String> violations = new ArrayList<>();
    Map<String, Set<String>> seen = new TreeMap<>();
    for (Path f : javaFiles(MAIN)) {
      String pkg = MAIN.relativize(f).getName(0).toString();
      Set<String> allowed = ALLOWED.get(pkg);
      if (allowed == null) {
        violations.add("package " + pkg + " (" + f + ") has no row in LayeringTest.ALLOWED and docs/architecture.md");
        continue;
      }
      for (String used : references(read(f))) {
        if (!used.equals(pkg)) {
          seen.computeIfAbsent(pkg, k -> new TreeSet<>()).add(used);
          if (!allowed.contains(used)) {
            violations.add(MAIN.relativize(f) + " uses " + used + " (" + pkg + " may use " + new TreeSet<>(allowed) + ")");
          }
        }
      }
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
    // the scan sees what it should, or it would pass by seeing nothing
    assertTrue(seen.get("load").containsAll(Set.of("runtime", "nd4j", "compile")), seen.toString());
    assertTrue(seen.get("ir").containsAll(Set.of("diag", "api")), seen.toString());
  }

  @Test
  void theProcessorGeneratesWithoutLoading() {
    // Its classpath has no runtime (the enforcer rule in annotation-processor/pom.xml); a
    // reference to load would compile against signatures it cannot run.
    List<String> violations = new ArrayList<>();
    for (Path f : javaFiles(PROCESSOR)) {
      for (String used : references(read(f))) {
        if (Set.of("load", "runtime", "nd4j", "cli", "picocli", "xchart", "progressbar").contains(used)) {
          violations.add(PROCESSOR.relativize(f) + " uses " + used);
        }
      }
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  @Test
  void namesInCommentsAndStringsDoNotCount() {
    String src = """
        package dev.bpnet.dsl.ir;
        import dev.bpnet.api.TrainSpec; // dev.bpnet.runtime.Trainer
        /** {@code org.nd4j.linalg.factory.Nd4j} */
        class X { Object a = ClassName.get("dev.bpnet.runtime", "Kernels"); char c = '"';
          String t = \"""
              org.nd4j.Foo
              \"""; dev.bpnet.dsl.ad.Phase p; }
        """;
    assertEquals(Set.of("ir", "api", "ad"), references(src));
  }

  /** The packages (by short name: ir, api, runtime, nd4j, ...) a source file names in code. */
  static Set<String> references(String source) {
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(code(source));
    while (m.find()) {
      String n = m.group(1);
      out.add(n.startsWith("dev.bpnet.dsl.") ? n.substring("dev.bpnet.dsl.".length())
          : n.startsWith("dev.bpnet.") ? n.substring("dev.bpnet.".length())
          : n.equals("org.nd4j") || n.equals("org.bytedeco") ? "nd4j"
          : n.equals("org.knowm") ? "xchart"
          : n.equals("me.tongfei") ? "progressbar"
          : n);
    }
    return out;
  }

  /** The source without comments, string, text-block and char literals (each becomes a space). */
  static String code(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("//", i)) {
        i = end(s, s.indexOf('\n', i), 0);
      } else if (s.startsWith("/*", i)) {
        i = end(s, s.indexOf("*/", i + 2), 2);
      } else if (s.startsWith("\"\"\"", i)) {
        i = end(s, s.indexOf("\"\"\"", i + 3), 3);
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        char q = s.charAt(i++);
        while (i < s.length() && s.charAt(i) != q) {
          i += s.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else {
        b.append(s.charAt(i++));
        continue;
      }
      b.append(' ');
    }
    return b.toString();
  }

  private static int end(String s, int at, int length) {
    return at < 0 ? s.length() : at + length;
  }

  static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> l = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      assertTrue(!l.isEmpty(), "no sources under " + root.toAbsolutePath());
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
