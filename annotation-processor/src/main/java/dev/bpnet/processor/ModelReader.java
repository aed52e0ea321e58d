package dev.bpnet.processor;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.api.annotation.BpNetModel;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.RuleDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * A {@code @BpNetModel} type to the same {@link ModelDecl} the .bpnet parser builds, plus the
 * user activations it declares. Like the parser, it stops on syntax (and structure) errors and
 * hands train-option errors on, to be reported with the lowering's.
 */
final class ModelReader {
  /** A model read from a type: the AST, its activations, and its train-option errors and warnings. */
  record Model(ModelDecl decl, Map<String, RuleDecl> rules, List<Diagnostic> optionDiagnostics) {}

  private final ValueReader values;
  private final Diagnostics options = new Diagnostics();
  private final List<Decl> decls = new ArrayList<>();
  private final Map<String, RuleDecl> rules = new LinkedHashMap<>();
  private final Map<String, dev.bpnet.dsl.syntax.OptimizerDecl> optimizers = new LinkedHashMap<>();
  private Expr loss;
  private Pos lossPos;

  ModelReader(ValueReader values) {
    this.values = values;
  }

  /** Reads the type, or throws {@link CompileException} with every syntax and structure error. */
  Model read(TypeElement type) {
    AnnotationMirror model = Mirrors.find(type, BpNetModel.class);
    Pos pos = values.at(type);
    boolean abstractClass = type.getKind() == ElementKind.CLASS && type.getModifiers().contains(Modifier.ABSTRACT);
    if (type.getKind() != ElementKind.INTERFACE && !abstractClass) {
      values.syntax.error(ErrorCode.E40, pos, type.getQualifiedName());
    }
    String name = name(type, model);
    MemberReader members = new MemberReader(values, options);
    for (Element e : type.getEnclosedElements()) {
      if (e.getKind() == ElementKind.METHOD) {
        members.read((ExecutableElement) e, this);
      }
    }
    dev.bpnet.dsl.syntax.TrainOptions resolver = new dev.bpnet.dsl.syntax.TrainOptions(options, optimizers);
    TrainSpec train = new TrainReader(values).read(type, Mirrors.as(values.value(type, model, "train"), AnnotationMirror.class),
        resolver);
    values.syntax.stopIfErrors();
    return new Model(new ModelDecl(name, decls, loss, train, pos, resolver.declaredOptimizer(), resolver.positions()), rules, options.all());
  }

  private String name(TypeElement type, AnnotationMirror model) {
    AnnotationValue v = Mirrors.explicit(model).get("name");
    if (v == null) {
      return type.getSimpleName().toString();
    }
    String name = Mirrors.as(v, String.class);
    if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
      values.syntax.error(ErrorCode.E7, values.at(type, model, v), "name", "must be a name, as in Mnist, got \"" + name + "\"");
    }
    return name;
  }

  void add(Decl d) {
    decls.add(d);
  }

  void loss(Expr e, Pos at) {
    if (loss != null) {
      values.syntax.error(ErrorCode.E5, at, "loss", lossPos);
    }
    loss = e;
    lossPos = at;
  }

  /** An {@code @OptimizerRule}: a declared optimizer that {@code @Train(optimizer = ...)} may name. */
  void optimizer(dev.bpnet.dsl.syntax.OptimizerDecl o) {
    var prev = optimizers.putIfAbsent(o.name(), o);
    if (prev != null) {
      values.syntax.error(ErrorCode.E5, o.pos(), o.name(), prev.pos());
    }
    if (dev.bpnet.api.OptimizerSpec.isBuiltin(o.name())) {
      values.syntax.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E50, o.pos(), ErrorCode.E50.format("optimizer",
          o.name(), "optimizer"), "rename it, as in my_" + o.name()));
    }
  }

  void rule(RuleDecl r) {
    RuleDecl prev = rules.putIfAbsent(r.name(), r);
    if (prev != null) {
      values.syntax.error(ErrorCode.E5, r.pos(), r.name(), prev.pos());
    }
  }
}
