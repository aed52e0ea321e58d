package dev.bpnet.processor;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.Fragments;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.util.Elements;

/**
 * Reads annotation values into the AST, anchoring each piece where it was written: elements,
 * values, and the language's expressions and statements inside strings (parsed with the .bpnet
 * grammar, positioned at their characters in the literal). Syntax errors are collected, not
 * thrown, so that one compilation reports every one of them.
 */
final class ValueReader {
  final Anchors anchors = new Anchors();
  final Diagnostics syntax = new Diagnostics();
  private final Positions positions;
  private final Elements elements;

  ValueReader(Positions positions, Elements elements) {
    this.positions = positions;
    this.elements = elements;
  }

  /** The position of an element's name, anchored to it. */
  Pos at(Element e) {
    Pos p = positions.of(e);
    anchors.add(Anchor.of(e, p, p.length()));
    return p;
  }

  /** The position of a value (a default one: of the annotation), anchored to it. */
  Pos at(Element e, AnnotationMirror m, AnnotationValue v) {
    Pos p = positions.of(e, m, v);
    anchors.add(new Anchor(e, m, v, p, p.length(), null));
    return p;
  }

  /** An attribute's value, written or default. */
  AnnotationValue value(Element e, AnnotationMirror m, String name) {
    return Mirrors.value(e, m, name, elements);
  }

  /** An expression written in a string attribute; null after a syntax error. */
  Expr expr(Element e, AnnotationMirror m, String name) {
    AnnotationValue v = value(e, m, name);
    String text = Mirrors.as(v, String.class);
    Pos p = anchorString(e, m, v, text);
    try {
      return Fragments.expr(p.file(), p.line(), p.col(), text);
    } catch (CompileException x) {
      x.diagnostics().forEach(syntax::add);
      return null;
    }
  }

  /** An optimizer's hyperparameters, one {@code name = default} per element of a string-array attribute. */
  List<dev.bpnet.dsl.syntax.OptimizerDecl.Hyper> hyperparameters(Element e, AnnotationMirror m, String name) {
    return parsed(e, m, name, (p, text) -> List.of(Fragments.hyper(p.file(), p.line(), p.col(), text)));
  }

  /** An optimizer's statements, each element of a string-array attribute holding one or more. */
  List<dev.bpnet.dsl.syntax.OptimizerDecl.Stmt> optimizerStatements(Element e, AnnotationMirror m, String name) {
    return parsed(e, m, name, (p, text) -> Fragments.optimizerStatements(p.file(), p.line(), p.col(), text));
  }

  /** The statements of a string-array attribute, each element holding one or more. */
  List<Decl.Let> statements(Element e, AnnotationMirror m, String name) {
    return parsed(e, m, name, (p, text) -> Fragments.statements(p.file(), p.line(), p.col(), text));
  }

  /**
   * Each element of a string-array attribute parsed as a piece of the language, positioned inside
   * the string; syntax errors are reported and the element left out.
   */
  private <T> List<T> parsed(Element e, AnnotationMirror m, String name,
      java.util.function.BiFunction<Pos, String, List<T>> parse) {
    List<T> out = new ArrayList<>();
    @SuppressWarnings("unchecked")
    List<? extends AnnotationValue> items = (List<? extends AnnotationValue>) Mirrors.as(value(e, m, name), List.class);
    for (AnnotationValue v : items) {
      String text = Mirrors.as(v, String.class);
      try {
        out.addAll(parse.apply(anchorString(e, m, v, text), text));
      } catch (CompileException x) {
        x.diagnostics().forEach(syntax::add);
      }
    }
    return out;
  }

  private Pos anchorString(Element e, AnnotationMirror m, AnnotationValue v, String text) {
    Pos p = positions.ofString(e, m, v, text);
    anchors.add(new Anchor(e, m, v, p, text.length(), text));
    return p;
  }
}
