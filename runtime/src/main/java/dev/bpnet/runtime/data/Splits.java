package dev.bpnet.runtime.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded random splits of a data set (training/validation, training/test): the examples are
 * shuffled from the seed and the first part taken, so the parts are disjoint, cover the data set
 * and do not depend on its order (files are often sorted by class).
 */
public final class Splits {

  private Splits() {}

  /**
   * The number of examples that {@code amount} of {@code n} means: a fraction if below 1
   * (rounded down, at least 1), else a count.
   *
   * @throws IllegalArgumentException unless the result leaves both parts non-empty
   */
  public static int count(double amount, int n) {
    if (!(amount > 0) || Double.isInfinite(amount) || amount >= 1 && amount != Math.rint(amount)) {
      throw new IllegalArgumentException(
          "a split must be a fraction in (0, 1) or a whole number of examples, got " + amount);
    }
    int k = amount < 1 ? (int) Math.max(1, Math.floor(amount * n)) : (int) Math.min(amount, Integer.MAX_VALUE);
    if (k >= n) {
      throw new IllegalArgumentException(String.format(
          "cannot split %s of %d examples off: both parts must be non-empty", fmt(amount), n));
    }
    return k;
  }

  /**
   * Splits {@code amount} examples (a fraction below 1, else a count) off {@code data} at
   * random: {@code first} is the rest (for example training), {@code rest} the part split off
   * (validation or test). The same seed gives the same split.
   */
  public static Dataset.Split split(Dataset data, double amount, long seed) {
    int n = data.size();
    int k = count(amount, n);
    int[] order = permutation(n, seed);
    int[] keep = Arrays.copyOfRange(order, 0, n - k);
    int[] off = Arrays.copyOfRange(order, n - k, n);
    // sorted: each part keeps the data set's order, so the split is the only randomness
    Arrays.sort(keep);
    Arrays.sort(off);
    return new Dataset.Split(rows(data, keep), rows(data, off));
  }

  /** The examples of {@code data} at {@code rows}, in that order, as a new data set. */
  public static Dataset rows(Dataset data, int[] rows) {
    return Dataset.of(Nd4j.pullRows(data.features(), 1, rows, 'c'),
        Nd4j.pullRows(data.labels(), 1, rows, 'c'));
  }

  /** A permutation of 0..n-1 from {@code seed} (Fisher-Yates). */
  static int[] permutation(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
