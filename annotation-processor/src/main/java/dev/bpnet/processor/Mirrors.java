package dev.bpnet.processor;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * Annotations read as mirrors rather than through reflection: mirrors carry the values' source
 * positions, and reading them never loads user classes.
 */
final class Mirrors {
  private Mirrors() {}

  /**
   * Thrown for a value javac could not evaluate (an unknown constant, a value of the wrong type):
   * javac reports that error itself, so the type is left alone rather than reported twice.
   */
  static final class Erroneous extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Erroneous(AnnotationValue v) {
      super("erroneous annotation value " + v, null, false, false);
    }
  }

  /** A value as the Java type its attribute declares. */
  static <T> T as(AnnotationValue v, Class<T> type) {
    Object o = v.getValue();
    // javac hands out an erroneous value as the string "<error>"; a real string prints quoted
    boolean erroneousString = o instanceof String && !v.toString().startsWith("\"");
    if (!type.isInstance(o) || erroneousString) {
      throw new Erroneous(v);
    }
    return type.cast(o);
  }

  /** The annotation of the given type on {@code e}, or null. */
  static AnnotationMirror find(Element e, Class<?> type) {
    for (AnnotationMirror m : e.getAnnotationMirrors()) {
      if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(type.getCanonicalName())) {
        return m;
      }
    }
    return null;
  }

  /** The values written explicitly, by attribute name, in source order. */
  static Map<String, AnnotationValue> explicit(AnnotationMirror m) {
    Map<String, AnnotationValue> out = new LinkedHashMap<>();
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : m.getElementValues().entrySet()) {
      out.put(e.getKey().getSimpleName().toString(), e.getValue());
    }
    return out;
  }

  /** An attribute's value, written or default. */
  static AnnotationValue value(Element e, AnnotationMirror m, String name, javax.lang.model.util.Elements elements) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> v : elements.getElementValuesWithDefaults(m).entrySet()) {
      if (v.getKey().getSimpleName().contentEquals(name)) {
        return v.getValue();
      }
    }
    throw new IllegalArgumentException("no attribute " + name + " on " + m + " of " + e);
  }
}
