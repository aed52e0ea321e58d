package dev.bpnet.dsl.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.MissingFormatArgumentException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics catalogue ({@link ErrorCode}): stable codes, unique names, templates whose
 * placeholders match the arguments {@code format} takes, severities, and the table of codes in
 * docs/language.md.
 */
class CatalogueTest {
  /** Relative to the dsl module, where the tests run. */
  private static final Path LANGUAGE_DOC = Path.of("../docs/language.md");

  /** The error codes as released: users and tests rely on them, so this list only ever grows at its end. */
  private static final List<String> RELEASED_ERRORS = List.of("E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9",
      "E10", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E18", "E19", "E20", "E21", "E22", "E23", "E24",
      "E25", "E26", "E27", "E28", "E29", "E30", "E31", "E32", "E33", "E34", "E40", "E41", "E42", "E43", "E44",
      "E45", "E46");
  private static final List<String> RELEASED_WARNINGS = List.of("W1", "W2", "W3");

  @Test
  void codesAreStableAndInTheirSeries() {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (ErrorCode c : ErrorCode.values()) {
      (c.severity() == Severity.ERROR ? errors : warnings).add(c.code());
      assertEquals(c.severity() == Severity.ERROR ? 'E' : 'W', c.code().charAt(0), c + ": E codes are errors, W codes warnings");
    }
    assertEquals(RELEASED_ERRORS, errors.subList(0, Math.min(errors.size(), RELEASED_ERRORS.size())),
        "released error codes were renumbered or removed");
    assertEquals(RELEASED_WARNINGS, warnings.subList(0, Math.min(warnings.size(), RELEASED_WARNINGS.size())),
        "released warning codes were renumbered or removed");
    assertEquals(ErrorCode.values().length, new HashSet<>(errors).size() + new HashSet<>(warnings).size(), "duplicate codes");
    // a new code continues its series: E47 after E46, W4 after W3
    for (List<String> series : List.of(errors.subList(RELEASED_ERRORS.size(), errors.size()),
        warnings.subList(RELEASED_WARNINGS.size(), warnings.size()))) {
      for (int i = 1; i < series.size(); i++) {
        assertEquals(number(series.get(i - 1)) + 1, number(series.get(i)), "codes out of sequence: " + series);
      }
    }
  }

  @Test
  void symbolicNamesAreUniqueConstantNames() {
    Set<String> seen = new HashSet<>();
    for (ErrorCode c : ErrorCode.values()) {
      assertTrue(c.symbolicName().matches("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*"), c + ": '" + c.symbolicName() + "' is not UPPER_SNAKE");
      assertTrue(seen.add(c.symbolicName()), c + ": symbolic name " + c.symbolicName() + " used twice");
    }
  }

  /** The counted placeholders against Java's own formatter: arity arguments fill every one, fewer fail. */
  @Test
  void arityMatchesThePlaceholders() {
    for (ErrorCode c : ErrorCode.values()) {
      Object[] args = IntStream.range(0, c.arity()).mapToObj(i -> (Object) (100 + i)).toArray();
      String message = c.format(args);
      for (Object a : args) {
        assertTrue(message.contains(a.toString()), c + ": argument " + a + " does not appear in '" + message + "'");
      }
      if (c.arity() > 0) {
        Object[] fewer = Arrays.copyOf(args, c.arity() - 1);
        assertThrows(MissingFormatArgumentException.class, () -> String.format(c.template(), fewer),
            c + ": the template takes fewer than " + c.arity() + " arguments");
      }
    }
    assertEquals(3, ErrorCode.E3.arity());
    assertEquals(0, ErrorCode.E6.arity());
    assertEquals(2, ErrorCode.arity("%s%% of %d, %n"), "%% and %n take no argument");
  }

