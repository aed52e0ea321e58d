package dev.bpnet.dsl.diag;

import java.util.List;
import java.util.Map;

/**
 * Renders diagnostics for people: the one-line form, then the source line with a caret
 * under the offending span, then the hint. Warnings look the same, starting {@code warning(W2)}.
 *
 * <pre>
 * error(E1): model.bpnet:5:20: unknown name 'hh'
 *     logits = dense(hh, 10)
 *                    ^^
 *   hint: did you mean 'h'?
 * </pre>
 */
public final class DiagnosticPrinter {
  private final Map<String, String> sources;

  /** @param sources the text of each file by the name positions use */
  public DiagnosticPrinter(Map<String, String> sources) {
    this.sources = sources;
  }

  public String render(List<Diagnostic> diagnostics) {
    StringBuilder b = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      b.append(render(d)).append('\n');
    }
    return b.toString();
  }

  public String render(Diagnostic d) {
    StringBuilder b = new StringBuilder(d.label()).append(": ").append(d.pos()).append(": ").append(d.message());
    String line = d.pos().length() == 0 ? null : line(d.pos());
    if (line != null) {
      String shown = line.replace('\t', ' ');
      b.append("\n    ").append(shown).append("\n    ");
      int col = Math.max(1, Math.min(d.pos().col(), shown.length() + 1));
      b.append(" ".repeat(col - 1));
      int len = Math.max(1, Math.min(d.pos().length(), shown.length() - col + 1));
      b.append("^".repeat(len));
    }
    if (d.hint() != null) {
      b.append("\n  hint: ").append(d.hint());
    }
    return b.toString();
  }

  private String line(Pos p) {
    String text = sources.get(p.file());
    if (text == null || p.line() < 1) {
      return null;
    }
    String[] lines = text.split("\r?\n", -1);
    return p.line() <= lines.length ? lines[p.line() - 1] : null;
  }

  /** The closing count line: "2 errors", "1 warning", "2 errors, 1 warning"; empty for none. */
  public static String summary(int errors, int warnings) {
    String e = errors == 0 ? "" : errors + (errors == 1 ? " error" : " errors");
    String w = warnings == 0 ? "" : warnings + (warnings == 1 ? " warning" : " warnings");
    return e.isEmpty() || w.isEmpty() ? e + w : e + ", " + w;
  }

  /** The count line of a list of diagnostics. */
  public static String summary(List<Diagnostic> diagnostics) {
    int errors = (int) diagnostics.stream().filter(Diagnostic::isError).count();
    return summary(errors, diagnostics.size() - errors);
  }
}
