package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * After the first step of a batch size, a step allocates no INDArray: every array ND4J makes
 * while a workspace is open is accounted to that workspace, so steps run inside an empty one
 * must leave its allocation count at zero. A deliberate allocation proves the count works.
 */
class AllocationTest {
  private static final WorkspaceConfiguration COUNTING = WorkspaceConfiguration.builder()
      .initialSize(0).policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE)
      .policySpill(SpillPolicy.EXTERNAL).build();

  @ParameterizedTest(name = "passes {0} {1} {2}")
  @CsvSource({"2, paper, FLOAT", "3, paper, FLOAT", "3, exact, FLOAT", "3, exact, DOUBLE"})
  void stepsAfterTheFirstAllocateNothing(int passes, String third, DataType dt) throws Exception {
    var m = Models.mlp("Alloc", 20, new int[] {16, 12}, 5, "tanh", "softmax_cross_entropy",
        t -> t.withPasses(passes).withAlpha(passes == 3 ? 0.7 : 1.0).withThird(third));
    Trainer tr = TrainerLoader.compile(m)
        .getConstructor(DataType.class, long.class).newInstance(dt, 1L);
    Random r = new Random(5);
    Map<String, INDArray> feeds = Map.of("x", TestData.gaussian(r, dt, 8, 20), "y", TestData.oneHot(r, dt, 8, 5));
    tr.step(feeds);  // first step of this batch size: allocates the buffers

    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(COUNTING, "count-" + passes + third + dt)) {
      LongSupplier allocated = ((Nd4jWorkspace) ws)::getThisCycleAllocations;
      for (int i = 0; i < 3; i++) {
        tr.step(feeds);
      }
      assertEquals(0L, allocated.getAsLong(), "bytes allocated by 3 steps");
      feeds.get("x").mul(2.0);  // the control: one allocation must be seen
      assertTrue(allocated.getAsLong() > 0, "the workspace counts allocations");
    }
  }

  /**
   * Dropout draws its masks into buffers made at allocation, and batch norm's running statistics
   * move in place: steps after the first allocate nothing either.
   */
  @ParameterizedTest(name = "dropout, passes {0} {1}")
  @CsvSource({"2, paper, FLOAT", "3, exact, DOUBLE"})
  void stepsWithDropoutAllocateNothing(int passes, String third, DataType dt) {
    String src = "model Drop { input x: [20] label y: [5]\n h = tanh(batch_norm(dense(x, 16)))\n d = dropout(h, 0.3)\n"
        + " out = dense(dropout(relu(layer_norm(dense(d, 12))), 0.5), 5)\n loss = softmax_cross_entropy(out, y)\n"
        + " train { passes = " + passes + " third = " + third + (passes == 3 ? " alpha = 0.7" : "") + " } }\n";
    Trainer tr = TrainerLoader.instantiate(dev.bpnet.dsl.compile.FileCompiler.model(
        new dev.bpnet.dsl.compile.SourceFile("drop.bpnet", src), null), dt, 1);
    Random r = new Random(5);
    Map<String, INDArray> feeds = Map.of("x", TestData.gaussian(r, dt, 8, 20), "y", TestData.oneHot(r, dt, 8, 5));
    tr.step(feeds);
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(COUNTING, "count-drop-" + passes + dt)) {
      LongSupplier allocated = ((Nd4jWorkspace) ws)::getThisCycleAllocations;
      for (int i = 0; i < 3; i++) {
        tr.step(feeds);
      }
      assertEquals(0L, allocated.getAsLong(), "bytes allocated by 3 steps with dropout");
      feeds.get("x").mul(2.0);
      assertTrue(allocated.getAsLong() > 0, "the workspace counts allocations");
    }
  }
}
