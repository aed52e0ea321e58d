package dev.bpnet.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.runtime.data.Dataset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EvaluateTest {

  /** A "trained" model that predicts 2x for each input column: enough to check the metrics. */
  static final class Doubler extends StubTrainer {
    Doubler() {
      super("Doubler");
    }

    @Override
    public INDArray predict(Map<String, INDArray> inputs) {
      return inputs.get("x").mul(2);
    }
  }


  @Test
  void meanSquaredErrorAveragesOverExamplesAndOutputsAcrossBatches() {
    // predictions 2x = [[0, 2], [4, 6], [8, 10]] against labels [[0, 0], [4, 4], [8, 13]]:
    // squared errors 0 + 4 + 0 + 4 + 0 + 9 = 17 over 6 entries
    INDArray x = Nd4j.create(new float[] {0, 1, 2, 3, 4, 5}, new long[] {3, 2}, 'c');
    INDArray y = Nd4j.create(new float[] {0, 0, 4, 4, 8, 13}, new long[] {3, 2}, 'c');
    Dataset d = Dataset.of(x, y);
    for (int batch : new int[] {1, 2, 3, 500}) {
      assertEquals(17.0 / 6, Evaluate.meanSquaredError(new Doubler(), d, batch), 1e-12, "batch " + batch);
    }
  }

  @Test
  void accuracyComparesArgmaxes() {
    // predictions [[0, 2], [6, 4], [2, 0]]: argmax 1, 0, 0 against labels 1, 1, 0
    INDArray x = Nd4j.create(new float[] {0, 1, 3, 2, 1, 0}, new long[] {3, 2}, 'c');
    INDArray y = Nd4j.create(new float[] {0, 1, 0, 1, 1, 0}, new long[] {3, 2}, 'c');
    assertEquals(2.0 / 3, Evaluate.accuracy(new Doubler(), Dataset.of(x, y), 2), 1e-12);
  }
}
