package dev.bpnet.processor;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.bpnet.dsl.diag.Pos;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Source positions of elements and annotation values, so that the AST built from annotations
 * carries real {@code File.java:line:col} positions (shown in the generated code's comments)
 * and an expression string's tokens are positioned at their characters in the literal.
 *
 * <p>Uses javac's tree API. Under another compiler, or for an element without source, each
 * place gets a synthetic but unique position named after the element, so that diagnostics
 * still map back to it.
 */
final class Positions {
  private final Trees trees;
  private final SourcePositions sp;
  private final Map<CompilationUnitTree, String> sources = new HashMap<>();

  Positions(ProcessingEnvironment env) {
    Trees t;
    try {
      t = Trees.instance(env);
    } catch (IllegalArgumentException e) {
      env.getMessager().printMessage(Diagnostic.Kind.NOTE, "bpnet: not running in javac; positions in the "
          + "generated code's comments name elements instead of source lines");
      t = null;
    }
    this.trees = t;
    this.sp = t == null ? null : t.getSourcePositions();
  }

  /** The position of an element's name (a method, a parameter or a type). */
  Pos of(Element e) {
    String name = e.getSimpleName().toString();
    TreePath path = trees == null ? null : trees.getPath(e);
    if (path == null) {
      return synthetic(e, "");
    }
    CompilationUnitTree cu = path.getCompilationUnit();
    Tree t = path.getLeaf();
    long from = sp.getStartPosition(cu, t);
    Tree before = t instanceof MethodTree m ? m.getReturnType() : t instanceof VariableTree v ? v.getType()
        : t instanceof ClassTree c ? c.getModifiers() : null;
    if (before != null && sp.getEndPosition(cu, before) > from) {
      from = sp.getEndPosition(cu, before);
    }
    Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(source(cu));
    long at = from >= 0 && m.find((int) from) ? m.start() : from;
    return at(cu, at, name.length());
  }

  /** Where an annotation value starts; where the annotation starts if javac cannot say. */
  Pos of(Element e, AnnotationMirror a, AnnotationValue v) {
    TreePath path = trees == null ? null : trees.getPath(e, a, v);
    if (path == null) {
      return synthetic(e, "@" + a.getAnnotationType().asElement().getSimpleName() + "=" + v);
    }
    CompilationUnitTree cu = path.getCompilationUnit();
    long start = sp.getStartPosition(cu, path.getLeaf());
    long end = sp.getEndPosition(cu, path.getLeaf());
    return at(cu, start, (int) Math.max(1, end - start));
  }

  /**
   * Where the characters of a string value start: just after the opening quote when the value is
   * written as one plain literal, so that offsets in the string are columns in the source.
   */
  Pos ofString(Element e, AnnotationMirror a, AnnotationValue v, String text) {
    Pos p = of(e, a, v);
    if (trees == null || trees.getPath(e, a, v) == null) {
      return p;
    }
    TreePath path = trees.getPath(e, a, v);
    CompilationUnitTree cu = path.getCompilationUnit();
    long start = sp.getStartPosition(cu, path.getLeaf());
    String src = source(cu);
    boolean plain = src.startsWith("\"" + text + "\"", (int) start);
    return plain ? at(cu, start + 1, text.length()) : p;
  }

  private Pos at(CompilationUnitTree cu, long offset, int length) {
    LineMap lines = cu.getLineMap();
    long line = lines.getLineNumber(offset);
    long col = offset - lines.getStartPosition(line) + 1;
    String file = cu.getSourceFile().getName();
    return new Pos(file.substring(file.lastIndexOf('/') + 1), (int) line, (int) col, length);
  }

  private String source(CompilationUnitTree cu) {
    return sources.computeIfAbsent(cu, c -> {
      try {
        return c.getSourceFile().getCharContent(true).toString();
      } catch (IOException x) {
        return "";
      }
    });
  }

  /** A unique stand-in position: the element's path as the file name. */
  private static Pos synthetic(Element e, String detail) {
    StringBuilder b = new StringBuilder(e.getSimpleName());
    for (Element o = e.getEnclosingElement(); o != null && o.getKind() != javax.lang.model.element.ElementKind.PACKAGE;
        o = o.getEnclosingElement()) {
      b.insert(0, o.getSimpleName() + ".");
    }
    return new Pos(b + detail, 1, 1, 1);
  }
}
