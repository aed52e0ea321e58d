package dev.bpnet.runtime.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the subset of Python literal syntax that .npy headers use: a dict of string keys whose
 * values are strings, {@code True}/{@code False}, integers (with Python 2's optional {@code L}),
 * tuples and lists.
 *
 * <p>NumPy reads headers with {@code ast.literal_eval}; this is a strict recursive-descent
 * equivalent for that subset, so that a malformed header is reported with the offset of the
 * problem instead of being half-understood. Errors are {@link IllegalArgumentException}s that
 * the caller turns into messages naming the file.
 */
final class PyLiteral {

  /** A Python tuple, kept apart from a list because NumPy requires the shape to be a tuple. */
  record Tuple(List<Object> items) {
    @Override
    public String toString() {
      String s = items.toString();
      return "(" + s.substring(1, s.length() - 1) + (items.size() == 1 ? ",)" : ")");
    }
  }

  private final String text;
  private int pos;

  private PyLiteral(String text) {
    this.text = text;
  }

  /** Parses {@code text} as one dict literal, allowing only whitespace after it. */
  static Map<String, Object> parseDict(String text) {
    PyLiteral p = new PyLiteral(text);
    p.skipSpace();
    Map<String, Object> dict = p.dict();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected text after the dict");
    }
    return dict;
  }

  private Map<String, Object> dict() {
    expect('{');
    Map<String, Object> dict = new LinkedHashMap<>();
    while (!peek('}')) {
      if (!peek('\'') && !peek('"')) {
        throw error("expected a string key or '}'");
      }
      int at = pos;
      String key = string();
      expect(':');
      if (dict.put(key, value()) != null) {
        pos = at;
        throw error("duplicate key '" + key + "'");
      }
      if (!peek('}')) {
        expect(',');
      }
    }
    pos++;
    return dict;
  }

  private Object value() {
    skipSpace();
    if (peek('\'') || peek('"')) {
      return string();
    } else if (peek('(') || peek('[')) {
      char close = text.charAt(pos++) == '(' ? ')' : ']';
      List<Object> items = new ArrayList<>();
      boolean comma = false;
      while (!peek(close)) {
        items.add(value());
        comma = peek(',');
        if (comma) {
          pos++;
        } else if (!peek(close)) {
          throw error("expected ',' or '" + close + "'");
        }
      }
      pos++;
      // (x) is just x in Python; only (x,) is a one-element tuple.
      return close == ']' ? items : items.size() == 1 && !comma ? items.get(0) : new Tuple(items);
    }
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos))
        || text.charAt(pos) == '_' || (pos == start && text.charAt(pos) == '-'))) {
      pos++;
    }
    String word = text.substring(start, pos);
    if (word.equals("True") || word.equals("False")) {
      return word.equals("True");
    }
    String digits = word.endsWith("L") || word.endsWith("l")
        ? word.substring(0, word.length() - 1) : word;
    if (digits.matches("-?[0-9]+")) {
      BigInteger v = new BigInteger(digits);
      if (v.bitLength() < 64) {
        return v.longValue();
      }
      pos = start;
      throw error("integer " + word + " is too large");
    }
    pos = start;
    throw error(word.isEmpty() ? "expected a value" : "unexpected '" + word + "'");
  }

  private String string() {
    char quote = text.charAt(pos++);
    StringBuilder s = new StringBuilder();
    while (pos < text.length() && text.charAt(pos) != quote) {
      char c = text.charAt(pos++);
      if (c == '\\' && pos < text.length()) {
        c = text.charAt(pos++);
      }
      s.append(c);
    }
    if (pos >= text.length()) {
      throw error("unterminated string");
    }
    pos++;
    return s.toString();
  }

  private boolean peek(char c) {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end of header");
    }
    return text.charAt(pos) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + pos);
  }
}
