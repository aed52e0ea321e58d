package dev.bpnet.runtime;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Validation of the arrays handed to a trainer, with messages that say what was expected. */
public final class Feeds {
  private Feeds() {}

  /**
   * Checks that {@code a} is a batch of examples of shape {@code example} and, when
   * {@code batch >= 0}, that it has that many rows; returns its batch size.
   */
  public static long check(String name, INDArray a, long batch, long... example) {
    if (a == null) {
      throw new IllegalArgumentException("'" + name + "' is null");
    }
    long[] s = a.shape();
    boolean ok = s.length == example.length + 1;
    for (int i = 0; ok && i < example.length; i++) {
      ok = s[i + 1] == example[i];
    }
    // flat rows for an image-shaped input: [B, C*H*W] for [C, H, W] examples
    ok |= example.length > 1 && s.length == 2 && s[1] == product(example);
    if (!ok) {
      throw new IllegalArgumentException("'" + name + "' must have shape [B, "
          + Arrays.toString(example).replaceAll("[\\[\\]]", "") + "]" + (example.length > 1 ? " (or flat rows [B, "
          + product(example) + "])" : "") + ", got " + Arrays.toString(s));
    }
    if (s[0] < 1) {
      throw new IllegalArgumentException("'" + name + "' is an empty batch");
    }
    if (batch >= 0 && s[0] != batch) {
      throw new IllegalArgumentException("'" + name + "' has " + s[0] + " rows but the batch has "
          + batch + ": inputs and labels must have the same batch size");
    }
    return s[0];
  }

  /** {@code a} in the shape [B, example...]: itself, or a view of its flat rows. */
  public static INDArray shaped(INDArray a, long... example) {
    if (a.rank() == example.length + 1) {
      return a;
    }
    long[] s = new long[example.length + 1];
    s[0] = a.size(0);
    System.arraycopy(example, 0, s, 1, example.length);
    return a.reshape('c', s);
  }

  private static long product(long[] dims) {
    long p = 1;
    for (long d : dims) {
      p *= d;
    }
    return p;
  }

  /** The feed named {@code name}, or an error listing what the model expects. */
  public static INDArray get(Map<String, INDArray> feeds, String name, String expected) {
    INDArray a = feeds.get(name);
    if (a == null) {
      throw new IllegalArgumentException("missing feed '" + name + "'; the model expects " + expected
          + ", got " + feeds.keySet());
    }
    return a;
  }
}
