package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Convolutions;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Mnist;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A generated trainer with its convolutions bound to ND4J's native ops computes the loss, l_x and
 * the gradients of all three passes that the same trainer with the Java ops computes (float32,
 * to float32 rounding): the native ops are each other's VJPs as the Java ones are, through the
 * exact third pass included. Runs on every build with the native ops forced (libnd4j's own loops
 * on the default build); with {@code -Dnd4j.classifier=linux-x86_64-onednn} it checks oneDNN's.
 */
class NativeConvTrainingTest {
  private final Convolutions.Impl before = Convolutions.impl();

  @AfterEach
  void restore() {
    Convolutions.use(before);
  }

  private static Gradients gradients(Convolutions.Impl impl, String train, Map<String, INDArray> feeds, List<String> ops) {
    Convolutions.use(impl);
    Trainer tr = TrainerLoader.instantiate(
        FileCompiler.model(new SourceFile("lenet.bpnet", ConvTrainingTest.lenet(train)), null), DataType.FLOAT, 7);
    Gradients g = tr.gradients(feeds);  // binds the ops
    ops.addAll(impls(tr));
    return g;
  }

  /** The impl() of every convolution op among the trainer's fields. */
  static List<String> impls(Object trainer) {
    List<String> l = new ArrayList<>();
    for (Field f : trainer.getClass().getDeclaredFields()) {
      try {
        f.setAccessible(true);
        Object v = f.get(trainer);
        if (v instanceof Convolutions.Conv2d c) {
          l.add(c.impl());
        } else if (v instanceof Convolutions.Conv2dTranspose c) {
          l.add(c.impl());
        } else if (v instanceof Convolutions.Conv2dFilter c) {
          l.add(c.impl());
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return l;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"passes = 2", "passes = 3 alpha = 0.8 third = exact", "passes = 3 alpha = 0.8 third = paper"})
  void nativeAndJavaOpsGiveTheSameGradients(String train) {
    Batch b = new Batches(Mnist.bundled(DataType.FLOAT).split(64).first(), 16, 3L).epoch(0).iterator().next();
    Map<String, INDArray> feeds = Map.of("x", b.features(), "y", b.labels());
    List<String> nativeOps = new ArrayList<>();
    List<String> javaOps = new ArrayList<>();
    Gradients n = gradients(Convolutions.Impl.NATIVE, train, feeds, nativeOps);
    Gradients j = gradients(Convolutions.Impl.JAVA, train, feeds, javaOps);
    assertTrue(nativeOps.stream().anyMatch(s -> s.startsWith("native")), "some op bound natively: " + nativeOps);
    assertTrue(javaOps.stream().noneMatch(s -> s.startsWith("native")), "no op bound natively: " + javaOps);
    assertEquals(j.loss(), n.loss(), 1e-5 * Math.abs(j.loss()), "loss");
    if (!Double.isNaN(j.inputLoss())) {
      assertEquals(j.inputLoss(), n.inputLoss(), 1e-4 * Math.abs(j.inputLoss()), "l_x");
    }
    for (var pass : List.of(List.of(j.pass2(), n.pass2()), List.of(j.pass3(), n.pass3()))) {
      assertEquals(pass.get(0).keySet(), pass.get(1).keySet());
      for (String p : pass.get(0).keySet()) {
        INDArray want = pass.get(0).get(p);
        double diff = pass.get(1).get(p).sub(want).amaxNumber().doubleValue();
        double scale = want.amaxNumber().doubleValue();
        System.out.printf("native vs java, %s, %s: max diff %.2e of max %.2e%n", train, p, diff, scale);
        assertTrue(diff <= 1e-3 * scale + 1e-7, p + ": native differs from Java by " + diff + " (max " + scale + ")");
      }
    }
  }
}
