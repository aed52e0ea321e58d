package dev.bpnet.runtime.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Running means of loss, l_x and error over the batches of an epoch, weighted by batch size.
 * The error of a batch is computed from the output the trainer already has, so scoring costs a
 * few small reductions, not a second forward pass.
 */
final class BatchScore {
  private final boolean regression;
  private double loss;
  private double inputLoss;
  private double errors;
  private long examples;
  private long scored;

  BatchScore(boolean regression) {
    this.regression = regression;
  }

  void add(double batchLoss, double batchInputLoss, INDArray output, INDArray labels) {
    long n = labels.rows();
    loss += batchLoss * n;
    inputLoss += batchInputLoss * n;
    examples += n;
    if (output == null) {
      return;
    }
    if (regression) {
      INDArray d = output.castTo(DataType.DOUBLE).subi(labels.castTo(DataType.DOUBLE));
      errors += d.muli(d).sumNumber().doubleValue() / labels.columns();
    } else {
      errors += n - output.argMax(1).eq(labels.argMax(1)).castTo(DataType.INT).sumNumber().longValue();
    }
    scored += n;
  }

  double loss() {
    return loss / examples;
  }

  double inputLoss() {
    return inputLoss / examples;
  }

  /** The classification error or the MSE; NaN if no batch had an output to score. */
  double error() {
    return scored == 0 ? Double.NaN : errors / scored;
  }
}
