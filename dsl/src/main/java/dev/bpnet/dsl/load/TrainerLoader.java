package dev.bpnet.dsl.load;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.api.DType;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Generated trainers, compiled in memory and loaded into this JVM: the one place where the
 * compiler meets the runtime and ND4J. Kept apart from {@link BpNetCompiler} so that generating
 * code (what the annotation processor does inside javac) loads neither; the compiler's
 * dependency on {@code bpnet-runtime} is optional, and a caller of this class brings the runtime
 * it loads trainers with.
 */
public final class TrainerLoader {
  private TrainerLoader() {}

  /** Generates, compiles in memory and instantiates the trainer with the model's defaults. */
  public static Trainer load(ModelDecl model) {
    Class<? extends Trainer> c = compile(model);
    try {
      return c.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /** Generates and compiles, returning the class so that callers can pick dtype and seed. */
  public static Class<? extends Trainer> compile(ModelDecl model) {
    JavaFile f = BpNetCompiler.generate(model, BpNetCompiler.DEFAULT_PACKAGE);
    return InMemoryJavac.compile(f, Trainer.class);
  }

  /** Generates, compiles in memory and instantiates a differentiated model. */
  public static Trainer instantiate(TrainingGraph tg, DataType dtype, long seed) {
    JavaFile f = FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE);
    Class<? extends Trainer> c = InMemoryJavac.compile(f, Trainer.class);
    try {
      return c.getConstructor(DataType.class, long.class).newInstance(dtype, seed);
    } catch (java.lang.reflect.InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof OutOfMemoryError || cause instanceof RuntimeException && String.valueOf(cause.getMessage())
          .toLowerCase(java.util.Locale.ROOT).matches(".*(memory|allocat|bytes).*")) {
        throw new TooLarge(tg, dtype, cause);
      }
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /**
   * Generates and compiles the forward-only class of a differentiated model ({@code <Model>Model});
   * callers construct it from parameters ({@code (Map<String, INDArray>)} or {@code (Map, DataType)}).
   */
  public static Class<? extends dev.bpnet.runtime.Model> compileModel(TrainingGraph tg) {
    return InMemoryJavac.compile(FileCompiler.generateModel(tg, BpNetCompiler.DEFAULT_PACKAGE), dev.bpnet.runtime.Model.class);
  }

  /** The forward-only class of a differentiated model, with these parameters (copied) in {@code dtype}. */
  public static dev.bpnet.runtime.Model model(TrainingGraph tg, java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> parameters,
      DataType dtype) {
    Class<? extends dev.bpnet.runtime.Model> c = compileModel(tg);
    try {
      return c.getConstructor(java.util.Map.class, DataType.class).newInstance(parameters, dtype);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /** A model whose parameters do not fit in memory: the user's to change, not a bug. */
  public static final class TooLarge extends RuntimeException {
    TooLarge(TrainingGraph tg, DataType dtype, Throwable cause) {
      super(String.format(java.util.Locale.ROOT, "model %s does not fit in memory: its %,d parameter values alone take %.1f GB"
          + " in %s (%s); make it smaller", tg.program().name(), values(tg), values(tg) * (double) dtype.width() / 1e9,
          dtype == DataType.DOUBLE ? "float64" : "float32", cause instanceof OutOfMemoryError ? "the JVM ran out of memory"
              : "ND4J could not allocate"));
    }

    private static long values(TrainingGraph tg) {
      return tg.program().params().stream().mapToLong(p -> p.shape().staticSize()).sum();
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
