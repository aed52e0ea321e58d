package dev.bpnet.examples.bench;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The benchmark MLP as a generated trainer: a .bpnet model written for the sizes and mode,
 * compiled in memory the way {@code bpnet train} compiles a file (parse, check, differentiate,
 * generate, javac), with the parameters of a {@link HandTunedMlp} of the same seed.
 *
 * @param source the .bpnet text
 * @param java the generated trainer source (the gemm floor reads its gemm calls)
 * @param trainer the loaded trainer, float32
 */
record GeneratedMlp(String source, String java, Trainer trainer) {

  static GeneratedMlp compile(int[] sizes, String mode, double lr, long seed) {
    return compile(sizes, mode, lr, seed, true);
  }

  /** With {@code fuse} false, the trainer without the emission fusions (the harness's bpnet-unfused). */
  static GeneratedMlp compile(int[] sizes, String mode, double lr, long seed, boolean fuse) {
    String src = bpnet(sizes, mode, lr);
    TrainingGraph tg = FileCompiler.model(new SourceFile("bench.bpnet", src), null);
    JavaFile jf = fuse ? FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE)
        : TrainerGenerator.generate(tg, BpNetCompiler.DEFAULT_PACKAGE + ".unfused", false);
    Class<? extends Trainer> c = InMemoryJavac.compile(jf, Trainer.class);
    Trainer t;
    try {
      t = c.getConstructor(DataType.class, long.class).newInstance(DataType.FLOAT, seed);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
    // the same starting point as the hand-tuned and SameDiff runs
    HandTunedMlp init = new HandTunedMlp(sizes, DataType.FLOAT, seed);
    Map<String, INDArray> params = t.parameters();
    for (int i = 0; i + 1 < sizes.length; i++) {
      String layer = i + 2 == sizes.length ? "logits" : "h" + (i + 1);
      params.get(layer + ".W").assign(init.weights()[i]);
      params.get(layer + ".b").assign(init.biases()[i]);
    }
    return new GeneratedMlp(src, jf.toString(), t);
  }

  /** The model: ReLU hidden layers, softmax cross-entropy, plain SGD; alpha = 0.8 with 3 passes. */
  static String bpnet(int[] sizes, String mode, double lr) {
    StringBuilder b = new StringBuilder("model BenchMlp {\n");
    b.append("  input x: [").append(sizes[0]).append("]\n");
    b.append("  label y: [").append(sizes[sizes.length - 1]).append("]\n");
    String h = "x";
    for (int i = 1; i + 1 < sizes.length; i++) {
      b.append("  h").append(i).append(" = relu(dense(").append(h).append(", ").append(sizes[i]).append("))\n");
      h = "h" + i;
    }
    b.append("  logits = dense(").append(h).append(", ").append(sizes[sizes.length - 1]).append(")\n");
    b.append("  loss = softmax_cross_entropy(logits, y)\n");
    b.append("  train {\n    ");
    b.append(switch (mode) {
      case "2pass" -> "passes = 2";
      case "3pass-paper" -> "passes = 3   alpha = 0.8   third = paper";
      case "3pass-exact" -> "passes = 3   alpha = 0.8   third = exact";
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    });
    b.append("\n    optimizer = sgd(lr = ").append(lr).append(")\n  }\n}\n");
    return b.toString();
  }
}
