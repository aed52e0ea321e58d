package dev.bpnet.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What the optimizer tests share: random arrays, exact comparison, allocation counting. */
final class OptimTesting {
  private OptimTesting() {}

  /** As in dsl's AllocationTest: every array made while it is open is counted, none is kept. */
  private static final WorkspaceConfiguration COUNTING = WorkspaceConfiguration.builder()
      .initialSize(0).policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE)
      .policySpill(SpillPolicy.EXTERNAL).build();
  private static int workspaces;

  /** Arrays of standard normal values, one per shape, C order. */
  static List<INDArray> gaussians(Random r, DataType dt, long[]... shapes) {
    List<INDArray> out = new ArrayList<>();
    for (long[] shape : shapes) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      double[] v = new double[(int) n];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextGaussian();
      }
      out.add(Nd4j.create(v, shape, 'c').castTo(dt));
    }
    return out;
  }

  static List<INDArray> copies(List<INDArray> arrays) {
    List<INDArray> out = new ArrayList<>();
    for (INDArray a : arrays) {
      out.add(a.dup('c'));
    }
    return out;
  }

  static double[] doubles(INDArray a) {
    return a.dup('c').data().asDouble();
  }

  /** Exact, bit for bit, in the arrays' own type. */
  static void assertBitwiseEqual(List<INDArray> expected, List<INDArray> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).dataType(), actual.get(i).dataType(), what);
      if (expected.get(i).dataType() == DataType.FLOAT) {
        assertArrayEquals(expected.get(i).dup('c').data().asFloat(),
            actual.get(i).dup('c').data().asFloat(), what + ", parameter " + i);
      } else {
        assertArrayEquals(doubles(expected.get(i)), doubles(actual.get(i)), what + ", parameter " + i);
      }
    }
  }

  static boolean bitwiseEqual(List<INDArray> a, List<INDArray> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(doubles(a.get(i)), doubles(b.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Bytes of INDArray memory {@code steps} allocates, run inside an empty counting workspace;
   * a deliberate allocation after it must be counted, or the count proves nothing.
   */
  static long allocatedBy(Runnable steps) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager()
        .getAndActivateWorkspace(COUNTING, "optim-count-" + workspaces++)) {
      Nd4jWorkspace counting = (Nd4jWorkspace) ws;
      steps.run();
      long allocated = counting.getThisCycleAllocations();
      Nd4j.ones(DataType.FLOAT, 4).mul(2.0);  // the control
      assertTrue(counting.getThisCycleAllocations() > allocated, "the workspace counts allocations");
      return allocated;
    }
  }
}
