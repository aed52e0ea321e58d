package dev.bpnet.processor;

import dev.bpnet.dsl.diag.Pos;
import java.util.ArrayList;
import java.util.List;

/**
 * The anchors of one type: maps a diagnostic's position back to the element, annotation and
 * value it came from. Spans nest (an expression string inside an annotation on a method), so
 * the innermost one, the latest start, wins.
 */
final class Anchors {
  private final List<Anchor> all = new ArrayList<>();

  Anchor add(Anchor a) {
    all.add(a);
    return a;
  }

  /** The innermost anchor covering {@code p}, or null. */
  Anchor find(Pos p) {
    Anchor best = null;
    for (Anchor a : all) {
      if (a.covers(p) && (best == null || a.start().col() > best.start().col()
          || a.start().col() == best.start().col() && a.text() != null)) {
        best = a;
      }
    }
    return best;
  }
}
