package dev.bpnet.processor;

import dev.bpnet.api.annotation.Activation;
import dev.bpnet.api.annotation.Input;
import dev.bpnet.api.annotation.Label;
import dev.bpnet.api.annotation.Layer;
import dev.bpnet.api.annotation.LayerRule;
import dev.bpnet.api.annotation.Loss;
import dev.bpnet.api.annotation.OptimizerRule;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.RuleDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * One annotated method to a declaration: its name is the value's name, its parameters name the
 * inputs of a layer, and its annotation says what it is.
 */
final class MemberReader {
  /** The member annotations, in the order their names are listed in messages. */
  static final List<Class<?>> MEMBERS = members();

  private static final String INDARRAY = "org.nd4j.linalg.api.ndarray.INDArray";

  private final ValueReader values;
  private final Diagnostics options;

  MemberReader(ValueReader values, Diagnostics options) {
    this.values = values;
    this.options = options;
  }

  void read(ExecutableElement m, ModelReader model) {
    Map<Class<?>, AnnotationMirror> found = new LinkedHashMap<>();
    for (Class<?> c : MEMBERS) {
      AnnotationMirror a = Mirrors.find(m, c);
      if (a != null) {
        found.put(c, a);
      }
    }
    if (found.isEmpty()) {
      return;
    }
    Pos pos = values.at(m);
    String name = m.getSimpleName().toString();
    if (found.size() > 1) {
      values.syntax.error(ErrorCode.E41, pos, name,
          found.keySet().stream().map(c -> "@" + c.getSimpleName()).collect(Collectors.joining(", ")));
      return;
    }
    Class<?> kind = found.keySet().iterator().next();
    AnnotationMirror a = found.get(kind);
    if (kind == Input.class || kind == Label.class) {
      if (parameters(m, pos, kind, 0, "no parameters")) {
        List<Integer> shape = shape(m, a);
        model.add(kind == Input.class ? new Decl.Input(name, shape, pos) : new Decl.Label(name, shape, pos));
      }
    } else if (LayerReader.LAYERS.contains(kind)) {
      if (parameters(m, pos, kind, 1, "one parameter, its input")) {
        Expr e = new LayerReader(values).read(m, a, kind, ref(m.getParameters().get(0)));
        if (e != null) {
          model.add(new Decl.Let(name, e, pos));
        }
      }
    } else if (kind == Activation.class) {
      if (parameters(m, pos, kind, 1, "one parameter, its input") & typed(m, kind, false)) {
        model.rule(rule(RuleDecl.Kind.ACTIVATION, m, a, pos));
      }
    } else if (kind == OptimizerRule.class) {
      if (parameters(m, pos, kind, 0, "no parameters")) {
        model.optimizer(new dev.bpnet.dsl.syntax.OptimizerDecl(name, values.hyperparameters(m, a, "hyperparameters"),
            values.optimizerStatements(m, a, "rule"), pos));
      }
    } else if (kind == LayerRule.class) {
      if (!m.getParameters().isEmpty() || parameters(m, pos, kind, 1, "at least one parameter")) {
        if (typed(m, kind, true)) {
          model.rule(rule(RuleDecl.Kind.LAYER, m, a, pos));
        }
      }
    } else {
      Expr e = applied(m, a, kind);
      if (e != null && kind == Loss.class) {
        model.loss(e, pos);
      } else if (e != null) {
        model.add(new Decl.Let(name, e, pos));
      }
    }
  }

  private static List<Class<?>> members() {
    List<Class<?>> all = new ArrayList<>(List.of(Input.class, Label.class, Layer.class));
    all.addAll(LayerReader.LAYERS);
    all.addAll(List.of(Loss.class, Activation.class, LayerRule.class, OptimizerRule.class));
    return List.copyOf(all);
  }

  /** Whether {@code m} has {@code count} parameters; reports E43 if not. */
  private boolean parameters(ExecutableElement m, Pos pos, Class<?> kind, int count, String what) {
    if (m.getParameters().size() == count) {
      return true;
    }
    values.syntax.error(ErrorCode.E43, pos, kind.getSimpleName(), what, m.getParameters().size());
    return false;
  }

  /** A shape's dimensions; bad ones are reported with the option errors, as the parser does. */
  private List<Integer> shape(ExecutableElement m, AnnotationMirror a) {
    AnnotationValue v = values.value(m, a, "value");
    @SuppressWarnings("unchecked")
    List<? extends AnnotationValue> dims = (List<? extends AnnotationValue>) Mirrors.as(v, List.class);
    List<Integer> shape = new ArrayList<>();
    if (dims.isEmpty()) {
      options.error(ErrorCode.E25, values.at(m, a, v));
      shape.add(1);
    }
    for (AnnotationValue d : dims) {
      int n = Mirrors.as(d, Integer.class);
      if (n < 1 || n > 1 << 24) {
        options.error(ErrorCode.E18, values.at(m, a, d), n);
        shape.add(1);
      } else {
        shape.add(n);
      }
    }
    return shape;
  }

  /** {@code @Layer} and {@code @Loss}: an expression, or a function applied to the parameters. */
  private Expr applied(ExecutableElement m, AnnotationMirror a, Class<?> kind) {
    Expr e = values.expr(m, a, "value");
    if (e == null || m.getParameters().isEmpty()) {
      return e;
    }
    if (!(e instanceof Expr.Ref fn)) {
      values.syntax.error(ErrorCode.E42, e.pos(), kind.getSimpleName(), "an expression");
      return null;
    }
    List<Expr> args = m.getParameters().stream().map(this::ref).collect(Collectors.toList());
    return new Expr.Call(fn.name(), args, Map.of(), fn.pos());
  }

  /** {@code @Activation} and {@code @LayerRule}: the rule the language writes {@code activation|layer [exact] NAME(...)}. */
  private RuleDecl rule(RuleDecl.Kind kind, ExecutableElement m, AnnotationMirror a, Pos pos) {
    String result = Mirrors.as(values.value(m, a, "result"), String.class);
    String grad = Mirrors.as(values.value(m, a, "grad"), String.class);
    boolean exact = Mirrors.as(values.value(m, a, "exact"), Boolean.class);
    List<String> params = m.getParameters().stream().map(p -> p.getSimpleName().toString()).toList();
    return new RuleDecl(kind, exact, m.getSimpleName().toString(), params, result, values.statements(m, a, "forward"),
        grad.isEmpty() ? "d" + result : grad, values.statements(m, a, "backward"), pos);
  }

  /**
   * Whether a rule's parameters have types that say what they are: tensors are INDArray, and a
   * layer's numbers (a width) int, long or double; reports E46 for each that does not.
   */
  private boolean typed(ExecutableElement m, Class<?> kind, boolean numbers) {
    boolean ok = true;
    for (VariableElement p : m.getParameters()) {
      TypeMirror t = p.asType();
      boolean number = t.getKind() == TypeKind.INT || t.getKind() == TypeKind.LONG || t.getKind() == TypeKind.DOUBLE;
      if (!t.toString().equals(INDARRAY) && !(numbers && number)) {
        values.syntax.error(ErrorCode.E46, values.at(p), p.getSimpleName(), kind.getSimpleName(),
            numbers ? "INDArray (a tensor) or int, long or double (a number)" : "INDArray", t);
        ok = false;
      }
    }
    return ok;
  }

  /** A reference to the value a parameter names, positioned at the parameter. */
  private Expr ref(VariableElement p) {
    return new Expr.Ref(p.getSimpleName().toString(), values.at(p));
  }
}
