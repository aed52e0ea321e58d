package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Convolutions;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Mnist;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A generated LeNet-style trainer (ConvTrainingTest's: 5x5 {@code same}, 3x3 stride 2 padding 1)
 * with its convolutions bound to oneDNN called directly follows the same loss trajectory as the
 * same trainer on the Java ops, for two passes and for three (paper and exact, whose third pass
 * runs the convolutions' VJPs of VJPs), and a step after the first allocates no INDArray.
 *
 * <p>Tolerance: 20 Adam steps at lr 0.005 from the same seed and batches; the two bindings differ
 * by float32 rounding in each convolution (about 1e-6 relative), which the updates carry from
 * step to step. Measured, the losses agreed to about 1e-6 relative; 1e-4 leaves room and still
 * fails for any op that computes something else (a wrong gradient changes the trajectory at the
 * first update by far more).
 */
class DnnlConvTrainingTest {
  private final Convolutions.Impl before = Convolutions.impl();

  @AfterEach
  void restore() {
    Convolutions.use(before);
  }

  private static Trainer trainer(Convolutions.Impl impl, String train) {
    Convolutions.use(impl);
    return TrainerLoader.instantiate(
        FileCompiler.model(new SourceFile("lenet.bpnet", ConvTrainingTest.lenet(train)), null), DataType.FLOAT, 7);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"passes = 2", "passes = 3 alpha = 0.8 third = paper", "passes = 3 alpha = 0.8 third = exact"})
  void oneDnnAndJavaOpsFollowTheSameLossTrajectory(String train) {
    List<Batch> batches = new ArrayList<>();
    new Batches(Mnist.bundled(DataType.FLOAT).split(640).first(), 32, 3L).epoch(0).forEach(batches::add);
    // the ops bind at a trainer's first step of a batch size, under the setting of that moment
    List<Double> dnnl = losses(Convolutions.Impl.DNNL, train, batches, "oneDNN");
    List<Double> java = losses(Convolutions.Impl.JAVA, train, batches, "im");
    double worst = 0;
    for (int i = 0; i < batches.size(); i++) {
      double lj = java.get(i);
      worst = Math.max(worst, Math.abs(dnnl.get(i) - lj) / Math.abs(lj));
      assertEquals(lj, dnnl.get(i), 1e-4 * Math.abs(lj), "loss at step " + i);
    }
    System.out.printf("oneDNN vs Java, %s: %d steps, largest relative loss difference %.2e%n", train, batches.size(), worst);
    assertEquals(20, batches.size());
  }

  /** The losses of a trainer over the batches, its ops bound under {@code impl}: their impl() names all start with {@code prefix}. */
  private static List<Double> losses(Convolutions.Impl impl, String train, List<Batch> batches, String prefix) {
    Trainer tr = trainer(impl, train);
    List<Double> losses = new ArrayList<>();
    for (Batch b : batches) {
      losses.add(tr.step(Map.of("x", b.features(), "y", b.labels())).loss());
      List<String> ops = NativeConvTrainingTest.impls(tr);
      assertTrue(!ops.isEmpty() && ops.stream().allMatch(s -> s.startsWith(prefix) || prefix.equals("im") && s.startsWith("gemm")),
          impl + ": " + ops);
    }
    return losses;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"passes = 2", "passes = 3 alpha = 0.8 third = exact"})
  void stepsAfterTheFirstAllocateNothing(String train) {
    Trainer tr = trainer(Convolutions.Impl.DNNL, train);
    Batch b = new Batches(Mnist.bundled(DataType.FLOAT).split(64).first(), 16, 3L).epoch(0).iterator().next();
    Map<String, INDArray> feeds = Map.of("x", b.features(), "y", b.labels());
    tr.step(feeds);  // the first step of this batch size allocates the buffers and binds the ops
    assertTrue(NativeConvTrainingTest.impls(tr).stream().allMatch(s -> s.startsWith("oneDNN")),
        NativeConvTrainingTest.impls(tr).toString());
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager()
        .getAndActivateWorkspace(ConvTrainingTest.COUNTING, "dnnl-conv-" + train.hashCode())) {
      LongSupplier allocated = ((Nd4jWorkspace) ws)::getThisCycleAllocations;
      for (int i = 0; i < 3; i++) {
        tr.step(feeds);
      }
      assertEquals(0L, allocated.getAsLong(), "bytes allocated by 3 steps");
      feeds.get("x").mul(2.0);  // the control: one allocation must be seen
      assertTrue(allocated.getAsLong() > 0, "the workspace counts allocations");
    }
  }
}
