package dev.bpnet.examples.bench;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * INDArray bytes allocated by warmed-up steps, by the mechanism of dsl's AllocationTest: every
 * array ND4J creates while a workspace is open is accounted to it, so steps run inside an empty
 * workspace with no initial size leave its allocation count at exactly what they allocated.
 */
final class AllocationCount {
  private static final WorkspaceConfiguration COUNTING = WorkspaceConfiguration.builder()
      .initialSize(0).policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE)
      .policySpill(SpillPolicy.EXTERNAL).build();

  private AllocationCount() {}

  /** Bytes allocated per step over {@code steps} steps (the caller warms up first). */
  static double bytesPerStep(String id, Runnable step, int steps) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(COUNTING, "bench-count-" + id)) {
      for (int i = 0; i < steps; i++) {
        step.run();
      }
      return (double) ((Nd4jWorkspace) ws).getThisCycleAllocations() / steps;
    }
  }
}
