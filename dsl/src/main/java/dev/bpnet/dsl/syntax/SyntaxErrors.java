package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.grammar.BpNetLexer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's error recovery, reporting in the catalogue's plain words instead of token names:
 * "expected a name, found '{'" rather than "mismatched input '{' expecting ID".
 */
final class SyntaxErrors extends DefaultErrorStrategy {
  private final String file;
  private final Diagnostics diag;
  private final Set<String> seen = new HashSet<>();

  /**
   * Syntax errors reported before the parser gives up on a file: past the first few, recovery
   * mostly reports its own consequences (one stray character in a 5 MB line gave thousands).
   */
  static final int MAX_ERRORS = 25;
  private int count;
  /** The parser whose error is being reported: its tokens give the name before an error. */
  private Parser current;
  private final Set<Integer> errorLines = new HashSet<>();

  SyntaxErrors(String file, Diagnostics diag) {
    this.file = file;
    this.diag = diag;
  }

  private void add(Diagnostic d) {
    // after an error, the parser's recovery reports the rest of its line token by token: the
    // first error of a line is the one to fix (lexical errors, E13 and on, are always real)
    if (d.code() == ErrorCode.E12 && !errorLines.add(d.pos().line())) {
      return;
    }
    errorLines.add(d.pos().line());
    if (++count > MAX_ERRORS) {
      diag.add(new Diagnostic(ErrorCode.E12, d.pos(), ErrorCode.E12.format("too many errors, the rest of the file is not read"),
          "fix the first errors: the later ones often follow from them"));
      throw new org.antlr.v4.runtime.misc.ParseCancellationException("too many syntax errors");
    }
    diag.add(d);
  }

  @Override
  protected void reportNoViableAlternative(Parser p, NoViableAltException e) {
    Token t = e.getOffendingToken();
    String message = "unexpected " + found(t) + expecting(p, e.getExpectedTokens());
    if (t.getType() == Token.EOF) {
      report(p, t, message);
    } else {
      report(t, message);
    }
  }

  @Override
  protected void reportInputMismatch(Parser p, InputMismatchException e) {
    report(p, e.getOffendingToken(), "expected " + words(p, e.getExpectedTokens()) + ", found " + found(e.getOffendingToken()));
  }

  @Override
  protected void reportUnwantedToken(Parser p) {
    current = p;
    if (inErrorRecoveryMode(p)) {
      return;
    }
    beginErrorCondition(p);
    Token t = p.getCurrentToken();
    String message = "unexpected " + found(t) + expecting(p, getExpectedTokens(p));
    if (t.getType() == Token.EOF) {
      report(p, t, message);
    } else {
      report(t, message);
    }
  }

  @Override
  protected void reportMissingToken(Parser p) {
    current = p;
    if (inErrorRecoveryMode(p)) {
      return;
    }
    beginErrorCondition(p);
    Token t = p.getCurrentToken();
    report(p, t, "missing " + words(p, getExpectedTokens(p)) + " before " + found(t));
  }

  @Override
  protected void reportFailedPredicate(Parser p, org.antlr.v4.runtime.FailedPredicateException e) {
    report(e.getOffendingToken(), "unexpected " + found(e.getOffendingToken()));
  }

  @Override
  public void reportError(Parser p, RecognitionException e) {
    current = p;
    if (!inErrorRecoveryMode(p)) {
      super.reportError(p, e);
    }
  }

  /**
   * Reports something missing: when the next token is on a later line, the gap is at the end
   * of the previous token (where the user forgot it), not at the start of the next line.
   */
  private void report(Parser p, Token t, String message) {
    Token prev = p.getTokenStream().index() > 0 ? p.getTokenStream().LT(-1) : null;
    if (prev != null && prev.getType() != Token.EOF && t.getLine() > prev.getLine() && !special(t)) {
      Pos end = new Pos(file, prev.getLine(), prev.getCharPositionInLine() + prev.getText().length() + 1, 1);
      if (seen.add(end.toString())) {
        add(new Diagnostic(ErrorCode.E12, end, ErrorCode.E12.format(message)));
      }
      return;
    }
    report(t, message);
  }

  private static boolean special(Token t) {
    int k = t.getType();
    return k == BpNetLexer.ERROR_CHAR || k == BpNetLexer.UNCLOSED_STRING || k == BpNetLexer.UNCLOSED_COMMENT
        || k == BpNetLexer.BAD_NUMBER;
  }

