package dev.bpnet.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What a checkpoint must match in the trainer it is resumed into, optimizer state included. */
class CheckpointTest {

  /** Parameters W [4, 8], a fixed feedback matrix W.B [8, 4] the optimizer skips, and b [8]. */
  static final class Shapes extends StubTrainer {
    Shapes() {
      super("Shapes");
    }

    @Override
    public Map<String, INDArray> parameters() {
      Map<String, INDArray> p = new LinkedHashMap<>();
      p.put("W", Nd4j.zeros(DataType.FLOAT, 4, 8));
      p.put("W.B", Nd4j.zeros(DataType.FLOAT, 8, 4));
      p.put("b", Nd4j.zeros(DataType.FLOAT, 8));
      return p;
    }
  }


  private static List<String> differences(INDArray m0, INDArray m1) {
    Map<String, INDArray> opt = new LinkedHashMap<>();
    opt.put("t", Nd4j.scalar(3L));
    opt.put("m/0", m0);
    opt.put("m/1", m1);
    Checkpoint c = new Checkpoint(new Checkpoint.Info("Shapes", "h", "float32", 1, 3, 2, 0, 1, Map.of()),
        new Shapes().parameters(), opt);
    return c.differences(new Shapes());
  }

  @Test
  void perParameterOptimizerStateMustBeLaidOutLikeTheParametersItUpdates() {
    // m/0 for W, m/1 for b: W.B, not updated, has none
    assertEquals(List.of(), differences(Nd4j.zeros(DataType.FLOAT, 4, 8), Nd4j.zeros(DataType.FLOAT, 8)));
    List<String> d = differences(Nd4j.zeros(DataType.FLOAT, 5, 8), Nd4j.zeros(DataType.FLOAT, 8));
    assertEquals(1, d.size(), d.toString());
    assertTrue(d.get(0).contains("optimizer state m/0 is [5, 8] FLOAT, which fits none of the parameters"), d.get(0));
    d = differences(Nd4j.zeros(DataType.FLOAT, 4, 8), Nd4j.zeros(DataType.DOUBLE, 8));
    assertTrue(d.size() == 1 && d.get(0).contains("optimizer state m/1 is [8] DOUBLE"), d.toString());
    // in the wrong order: b's state cannot come before W's
    d = differences(Nd4j.zeros(DataType.FLOAT, 8), Nd4j.zeros(DataType.FLOAT, 4, 8));
    assertTrue(d.size() == 1 && d.get(0).contains("optimizer state m/1 is [4, 8]"), d.toString());
  }
}
