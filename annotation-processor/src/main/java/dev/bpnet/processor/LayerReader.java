package dev.bpnet.processor;

import dev.bpnet.api.annotation.AvgPool;
import dev.bpnet.api.annotation.Conv2d;
import dev.bpnet.api.annotation.Dense;
import dev.bpnet.api.annotation.Flatten;
import dev.bpnet.api.annotation.GlobalAvgPool;
import dev.bpnet.api.annotation.MaxPool;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Expr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;

/**
 * A layer annotation on a method of one parameter to the call the language would write, each
 * part positioned at the attribute it came from, so that the compiler's checks point at the right
 * value. The annotation's name spelled as the language spells it is the function (Dense: dense,
 * Conv2d: conv2d, MaxPool: max_pool); the parameter is its input and {@code value} the next
 * positional argument; every other attribute written with a value other than its default becomes
 * the named argument of its name (a boolean as yes or no, an enum constant in lower case, a string
 * as the expression it holds); {@code activation} and {@code backward} wrap the call.
 * {@code @Dense(value = 512, activation = "relu") h(x)} is {@code relu(dense(x, 512))}. A new layer
 * annotation whose attributes are the language's arguments needs only its place in {@link #LAYERS}.
 */
final class LayerReader {
  /** The layer annotations, each read the same way. */
  static final List<Class<?>> LAYERS = List.of(Dense.class, Conv2d.class, MaxPool.class, AvgPool.class,
      GlobalAvgPool.class, Flatten.class);

  /** Attributes that are not arguments of the call. */
  private static final List<String> WRAPPERS = List.of("value", "activation", "backward");

  private final ValueReader values;

  LayerReader(ValueReader values) {
    this.values = values;
  }

  /** The language's name of a layer annotation: Conv2d to conv2d, GlobalAvgPool to global_avg_pool. */
  static String function(Class<?> layer) {
    return layer.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /** The layer's expression on {@code input}; null after a reported error. */
  Expr read(ExecutableElement m, AnnotationMirror a, Class<?> layer, Expr input) {
    Map<String, AnnotationValue> written = Mirrors.explicit(a);
    List<Expr> args = new ArrayList<>(List.of(input));
    Pos at = values.at(m);
    if (has(a, "value")) {
      AnnotationValue v = values.value(m, a, "value");
      at = values.at(m, a, v);
      args.add(new Expr.Num(Mirrors.as(v, Integer.class), at));
    }
    Map<String, Expr> named = new LinkedHashMap<>();
    for (Map.Entry<String, AnnotationValue> e : written.entrySet()) {
      String name = e.getKey();
      if (WRAPPERS.contains(name) || isDefault(a, name, e.getValue())) {
        continue;
      }
      Expr arg = argument(m, a, name, e.getValue());
      if (arg == null) {
        return null;
      }
      named.put(name, arg);
    }
    return activation(m, a, written, new Expr.Call(function(layer), args, named, at));
  }

  /** A written attribute as the language's argument. */
  private Expr argument(ExecutableElement m, AnnotationMirror a, String name, AnnotationValue v) {
    Object o = v.getValue();
    Pos p = values.at(m, a, v);
    if (o instanceof Boolean b) {
      return new Expr.Ref(b ? "yes" : "no", p);
    }
    if (o instanceof VariableElement constant) {
      return new Expr.Ref(constant.getSimpleName().toString().toLowerCase(Locale.ROOT), p);
    }
    if (o instanceof String) {
      return values.expr(m, a, name);
    }
    return new Expr.Num(((Number) o).doubleValue(), p);
  }

  private static boolean has(AnnotationMirror a, String attribute) {
    return a.getAnnotationType().asElement().getEnclosedElements().stream()
        .anyMatch(e -> e.getSimpleName().contentEquals(attribute));
  }

  /** Whether a written value is the attribute's default: nothing to say (feedback = SYMMETRIC, stride = 1). */
  private static boolean isDefault(AnnotationMirror a, String attribute, AnnotationValue v) {
    return a.getAnnotationType().asElement().getEnclosedElements().stream()
        .filter(e -> e.getSimpleName().contentEquals(attribute))
        .map(e -> ((ExecutableElement) e).getDefaultValue())
        .anyMatch(d -> d != null && d.getValue().equals(v.getValue()));
  }

  /** The activation around the layer, and the backward rule around that. */
  private Expr activation(ExecutableElement m, AnnotationMirror a, Map<String, AnnotationValue> written, Expr layer) {
    AnnotationValue act = written.get("activation");
    AnnotationValue backward = written.get("backward");
    String rule = backward == null ? "GRADIENT" : Mirrors.as(backward, VariableElement.class).getSimpleName().toString();
    boolean plain = rule.equals(Dense.Backward.GRADIENT.name());
    if (act == null || Mirrors.as(act, String.class).isBlank()) {
      if (!plain) {
        values.syntax.error(ErrorCode.E7, values.at(m, a, backward), "backward",
            "a backward rule needs an activation: add one, as in activation = \"sigmoid\"");
        return null;
      }
      return layer;
    }
    Expr fn = values.expr(m, a, "activation");
    if (fn == null) {
      return null;
    }
    if (!(fn instanceof Expr.Ref r)) {
      values.syntax.error(ErrorCode.E7, fn.pos(), "activation", "must be the name of an activation, as in relu");
      return null;
    }
    Expr applied = new Expr.Call(r.name(), List.of(layer), Map.of(), r.pos());
    return plain ? applied
        : new Expr.Call(rule.toLowerCase(Locale.ROOT), List.of(applied), Map.of(), values.at(m, a, backward));
  }
}