  private void report(Token t, String message) {
    Pos pos = new Pos(file, t.getLine(), t.getCharPositionInLine() + 1,
        t.getType() == Token.EOF ? 1 : Math.max(1, t.getText().split("\\R", 2)[0].length()));
    if (!seen.add(pos.toString())) {
      return;
    }
    switch (t.getType()) {
      case BpNetLexer.ERROR_CHAR -> {
        String c = t.getText();
        String hint = c.equals("#") ? "comments start with //" : c.equals("\u00d7") ? "multiply with *" : null;
        String invisible = invisible(c.codePointAt(0));
        if (invisible != null) {
          hint = Character.getType(c.codePointAt(0)) == Character.SPACE_SEPARATOR ? "replace it with a plain space"
              : "delete it: it cannot be seen in most editors";
        }
        add(new Diagnostic(ErrorCode.E13, pos, ErrorCode.E13.format(invisible != null ? invisible : "'" + printable(c) + "'"), hint));
      }
      case BpNetLexer.UNCLOSED_STRING -> add(new Diagnostic(ErrorCode.E26, pos,
          ErrorCode.E26.format("the string that starts here"), "a string ends with \" on the same line"));
      case BpNetLexer.UNCLOSED_COMMENT -> add(new Diagnostic(ErrorCode.E26, new Pos(file, pos.line(), pos.col(), 2),
          ErrorCode.E26.format("the comment that starts here"), "close it with */"));
      case BpNetLexer.BAD_NUMBER -> add(new Diagnostic(ErrorCode.E27, pos, ErrorCode.E27.format(t.getText()),
          "a number is written like 3, 0.5 or 1e-3"));
      default -> add(new Diagnostic(ErrorCode.E12, pos, ErrorCode.E12.format(message), keywordTypo(t)));
    }
  }

  /** The words that start a declaration: a misspelt one is read as a name, and the error comes after it. */
  private static final List<String> KEYWORD_WORDS = List.of("model", "input", "label", "train", "activation", "layer", "backward");

  /** "did you mean 'input'?" when the offending name, or the name just before it, is a misspelt keyword. */
  private String keywordTypo(Token t) {
    List<Token> near = new ArrayList<>();
    near.add(t);
    if (current != null && t.getTokenIndex() > 0) {
      near.add(current.getTokenStream().get(t.getTokenIndex() - 1));
    }
    for (Token n : near) {
      if (n.getType() == BpNetLexer.ID && !KEYWORD_WORDS.contains(n.getText())) {
        String k = dev.bpnet.dsl.diag.Suggest.closest(n.getText(), KEYWORD_WORDS);
        if (k != null) {
          return "did you mean the keyword '" + k + "' (not '" + n.getText() + "')?";
        }
      }
    }
    return null;
  }

  private static final java.util.Set<String> KEYWORDS = java.util.Set.of("'model'", "'input'", "'label'", "'train'", "'activation'", "'backward'");
  private static String printable(String c) {
    int cp = c.codePointAt(0);
    return Character.isISOControl(cp) ? String.format("\\u%04x", cp) : c;
  }

  /**
   * A character that looks like nothing, or like a space, named with its code point
   * ("no-break space U+00A0"); null for a visible one.
   */
  static String invisible(int cp) {
    int type = Character.getType(cp);
    boolean hidden = Character.isISOControl(cp) || Character.isWhitespace(cp) || type == Character.SPACE_SEPARATOR
        || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    if (!hidden) {
      return null;
    }
    String name = switch (cp) {
      case 0xFEFF -> "byte order mark";
      case 0x7F -> "delete character";
      default -> Character.isISOControl(cp) ? "control character" : Character.getName(cp);
    };
    return (name == null ? "invisible character" : name.toLowerCase(java.util.Locale.ROOT)) + String.format(" U+%04X", cp);
  }

  static String found(Token t) {
    return switch (t.getType()) {
      case Token.EOF -> "end of file";
      case BpNetLexer.ID -> "name '" + t.getText() + "'";
      case BpNetLexer.INT, BpNetLexer.FLOAT -> "number " + t.getText();
      case BpNetLexer.STRING -> "string " + t.getText();
      default -> KEYWORDS.contains("'" + t.getText() + "'") ? "the keyword '" + t.getText() + "'"
          : "'" + printable(t.getText()) + "'";
    };
  }

  private static String expecting(Parser p, IntervalSet expected) {
    return expected == null || expected.isNil() ? "" : "; expected " + words(p, expected);
  }

  /** An expected-token set in words: "a name, a number or '('". */
  static String words(Parser p, IntervalSet set) {
    Vocabulary v = p.getVocabulary();
    List<String> w = new ArrayList<>();
    for (int type : set.toList()) {
      String s = switch (type) {
        case Token.EOF -> "end of file";
        case BpNetLexer.ID -> "a name";
        case BpNetLexer.INT -> "an integer";
        case BpNetLexer.FLOAT -> "a number";
        case BpNetLexer.STRING -> "a string";
        case BpNetLexer.ERROR_CHAR, BpNetLexer.UNCLOSED_STRING, BpNetLexer.UNCLOSED_COMMENT, BpNetLexer.BAD_NUMBER -> null;
        default -> v.getLiteralName(type);
      };
      if (s != null && !w.contains(s)) {
        w.add(s);
      }
    }
    if (w.contains("an integer") && w.contains("a number")) {
      w.remove("an integer");
    }
    // the tokens that can start an expression, said once
    List<String> starts = List.of("a name", "a number", "a string", "'('", "'-'");
    if (w.containsAll(starts)) {
      w.removeAll(starts);
      w.add(0, "an expression");
      // where an argument may start, 'activation' is only the Keras-habit argument name the grammar lets through
      w.remove("'activation'");
      // 'train' may start an argument only as a data argument's name (mnist(train = 1000)): not worth saying
      w.remove("'train'");
    }
    if (w.size() > 6) {
      return String.join(", ", w.subList(0, 5)) + " or another token";
    }
    return w.size() <= 1 ? String.join("", w)
        : String.join(", ", w.subList(0, w.size() - 1)) + " or " + w.get(w.size() - 1);
  }
}
