package dev.bpnet.dsl.compile;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.api.DType;
import dev.bpnet.dsl.ad.Passes;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.lower.Lowering;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.RuleDecl;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The pipeline: AST -> checks and IR (lowering) -> autodiff -> code generation. Each phase
 * stops the pipeline with every diagnostic it collected; an unexpected failure inside the
 * compiler becomes one diagnostic (E11) naming the model, never a bare stack trace.
 *
 * <p>Warnings travel with the result: {@code differentiate(...).program().warnings()}, or
 * {@link FileCompiler#checkWithWarnings} for a file.
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
    Program p = FileCompiler.guard(model, () -> Lowering.lower(model, rules));
    return FileCompiler.guard(model, () -> Passes.build(p));
  }

  /** The generated trainer source of a model. */
  public static JavaFile generate(ModelDecl model, String packageName) {
    return generate(model, Map.of(), packageName);
  }

  /** The generated trainer source of a model that may call the given user activations. */
  public static JavaFile generate(ModelDecl model, Map<String, RuleDecl> rules, String packageName) {
    TrainingGraph tg = differentiate(model, rules);
    return FileCompiler.guard(model, () -> TrainerGenerator.generate(tg, packageName));
  }

  /** Generates, compiles in memory and instantiates the trainer with the model's defaults. */
  public static Trainer load(ModelDecl model) {
    JavaFile f = generate(model, DEFAULT_PACKAGE);
    Class<? extends Trainer> c = InMemoryJavac.compile(f, Trainer.class);
    try {
      return c.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /** Generates and compiles, returning the class so that callers can pick dtype and seed. */
  public static Class<? extends Trainer> compile(ModelDecl model) {
    return InMemoryJavac.compile(generate(model, DEFAULT_PACKAGE), Trainer.class);
  }

  /** Generates, compiles in memory and instantiates a differentiated model. */
  public static Trainer instantiate(TrainingGraph tg, DataType dtype, long seed) {
    Class<? extends Trainer> c = InMemoryJavac.compile(FileCompiler.generate(tg, DEFAULT_PACKAGE), Trainer.class);
    try {
      return c.getConstructor(DataType.class, long.class).newInstance(dtype, seed);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /** The ND4J data type of a model's {@code dtype} option. */
  public static DataType dataType(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> DataType.FLOAT;
      case FLOAT64 -> DataType.DOUBLE;
    };
  }


}
