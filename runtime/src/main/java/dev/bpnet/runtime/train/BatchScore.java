package dev.bpnet.runtime.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Running means of loss, l_x and error over the batches of an epoch, weighted by batch size.
 * The error of a batch is computed from the output the trainer already has, not from a second
 * forward pass.
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
    // one copy of each small [B, k] matrix into Java, then plain loops: a handful of ND4J ops
    // (argmax, eq, sum) would cost more than a millisecond a step
    double[] o = values(output);
    double[] y = values(labels);
    int k = (int) labels.columns();
    for (int b = 0; b < n; b++) {
      int base = b * k;
      if (regression) {
        double sq = 0;
        for (int c = 0; c < k; c++) {
          double d = o[base + c] - y[base + c];
          sq += d * d;
        }
        errors += sq / k;
      } else if (argMax(o, base, k) != argMax(y, base, k)) {
        errors++;
      }
    }
    scored += n;
  }

  private static double[] values(INDArray a) {
    INDArray c = a.ordering() == 'c' && !a.isView() && a.data().length() == a.length() ? a : a.dup('c');
    return c.data().asDouble();
  }

  private static int argMax(double[] v, int from, int k) {
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (v[from + c] > v[from + best]) {
        best = c;
      }
    }
    return best;
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
