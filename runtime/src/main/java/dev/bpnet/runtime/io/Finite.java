package dev.bpnet.runtime.io;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Where an array read from a file first holds NaN or an infinity, so that a reader can refuse it
 * naming the array and the index instead of letting it surface, misdiagnosed, steps later.
 */
public final class Finite {
  private Finite() {}

  /**
   * "NaN at index [0, 3]" (C order, the first such element) for a floating-point array holding a
   * NaN or an infinity; null for a finite one and for any integer or boolean array.
   */
  public static String firstNonFinite(INDArray a) {
    if (!a.dataType().isFPType() || a.isEmpty()) {
      return null;
    }
    // two reductions decide; only a bad array pays for the element walk that locates it
    if (!BooleanIndexing.or(a, Conditions.isNan()) && !BooleanIndexing.or(a, Conditions.isInfinite())) {
      return null;
    }
    // the long[] form: ravel('c') and reshape('c', n) read the order as a dimension (99)
    long n = a.length();
    INDArray c = a.reshape('c', new long[] {n});
    long[] shape = a.shape();
    for (long i = 0; i < n; i++) {
      double v = c.getDouble(i);
      if (!Double.isFinite(v)) {
        return (Double.isNaN(v) ? "NaN" : v > 0 ? "+inf" : "-inf") + " at index " + index(shape, i);
      }
    }
    return null;
  }

  /** "[3, 17]": the C-order position {@code i} in {@code shape}. */
  public static String index(long[] shape, long i) {
    long[] at = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      at[d] = shape[d] == 0 ? 0 : i % shape[d];
      i = shape[d] == 0 ? i : i / shape[d];
    }
    return Arrays.toString(at);
  }
}
