package dev.bpnet.processor;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/**
 * Reports the compiler's diagnostics through {@link Messager}, on the element (and annotation
 * value) they came from: errors as javac errors, warnings (W codes) as javac warnings, as
 * AutoValue's ErrorReporter does. Every message starts with its stable tag, the DSL's code in
 * brackets ({@code [E1] unknown name 'hh'}), followed by the DSL's message. When the error lies inside an
 * expression string, the string is shown with a caret under the offending part, since javac
 * itself can only point at the start of the literal.
 */
final class ErrorReporter {
  private final Messager messager;

  ErrorReporter(Messager messager) {
    this.messager = messager;
  }

  /** Reports each diagnostic at its anchor; one outside every anchor goes on {@code fallback}. */
  void report(List<Diagnostic> diagnostics, Anchors anchors, Element fallback) {
    for (Diagnostic d : diagnostics) {
      Anchor a = anchors.find(d.pos());
      if (a == null) {
        print(kind(d), tag(d) + " " + d.pos() + ": " + d.message() + hint(d), fallback, null, null);
      } else {
        print(kind(d), tag(d) + " " + d.message() + caret(d, a) + hint(d), a.element(), a.mirror(), a.value());
      }
    }
  }

  /** Reports the diagnostics of a .bpnet file, shown with their source lines, on the annotation naming it. */
  void reportFile(List<Diagnostic> diagnostics, String file, String text, Element e, AnnotationMirror m,
      AnnotationValue v) {
    DiagnosticPrinter printer = new DiagnosticPrinter(Map.of(file, text));
    for (Diagnostic d : diagnostics) {
      String rendered = printer.render(d);
      print(kind(d), tag(d) + rendered.substring(rendered.indexOf(':') + 1), e, m, v);
    }
  }

  /** An error of the annotation front end itself, on an element. */
  void error(ErrorCode code, Element e, AnnotationMirror m, AnnotationValue v, Object... args) {
    print(Kind.ERROR, "[" + code.code() + "] " + code.format(args), e, m, v);
  }

  /** An unexpected failure while processing {@code e}: one error with what a bug report needs. */
  void internal(Element e, Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    error(ErrorCode.E11, e, null, null, "while processing " + e + ": " + t + "\n" + trace);
  }

  /**
   * Prints a message. Continuation lines are written as {@link DiagnosticPrinter} lays them out
   * less two spaces, because javac indents every line after a message's first by two.
   */
  private void print(Kind kind, String message, Element e, AnnotationMirror m, AnnotationValue v) {
    messager.printMessage(kind, message.replace("\n  ", "\n"), e, m, v);
  }

  private static Kind kind(Diagnostic d) {
    return d.severity() == Severity.WARNING ? Kind.WARNING : Kind.ERROR;
  }

  private static String tag(Diagnostic d) {
    return "[" + d.code().code() + "]";
  }

  private static String hint(Diagnostic d) {
    return d.hint() == null ? "" : "\n  hint: " + d.hint();
  }

  /** The expression string with a caret under the diagnostic's span, when it lies in one. */
  private static String caret(Diagnostic d, Anchor a) {
    if (a.text() == null) {
      return "";
    }
    String shown = a.text().replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    int offset = Math.min(d.pos().col() - a.start().col(), shown.length());
    int length = Math.max(1, Math.min(d.pos().length(), shown.length() - offset));
    return "\n    " + shown + "\n    " + " ".repeat(offset) + "^".repeat(length);
  }
}
