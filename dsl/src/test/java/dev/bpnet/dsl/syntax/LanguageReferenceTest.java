package dev.bpnet.dsl.syntax;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.lower.Lowering;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/language.md against the compiler's own tables: every built-in function has a row in the
 * functions table and every row names a function that exists; every train option and
 * initialiser is documented. So the reference cannot fall behind the compiler.
 */
class LanguageReferenceTest {
  static final Path DOC = Path.of("../docs/language.md");

  @Test
  void functionsTableListsExactlyTheBuiltins() throws Exception {
    String doc = Files.readString(DOC);
    List<String> documented = firstColumnNames(section(doc, "## Expressions"));
    List<String> inRules = firstColumnNames(section(doc, "## Layer rules"));
    for (String f : Lowering.functionNames()) {
      assertTrue(documented.contains(f) || inRules.contains(f), "docs/language.md documents no function '" + f + "'");
    }
    for (String f : documented) {
      assertTrue(Lowering.functionNames().contains(f),
          "docs/language.md documents '" + f + "', which the compiler does not know");
    }
  }

  @Test
  void trainOptionsAndInitialisersAreDocumented() throws Exception {
    String options = section(Files.readString(DOC), "## Train options and their defaults");
    for (String o : TrainOptions.NAMES) {
      assertTrue(options.contains("| `" + o + "` |"), "no row for train option '" + o + "'");
    }
    for (String i : TrainOptions.INITS) {
      assertTrue(options.contains("`" + i + "`"), "initialiser '" + i + "' is not documented");
    }
  }

  /** The names written as `name(` or `name` in the first column of a section's table rows. */
  private static List<String> firstColumnNames(String section) {
    List<String> names = new ArrayList<>();
    Pattern name = Pattern.compile("`([a-z_][a-z0-9_]*)(?:\\(|`)");
    for (String line : section.split("\n")) {
      if (line.startsWith("| `")) {
        Matcher m = name.matcher(line.substring(1, line.indexOf('|', 1)));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** The text from a heading to the next heading of the same level. */
  private static String section(String doc, String heading) {
    int start = doc.indexOf(heading);
    assertTrue(start >= 0, "no section " + heading);
    int end = doc.indexOf("\n## ", start + heading.length());
    return doc.substring(start, end < 0 ? doc.length() : end);
  }
}
