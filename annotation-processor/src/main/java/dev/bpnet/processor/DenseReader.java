package dev.bpnet.processor;

import dev.bpnet.api.annotation.Dense;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Expr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;

/**
 * {@code @Dense(value = 512, activation = "relu", ...) h(x)} to the expression the language
 * would write, {@code relu(dense(x, 512))}, each part positioned at the attribute it came from,
 * so that the compiler's checks of units, feedback and rules point at the right value.
 */
final class DenseReader {
  private final ValueReader values;

  DenseReader(ValueReader values) {
    this.values = values;
  }

  /** The layer's expression on {@code input}; null after a reported error. */
  Expr read(ExecutableElement m, AnnotationMirror a, Expr input) {
    Map<String, AnnotationValue> written = Mirrors.explicit(a);
    AnnotationValue units = values.value(m, a, "value");
    Map<String, Expr> named = new LinkedHashMap<>();
    AnnotationValue bias = written.get("bias");
    if (bias != null && !Mirrors.as(bias, Boolean.class)) {
      named.put("bias", new Expr.Num(0, values.at(m, a, bias)));
    }
    AnnotationValue feedback = written.get("feedback");
    String fb = feedback == null ? "SYMMETRIC" : Mirrors.as(feedback, VariableElement.class).getSimpleName().toString();
    if (!fb.equals(Dense.Feedback.SYMMETRIC.name())) {
      named.put("feedback", new Expr.Ref(fb.toLowerCase(Locale.ROOT), values.at(m, a, feedback)));
    }
    Pos at = values.at(m, a, units);
    Expr dense = new Expr.Call("dense", List.of(input, new Expr.Num(Mirrors.as(units, Integer.class), at)), named, at);
    return activation(m, a, written, dense);
  }

  /** The activation around the layer, and the backward rule around that. */
  private Expr activation(ExecutableElement m, AnnotationMirror a, Map<String, AnnotationValue> written, Expr dense) {
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
      return dense;
    }
    Expr fn = values.expr(m, a, "activation");
    if (fn == null) {
      return null;
    }
    if (!(fn instanceof Expr.Ref r)) {
      values.syntax.error(ErrorCode.E7, fn.pos(), "activation", "must be the name of an activation, as in relu");
      return null;
    }
    Expr applied = new Expr.Call(r.name(), List.of(dense), Map.of(), r.pos());
    return plain ? applied
        : new Expr.Call(rule.toLowerCase(Locale.ROOT), List.of(applied), Map.of(), values.at(m, a, backward));
  }
}
