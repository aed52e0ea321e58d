package dev.bpnet.dsl.compile;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.Passes;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.lower.Lowering;
import dev.bpnet.dsl.syntax.DeepStack;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.RuleDecl;
import java.util.Map;

/**
 * The pipeline: AST -> checks and IR (lowering) -> autodiff -> code generation. Each phase
 * stops the pipeline with every diagnostic it collected; an unexpected failure inside the
 * compiler becomes one diagnostic (E11) naming the model, never a bare stack trace.
 *
 * <p>Warnings travel with the result: {@code differentiate(...).program().warnings()}, or
 * {@link FileCompiler#checkWithWarnings} for a file.
 *
 * <p>Nothing here touches the runtime or ND4J: the annotation processor runs this inside javac.
 * Loading the generated trainer into this JVM is {@code load.TrainerLoader}'s.
 */
public final class BpNetCompiler {
  public static final String DEFAULT_PACKAGE = "dev.bpnet.generated";

  private BpNetCompiler() {}

  /** The lowered and differentiated graph of a model. */
  public static TrainingGraph differentiate(ModelDecl model) {
    return differentiate(model, Map.of());
  }

  /** The lowered and differentiated graph of a model that may call the given user activations. */
  public static TrainingGraph differentiate(ModelDecl model, Map<String, RuleDecl> rules) {
    return DeepStack.run(() -> {
      Program p = FileCompiler.guard(model, () -> Lowering.lower(model, rules));
      return FileCompiler.guard(model, () -> Passes.build(p));
    });
  }

  /** The generated trainer source of a model. */
  public static JavaFile generate(ModelDecl model, String packageName) {
    return generate(model, Map.of(), packageName);
  }

  /** The generated forward-only class ({@code <Model>Model}) of a model. */
  public static JavaFile generateModel(ModelDecl model, String packageName) {
    return DeepStack.run(() -> {
      TrainingGraph tg = differentiate(model, Map.of());
      return FileCompiler.guard(model, () -> dev.bpnet.dsl.codegen.ModelGenerator.generate(tg, packageName));
    });
  }

  /** The generated trainer source of a model that may call the given user activations. */
  public static JavaFile generate(ModelDecl model, Map<String, RuleDecl> rules, String packageName) {
    return DeepStack.run(() -> {
      TrainingGraph tg = differentiate(model, rules);
      return FileCompiler.guard(model, () -> TrainerGenerator.generate(tg, packageName));
    });
  }
}
