package dev.bpnet.dsl.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed .bpnet files ({@code src/test/resources/malformed}), each with the
 * exact text the diagnostics printer renders for it in {@code NN-name.expected}: what
 * {@code bpnet check} prints to stderr, without the final "N errors" line.
 *
 * <p>After an intended change to the diagnostics, regenerate with
 * {@code mvn -pl dsl test -Dtest=MalformedCorpusTest -Dbpnet.updateGolden=true} and review
 * every changed file: the wording, position and caret are what users see.
 */
class MalformedCorpusTest {
  /** Relative to the dsl module, so the file names in the golden text are machine-independent. */
  static final Path CORPUS = Path.of("src/test/resources/malformed");
  private static final boolean UPDATE = Boolean.getBoolean("bpnet.updateGolden");

  /** Parser-generator and JVM wording, stack frames, URLs and token names, that must never reach a user. */
  private static final List<String> FORBIDDEN = List.of("Exception", "at java.", "at dev.", "http", "mismatched input",
      "extraneous input", "expecting", "<EOF>", "token recognition", "no viable alternative");
  private static final Pattern TOKEN_NAME = Pattern.compile(
      "\\b(ID|INT|FLOAT|STRING|ERROR_CHAR|EOF|WS|LINE_COMMENT|BLOCK_COMMENT|T__\\d+)\\b");

  static Stream<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".bpnet")).sorted().toList().stream();
    }
  }

  /** The diagnostics of one file, rendered as {@code bpnet check} renders them. */
  static String render(Path file) {
    SourceFile src;
    try {
      src = SourceFile.read(file);
    } catch (CompileException e) {
      // unreadable, binary or not UTF-8: there is no text to show lines of
      return new DiagnosticPrinter(Map.of()).render(e.diagnostics());
    }
    try {
      FileCompiler.check(src);
    } catch (CompileException e) {
      assertFalse(e.diagnostics().isEmpty(), file + ": CompileException without diagnostics");
      return new DiagnosticPrinter(Map.of(src.name(), src.text())).render(e.diagnostics());
    } catch (RuntimeException e) {
      throw new AssertionError(file + ": the compiler crashed instead of reporting diagnostics", e);
    }
    return fail(file + " compiled without errors, but it is malformed");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void diagnosticsMatchGolden(Path file) throws IOException {
    String actual = render(file);
    String name = file.getFileName().toString();
    Path golden = file.resolveSibling(name.substring(0, name.length() - ".bpnet".length()) + ".expected");
    if (UPDATE) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    if (!Files.exists(golden)) {
      fail("no golden file " + golden + "; create it with -Dbpnet.updateGolden=true and review it."
          + " The diagnostics are:\n" + actual);
    }
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    assertEquals(expected, actual, "diagnostics of " + file + " differ from " + golden);
    assertPlainWords(file, actual);
  }

  /** Only the message and hint lines: the echoed source line may contain anything. */
  static void assertPlainWords(Path file, String rendered) {
    List<String> words = rendered.lines()
        .filter(l -> l.startsWith("error(") || l.startsWith("warning(") || l.startsWith("  hint: "))
        .collect(Collectors.toList());
    assertFalse(words.isEmpty(), file + ": no diagnostic lines in\n" + rendered);
    for (String line : words) {
      for (String bad : FORBIDDEN) {
        assertFalse(line.contains(bad), file + ": wording not meant for users ('" + bad + "') in: " + line);
      }
      Matcher m = TOKEN_NAME.matcher(line);
      if (m.find()) {
        fail(file + ": parser token name '" + m.group() + "' in: " + line);
      }
    }
  }

  @Test
  void corpusIsLargeEnough() throws IOException {
    long n = corpus().count();
    assertTrue(n >= 40, "the malformed corpus has only " + n + " files; it should have at least 40");
  }

  /** Every golden file belongs to a corpus file (a renamed or deleted case leaves none behind). */
  @Test
  void noOrphanGoldenFiles() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      List<String> orphans = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".expected"))
          .filter(n -> !Files.exists(CORPUS.resolve(n.replaceFirst("\\.expected$", ".bpnet"))))
          .sorted().toList();
      assertEquals(List.of(), orphans, "golden files without a .bpnet next to them");
    }
  }
}
