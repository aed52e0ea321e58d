package dev.bpnet.spark;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.train.TrainingLoop;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * How an executor makes the driver's trainer: the generated trainer's class bytes, compiled once
 * on the driver and shipped with each job, with the dtype and seed of its constructor. Executors
 * need no compiler, and every executor's trainer starts from the same initialisation (the same
 * fixed feedback matrices B included: they are drawn from the seed).
 *
 * @param className binary name of the trainer class
 * @param classes class bytes by binary name (the trainer and any nested classes)
 * @param dtype float32 or float64
 * @param seed the constructor's seed
 * @param batchStatistics where the model normalises with batch statistics ({@code batch_norm at
 *     FILE:LINE:COL}), which Spark refuses (see {@link SparkTrainer}); empty for most models
 */
public record TrainerRecipe(String className, Map<String, byte[]> classes, String dtype, long seed,
    java.util.List<String> batchStatistics) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Trainer classes defined in this JVM, by {@link #id()}: each recipe's bytes are defined once. */
  private static final Map<String, Class<? extends Trainer>> DEFINED = new ConcurrentHashMap<>();

  public TrainerRecipe {
    classes = Map.copyOf(new TreeMap<>(classes));
    batchStatistics = java.util.List.copyOf(batchStatistics);
  }

  /** Generates and compiles the trainer of {@code tg} (on the driver). */
  public static TrainerRecipe of(TrainingGraph tg, DataType dtype, long seed) {
    JavaFile f = FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE);
    Map<String, byte[]> bytes = InMemoryJavac.compileAll(java.util.List.of(f));
    java.util.List<String> norms = tg.program().running().stream().map(r -> "batch_norm at " + r.pos())
        .distinct().toList();
    return new TrainerRecipe(f.packageName() + "." + f.typeSpec().name(), bytes,
        dtype == DataType.DOUBLE ? "float64" : "float32", seed, norms);
  }

  /** Identifies the recipe: SHA-256 of the class bytes, dtype and seed. */
  public String id() {
    StringBuilder b = new StringBuilder(className).append('\n').append(dtype).append('\n').append(seed).append('\n');
    classes.forEach((k, v) -> b.append(k).append(' ').append(java.util.HexFormat.of().formatHex(v)).append('\n'));
    return TrainingLoop.sha256(b.toString());
  }

  /** A new trainer, initialised as the driver's was. */
  public Trainer newTrainer() {
    Class<? extends Trainer> c = DEFINED.computeIfAbsent(id(), k -> define());
    try {
      return c.getConstructor(DataType.class, long.class)
          .newInstance(dtype.equals("float64") ? DataType.DOUBLE : DataType.FLOAT, seed);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + className, e);
    }
  }

  private Class<? extends Trainer> define() {
    return InMemoryJavac.load(classes, className, Trainer.class);
  }
}
