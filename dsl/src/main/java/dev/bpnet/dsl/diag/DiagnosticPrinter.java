package dev.bpnet.dsl.diag;

import java.util.List;
import java.util.Map;

/**
 * Renders diagnostics for people: the one-line form, then the source line with a caret
 * under the offending span, then the hint.
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
    StringBuilder b = new StringBuilder("error(").append(d.code().name()).append("): ")
        .append(d.pos()).append(": ").append(d.message());
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
}
