package dev.bpnet.dsl.diag;

import java.util.Collection;

/** "Did you mean": the known name closest to a misspelt one, by edit distance. */
public final class Suggest {
  private Suggest() {}

  /** The closest candidate within a distance of about a third of the name, or null ({@link dev.bpnet.api.Messages#closest}). */
  public static String closest(String name, Collection<String> candidates) {
    return dev.bpnet.api.Messages.closest(name, candidates);
  }

  static int distance(String a, String b) {
    return dev.bpnet.api.Messages.distance(a, b);
  }
}
