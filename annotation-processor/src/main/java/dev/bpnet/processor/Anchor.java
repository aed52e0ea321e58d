package dev.bpnet.processor;

import dev.bpnet.dsl.diag.Pos;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * Where a piece of the model came from: an element, and when there is one, the annotation and
 * the value on it. {@code start} is the position the piece was given in the AST; an expression
 * string's tokens lie in {@code [start.col, start.col + width]}, and {@code text} is that string,
 * so that a diagnostic can be shown with a caret under the offending part of it.
 */
record Anchor(Element element, AnnotationMirror mirror, AnnotationValue value, Pos start, int width, String text) {

  static Anchor of(Element element, Pos start, int width) {
    return new Anchor(element, null, null, start, width, null);
  }

  /** Whether {@code p} lies within this anchor's span. */
  boolean covers(Pos p) {
    return p.file().equals(start.file()) && p.line() == start.line()
        && p.col() >= start.col() && p.col() <= start.col() + width;
  }
}
