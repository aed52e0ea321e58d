package dev.bpnet.dsl;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The generated trainers of a test class's many models, compiled in one javac task. Most of a
 * compile is javac reading and attributing against ND4J's large types; one task does that once
 * for all the models instead of once per model. Each model's source goes into a package of its
 * own (the models' class names repeat). The classes are the ones each test would compile alone:
 * the same generated source, but for its package.
 *
 * <p>Failures stay with their tests: a model whose source cannot be generated is left out, and a
 * batch javac rejects is dropped whole, so that each test compiles its own model and reports its
 * own error ({@link #get}'s fallback).
 */
public final class TrainerBatch<K> {
  private final Map<K, Class<? extends Trainer>> classes;

  private TrainerBatch(Map<K, Class<? extends Trainer>> classes) {
    this.classes = classes;
  }

  /** Compiles the trainer of each .bpnet model text (one model per text), keyed by the text. */
  public static TrainerBatch<String> ofModelTexts(java.util.Collection<String> texts) {
    Map<String, Function<String, JavaFile>> sources = new LinkedHashMap<>();
    for (String text : texts) {
      sources.put(text, pkg -> dev.bpnet.dsl.compile.FileCompiler.generate(
          dev.bpnet.dsl.compile.FileCompiler.model(new dev.bpnet.dsl.compile.SourceFile("net.bpnet", text), null), pkg));
    }
    return compile(sources);
  }

  /** Compiles the trainer source of each key, {@code sources.get(key).apply(packageName)}. */
  public static <K> TrainerBatch<K> compile(Map<K, Function<String, JavaFile>> sources) {
    Map<K, String> names = new LinkedHashMap<>();
    List<JavaFile> files = new ArrayList<>();
    int i = 0;
    for (Map.Entry<K, Function<String, JavaFile>> e : sources.entrySet()) {
      JavaFile f;
      try {
        f = e.getValue().apply("dev.bpnet.generated.batch" + i++);
      } catch (RuntimeException | AssertionError x) {
        continue;  // the test builds the model again and fails there, with its own message
      }
      files.add(f);
      names.put(e.getKey(), f.packageName() + "." + f.typeSpec().name());
    }
    Map<String, byte[]> bytes;
    try {
      bytes = InMemoryJavac.javac(files);  // a batch is compiled once: nothing to keep
    } catch (IllegalStateException x) {
      return new TrainerBatch<>(Map.of());
    }
    Map<K, Class<? extends Trainer>> classes = new LinkedHashMap<>();
    names.forEach((k, name) -> classes.put(k, InMemoryJavac.load(bytes, name, Trainer.class)));
    return new TrainerBatch<>(classes);
  }

  /**
   * A trainer of the key's class from the batch, constructed with {@code (dtype, seed)}; else
   * (left out, or the batch failed) what {@code alone} makes.
   */
  public Trainer trainer(K key, DataType dtype, long seed, Supplier<Trainer> alone) {
    Class<? extends Trainer> c = classes.get(key);
    if (c == null) {
      return alone.get();
    }
    try {
      return c.getConstructor(DataType.class, long.class).newInstance(dtype, seed);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot instantiate " + c.getName(), e);
    }
  }

  /** How many models the batch holds. */
  public int size() {
    return classes.size();
  }
}
