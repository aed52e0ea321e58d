package dev.bpnet.runtime.train;

import dev.bpnet.runtime.data.Dataset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets a seeded random fraction of a training set aside for validation. The rows are drawn,
 * not taken from the end: data files are often sorted by class.
 *
 * @param train the rows left for training
 * @param validation the rows set aside, or null when the fraction gives none
 */
public record ValidationSplit(Dataset train, Dataset validation) {

  /**
   * floor(fraction * N) rows for validation, chosen by a permutation seeded with {@code seed};
   * both parts keep the original row order. A fraction of 0, or one that gives no row, gives
   * no validation set.
   *
   * @throws IllegalArgumentException unless 0 <= fraction < 1 and some row is left to train on
   */
  public static ValidationSplit of(Dataset d, double fraction, long seed) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
    }
    int n = d.size();
    int count = (int) Math.floor(fraction * n);
    if (count == 0) {
      return new ValidationSplit(d, null);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] val = Arrays.copyOf(order, count);
    int[] rest = Arrays.copyOfRange(order, count, n);
    Arrays.sort(val);
    Arrays.sort(rest);
    return new ValidationSplit(rows(d, rest), rows(d, val));
  }

  private static Dataset rows(Dataset d, int[] rows) {
    return new Dataset(Nd4j.pullRows(d.features(), 1, rows, 'c'), Nd4j.pullRows(d.labels(), 1, rows, 'c'));
  }
}
