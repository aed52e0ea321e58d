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
  /** The line starts of each file, found once: a file may have thousands of diagnostics. */
  private final Map<String, int[]> lineStarts = new java.util.HashMap<>();

  /** @param sources the text of each file by the name positions use */
  public DiagnosticPrinter(Map<String, String> sources) {
    this.sources = sources;
  }

  public String render(List<Diagnostic> diagnostics) {
    StringBuilder b = new StringBuilder();
    for (Diagnostic d : diagnostics.subList(0, Math.min(diagnostics.size(), MOST_SHOWN))) {
      b.append(render(d)).append('\n');
    }
    if (diagnostics.size() > MOST_SHOWN) {
      // 2,000 errors of one kind bury the first, which is the one to fix
      b.append(String.format("... and %,d more not shown%n", diagnostics.size() - MOST_SHOWN));
    }
    return b.toString();
  }

  /** At most this many diagnostics are rendered; the summary line counts them all. */
  static final int MOST_SHOWN = 50;

  /** At most this many characters of a source line are shown: a window around the caret. */
  static final int WIDTH = 120;

  public String render(Diagnostic d) {
    StringBuilder b = new StringBuilder(d.label()).append(": ").append(d.pos()).append(": ").append(d.message());
    String line = d.pos().length() == 0 ? null : line(d.pos());
    if (line != null) {
      String shown = visible(line);
      int col = Math.max(1, Math.min(d.pos().col(), shown.length() + 1));
      int len = Math.max(1, Math.min(d.pos().length(), shown.length() - col + 1));
      // a long line (a generated file, a 5 MB expression) is cut to a window around the caret
      int from = 0;
      int to = shown.length();
      if (shown.length() > WIDTH) {
        from = Math.max(0, Math.min(col - 1 - WIDTH / 3, shown.length() - WIDTH));
        to = Math.min(shown.length(), from + WIDTH);
        if (from > 0 && Character.isLowSurrogate(shown.charAt(from))) {
          from++;
        }
        if (to < shown.length() && Character.isLowSurrogate(shown.charAt(to))) {
          to--;
        }
      }
      String before = from > 0 ? "\u2026" : "";
      b.append("\n    ").append(before).append(shown, from, to).append(to < shown.length() ? "\u2026" : "");
      b.append("\n    ").append(" ".repeat(before.length() + col - 1 - from));
      b.append("^".repeat(Math.max(1, Math.min(len, to - col + 1))));
    }
    if (d.hint() != null) {
      b.append("\n  hint: ").append(d.hint());
    }
    return b.toString();
  }

  /**
   * The line as one visible character per character, so the caret stays under its column: a tab
   * as a space, a control character as its control picture (U+2407 for BEL), and a character of
   * no width (a zero-width space, a byte order mark) as U+FFFD, rather than sent to the terminal.
   */
  static String visible(String line) {
    StringBuilder b = new StringBuilder(line.length());
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        b.append(' ');
      } else if (c < 0x20) {
        b.append((char) (0x2400 + c));
      } else if (c == 0x7F) {
        b.append('\u2421');
      } else if (Character.getType(c) == Character.FORMAT || Character.isISOControl(c)) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private String line(Pos p) {
    String text = sources.get(p.file());
    if (text == null || p.line() < 1) {
      return null;
    }
    int[] starts = lineStarts.computeIfAbsent(p.file(), f -> lineStarts(text));
    if (p.line() > starts.length) {
      return null;
    }
    int from = starts[p.line() - 1];
    int to = p.line() < starts.length ? starts[p.line()] : text.length();
    // drop the line's end (LF, CR or CRLF); the last line has none
    if (to > from && text.charAt(to - 1) == '\n' && p.line() < starts.length) {
      to--;
    }
    if (to > from && text.charAt(to - 1) == '\r' && p.line() < starts.length) {
      to--;
    }
    return text.substring(from, to);
  }

  /** Where each line starts; CR, LF and CRLF all end a line, as they do for the parser's positions. */
  private static int[] lineStarts(String text) {
    java.util.List<Integer> starts = new java.util.ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n')) {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
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
