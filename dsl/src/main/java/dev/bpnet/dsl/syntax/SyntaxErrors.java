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

  SyntaxErrors(String file, Diagnostics diag) {
    this.file = file;
    this.diag = diag;
  }

  @Override
  protected void reportNoViableAlternative(Parser p, NoViableAltException e) {
    report(e.getOffendingToken(), "unexpected " + found(e.getOffendingToken()) + expecting(p, e.getExpectedTokens()));
  }

  @Override
  protected void reportInputMismatch(Parser p, InputMismatchException e) {
    report(e.getOffendingToken(), "expected " + words(p, e.getExpectedTokens()) + ", found " + found(e.getOffendingToken()));
  }

  @Override
  protected void reportUnwantedToken(Parser p) {
    if (inErrorRecoveryMode(p)) {
      return;
    }
    beginErrorCondition(p);
    Token t = p.getCurrentToken();
    report(t, "unexpected " + found(t) + expecting(p, getExpectedTokens(p)));
  }

  @Override
  protected void reportMissingToken(Parser p) {
    if (inErrorRecoveryMode(p)) {
      return;
    }
    beginErrorCondition(p);
    Token t = p.getCurrentToken();
    report(t, "missing " + words(p, getExpectedTokens(p)) + " before " + found(t));
  }

  @Override
  protected void reportFailedPredicate(Parser p, org.antlr.v4.runtime.FailedPredicateException e) {
    report(e.getOffendingToken(), "unexpected " + found(e.getOffendingToken()));
  }

  @Override
  public void reportError(Parser p, RecognitionException e) {
    if (!inErrorRecoveryMode(p)) {
      super.reportError(p, e);
    }
  }

  private void report(Token t, String message) {
    Pos pos = new Pos(file, t.getLine(), t.getCharPositionInLine() + 1,
        t.getType() == Token.EOF ? 1 : Math.max(1, t.getText().length()));
    if (!seen.add(pos.toString())) {
      return;
    }
    if (t.getType() == BpNetLexer.ERROR_CHAR) {
      String c = t.getText();
      String extra = c.equals("\"") ? " (a string that does not end on its line?)" : "";
      diag.add(new Diagnostic(ErrorCode.E13, pos, ErrorCode.E13.format("'" + printable(c) + "'" + extra)));
      return;
    }
    diag.add(new Diagnostic(ErrorCode.E12, pos, ErrorCode.E12.format(message)));
  }

  private static String printable(String c) {
    int cp = c.codePointAt(0);
    return Character.isISOControl(cp) ? String.format("\\u%04x", cp) : c;
  }

  static String found(Token t) {
    return switch (t.getType()) {
      case Token.EOF -> "end of file";
      case BpNetLexer.ID -> "name '" + t.getText() + "'";
      case BpNetLexer.INT, BpNetLexer.FLOAT -> "number " + t.getText();
      case BpNetLexer.STRING -> "string " + t.getText();
      default -> "'" + printable(t.getText()) + "'";
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
        case BpNetLexer.ERROR_CHAR -> null;
        default -> v.getLiteralName(type);
      };
      if (s != null && !w.contains(s)) {
        w.add(s);
      }
    }
    if (w.contains("an integer") && w.contains("a number")) {
      w.remove("an integer");
    }
    if (w.size() > 6) {
      return String.join(", ", w.subList(0, 5)) + " or another token";
    }
    return w.size() <= 1 ? String.join("", w)
        : String.join(", ", w.subList(0, w.size() - 1)) + " or " + w.get(w.size() - 1);
  }
}
