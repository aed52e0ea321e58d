package dev.bpnet.runtime.train;

import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Dataset;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Test metrics of a trainer's predictions: classification accuracy (argmax of output vs argmax
 * of label) and, for regression, the mean squared error.
 */
public final class Evaluate {
  private Evaluate() {}

  public static double accuracy(Trainer trainer, Dataset data, int batchSize) {
    String input = trainer.inputNames().get(0);
    long correct = 0;
    int n = data.size();
    for (int start = 0; start < n; start += batchSize) {
      int end = Math.min(n, start + batchSize);
      INDArray x = data.features().get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
      INDArray y = data.labels().get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
      INDArray out = trainer.predict(Map.of(input, x));
      INDArray predicted = out.argMax(1);
      INDArray actual = y.argMax(1);
      for (int i = 0; i < end - start; i++) {
        if (predicted.getLong(i) == actual.getLong(i)) {
          correct++;
        }
      }
    }
    return (double) correct / n;
  }

  /**
   * The mean squared error (1 / (N k)) sum (prediction - label)^2 over the N examples and k
   * outputs, accumulated in double: the usual regression figure, not the loss's 1/2 ||.||^2.
   */
  public static double meanSquaredError(Trainer trainer, Dataset data, int batchSize) {
    String input = trainer.inputNames().get(0);
    double sum = 0;
    int n = data.size();
    for (int start = 0; start < n; start += batchSize) {
      int end = Math.min(n, start + batchSize);
      INDArray x = data.features().get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
      INDArray y = data.labels().get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
      INDArray diff = trainer.predict(Map.of(input, x)).castTo(DataType.DOUBLE).sub(y.castTo(DataType.DOUBLE));
      sum += diff.mul(diff).sumNumber().doubleValue();
    }
    return sum / ((double) n * data.classCount());
  }
}