  @Test
  void formatWithTheWrongNumberOfArgumentsFailsLoudly() {
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> ErrorCode.E1.format("a", "b"));
    assertEquals("E1 (UNKNOWN_NAME) takes 1 argument(s), got 2: \"unknown name '%s'\"", tooMany.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ErrorCode.E4.format("the loss"));
    assertThrows(IllegalArgumentException.class, () -> ErrorCode.E6.format("x"));
  }

  @Test
  void severityDecidesHowADiagnosticIsReported() {
    Pos at = new Pos("m.bpnet", 3, 9, 2);
    Diagnostics d = new Diagnostics();
    d.warning(ErrorCode.W2, at, "remove it", "x2");
    assertEquals(false, d.hasErrors(), "a warning is not an error");
    d.stopIfErrors();
    d.error(ErrorCode.E1, at, "hh");
    assertEquals(List.of(ErrorCode.E1), d.errors().stream().map(Diagnostic::code).toList());
    assertEquals(List.of(ErrorCode.W2), d.warnings().stream().map(Diagnostic::code).toList());
    CompileException e = assertThrows(CompileException.class, d::stopIfErrors);
    assertEquals(List.of("warning(W2): m.bpnet:3:9: unused input 'x2': the loss does not depend on it; remove it",
        "error(E1): m.bpnet:3:9: unknown name 'hh'"), e.diagnostics().stream().map(Diagnostic::render).toList(),
        "the exception carries the warnings too, in report order");

    assertThrows(IllegalArgumentException.class, () -> d.error(ErrorCode.W1, at, "third = exact", "why"));
    assertThrows(IllegalArgumentException.class, () -> d.warning(ErrorCode.E1, at, null, "hh"));
  }

  @Test
  void warningsRenderLikeErrorsWithTheirOwnWord() {
    Diagnostic w = new Diagnostic(ErrorCode.W2, new Pos("m.bpnet", 2, 9, 2), ErrorCode.W2.format("x2"), "remove it");
    assertEquals("warning(W2): m.bpnet:2:9: unused input 'x2': the loss does not depend on it\n"
        + "      input x2: [3]\n"
        + "            ^^\n"
        + "  hint: remove it", new DiagnosticPrinter(java.util.Map.of("m.bpnet", "model M {\n  input x2: [3]\n}")).render(w));
    assertEquals("1 warning", DiagnosticPrinter.summary(0, 1));
    assertEquals("2 errors, 1 warning", DiagnosticPrinter.summary(2, 1));
    assertEquals("1 error", DiagnosticPrinter.summary(List.of(new Diagnostic(ErrorCode.E6, Pos.UNKNOWN, ErrorCode.E6.format()))));
  }

  /** docs/language.md has a row per entry, as the catalogue says, and no row for a code the catalogue lacks. */
  @Test
  void theLanguageDocListsEveryCode() throws IOException {
    String doc = Files.readString(LANGUAGE_DOC);
    List<String> missing = new ArrayList<>();
    for (ErrorCode c : ErrorCode.values()) {
      String row = "| `" + c.code() + "` | `" + c.symbolicName() + "` | " + c.severity().word() + " | `"
          + c.template().replaceAll("%[sd]", "…") + "` |";
      if (!doc.contains(row + "\n")) {
        missing.add(row);
      }
    }
    assertEquals(List.of(), missing, "rows of the catalogue missing from (or different in) " + LANGUAGE_DOC);
    Matcher m = Pattern.compile("(?m)^\\| `([EW]\\d+)` \\|").matcher(doc);
    List<String> stale = new ArrayList<>();
    while (m.find()) {
      String code = m.group(1);
      if (Arrays.stream(ErrorCode.values()).noneMatch(c -> c.code().equals(code))) {
        stale.add(code);
      }
    }
    assertEquals(List.of(), stale, "codes in " + LANGUAGE_DOC + " that the catalogue does not have");
  }

  private static int number(String code) {
    return Integer.parseInt(code.substring(1));
  }

  /** A one-word argument of 5,000 characters (a path, a name) is shown as its start, its end and its length. */
  @org.junit.jupiter.api.Test
  void longOneWordArgumentsAreAbbreviated() {
    String path = "/data/" + "d".repeat(5000) + "/train.csv";
    String m = ErrorCode.E14.format(path, "no such file");
    assertTrue(m.contains("(5,016 characters)") && m.length() < 200 && m.contains("/train.csv"), m);
    String sentence = "word ".repeat(100);
    assertTrue(ErrorCode.E14.format("f", sentence).contains(sentence), "a sentence stays whole");
  }
}
