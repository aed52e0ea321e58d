package dev.bpnet.api;

import java.util.Collection;
import java.util.Locale;

/**
 * Helpers of the messages that the compiler and the runtime both write: "did you mean" and the
 * abbreviation of a very long argument. One place, so that a misspelt data set name gets the
 * same suggestion from a train block and from {@code TrainingLoop.run}.
 */
public final class Messages {
  private Messages() {}

  /** Arguments longer than this (with no spaces: a path, a name) are shown abbreviated. */
  public static final int LONGEST_ARGUMENT = 200;

  /** The closest candidate within a distance of about a third of the name, or null. */
  public static String closest(String name, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    // short names are easily "close" to anything: allow one edit up to 4 letters
    int limit = name.length() <= 4 ? 1 : Math.max(2, name.length() / 3);
    for (String c : candidates) {
      int d = distance(name.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  /** Damerau-Levenshtein distance (optimal string alignment): swaps count as one edit. */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** The start and end of a long text, and its length: enough to recognise it. */
  public static String abbreviated(String s) {
    int head = s.offsetByCodePoints(0, Math.min(s.codePointCount(0, s.length()), 80));
    int tail = s.offsetByCodePoints(s.length(), -Math.min(s.codePointCount(head, s.length()), 20));
    return s.substring(0, head) + "…" + s.substring(tail) + String.format(" (%,d characters)", s.length());
  }
}
