package dev.bpnet.runtime.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Class indices to one-hot label matrices, checking each index against the class count. */
public final class Labels {

  private Labels() {}

  /**
   * The [N, classes] one-hot matrix of {@code values}.
   *
   * @throws DataException naming {@code source}, the first bad example and its value, if any
   *     value lies outside {@code 0..classes-1}
   */
  public static INDArray oneHot(int[] values, int classes, String source, DataType dtype) {
    check(values, classes, source);
    int n = values.length;
    float[] y = new float[n * classes];
    for (int i = 0; i < n; i++) {
      y[i * classes + values[i]] = 1f;
    }
    return Nd4j.create(y, new long[] {n, classes}, 'c').castTo(dtype);
  }

  /** Fails unless every value is in {@code 0..classes-1}, counting the bad ones. */
  static void check(int[] values, int classes, String source) {
    int bad = 0;
    int first = -1;
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= classes) {
        bad++;
        first = first < 0 ? i : first;
      }
    }
    if (bad > 0) {
      throw new DataException(String.format(
          "%s: label %d at index %d is out of range for %d classes (expected 0..%d); "
              + "%d of %d labels are out of range",
          source, values[first], first, classes, classes - 1, bad, values.length));
    }
  }

  /** The largest value plus one: the class count implied by the labels (at least 1). */
  static int implied(int[]... values) {
    int max = 0;
    for (int[] v : values) {
      for (int x : v) {
        max = Math.max(max, x);
      }
    }
    return max + 1;
  }
}
