package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small LeNet-style network on the bundled MNIST subset, input [1, 28, 28]: its loss falls
 * within a few dozen steps with two passes and with three (paper and exact), and after the
 * first step of a batch size a step allocates no INDArray, as for dense networks.
 */
class ConvTrainingTest {
  static String lenet(String train) {
    return """
        model LeNetTiny {
          input x: [1, 28, 28]
          label y: [10]
          c1 = relu(conv2d(x, 4, kernel = 5, padding = same))
          p1 = max_pool(c1, 2)
          c2 = tanh(conv2d(p1, 8, kernel = 3, stride = 2, padding = 1))
          p2 = avg_pool(c2, 2, padding = same)
          logits = dense(flatten(p2), 10)
          loss = softmax_cross_entropy(logits, y)
          train { optimizer = adam(lr = 0.005) seed = 7 %s }
        }
        """.formatted(train);
  }

  private static Trainer trainer(String train, DataType dt) {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("lenet.bpnet", lenet(train)), null), dt, 7);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"passes = 2", "passes = 3 alpha = 0.8 third = paper", "passes = 3 alpha = 0.8 third = exact"})
  void lossFallsOnMnist(String train) {
    Trainer tr = trainer(train, DataType.FLOAT);
    Dataset data = Mnist.bundled(DataType.FLOAT).split(1280).first();
    List<Double> losses = new ArrayList<>();
    for (Batch b : new Batches(data, 32, 3L).epoch(0)) {
      losses.add(tr.step(Map.of("x", b.features(), "y", b.labels())).loss());
    }
    double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(losses.size() - 5, losses.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("lenet-tiny %s: %d steps, mean loss of the first 5 %.3f, of the last 5 %.3f%n", train, losses.size(), first, last);
    assertEquals(40, losses.size());
    assertTrue(last < 0.7 * first, "loss went from " + first + " to " + last);
  }

  static final WorkspaceConfiguration COUNTING = WorkspaceConfiguration.builder()
      .initialSize(0).policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE)
      .policySpill(SpillPolicy.EXTERNAL).build();

  @ParameterizedTest(name = "{0}")
  @CsvSource({"passes = 2", "passes = 3 alpha = 0.8 third = paper", "passes = 3 alpha = 0.8 third = exact"})
  void stepsAfterTheFirstAllocateNothing(String train) {
    Trainer tr = trainer(train, DataType.FLOAT);
    Batch b = new Batches(Mnist.bundled(DataType.FLOAT).split(64).first(), 16, 3L).epoch(0).iterator().next();
    Map<String, INDArray> feeds = Map.of("x", b.features(), "y", b.labels());
    tr.step(feeds);  // the first step of this batch size allocates the buffers
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(COUNTING, "conv-" + train.hashCode())) {
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
