package dev.bpnet.runtime.data;

import dev.bpnet.api.DataSets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Which examples of a data set's training and test parts a run uses: a count ({@code train},
 * {@code test}: a whole number, or a fraction below 1 of what is there, rounded down and at least
 * one) from an offset ({@code offset}, {@code test_offset}), or, with {@code subset_seed}, that
 * many drawn at random. The arguments are those of {@link DataSets#SUBSET}; a part whose count is
 * not given is used from its offset to its end.
 *
 * <p>A random subset takes the first k indices of a seeded Fisher-Yates permutation of the part's
 * examples from the offset on ({@link Splits#permutation}), sorted, so the examples keep the part's order; the same seed and
 * part size give the same examples on every machine. Indices count from 0 in the part as the
 * source gives it (an IDX file's order; the bundled MNIST subset's first 8,000 digits for
 * training and last 2,000 for testing).
 *
 * @param train the training count or fraction; NaN: all from {@code offset}
 * @param test the test count or fraction; NaN: all from {@code testOffset}
 * @param seed the random subset's seed, or null for ranges
 */
public record Subset(double train, int offset, double test, int testOffset, Long seed) {
  public static final Subset ALL = new Subset(Double.NaN, 0, Double.NaN, 0, null);

  /** The examples a part gave, the indices they had there, and those in words. */
  public record Selection(Dataset data, int[] rows, String phrase) {}

  /** The subset the data arguments {@code args} describe (other arguments are ignored). */
  public static Subset of(Map<String, Double> args) {
    Double s = args.get("subset_seed");
    return new Subset(args.getOrDefault("train", Double.NaN), args.getOrDefault("offset", 0.0).intValue(),
        args.getOrDefault("test", Double.NaN), args.getOrDefault("test_offset", 0.0).intValue(),
        s == null ? null : s.longValue());
  }

  /** {@code args} without the subset's arguments: what a source itself reads. */
  public static Map<String, Double> without(Map<String, Double> args) {
    Map<String, Double> m = new java.util.LinkedHashMap<>(args);
    DataSets.SUBSET.forEach(m::remove);
    return m;
  }

  /** Whether the test part is chosen from (a count or an offset was given for it). */
  public boolean choosesTest() {
    return !Double.isNaN(test) || testOffset != 0;
  }

  /** The training examples this subset takes of {@code d}. */
  public Selection train(Dataset d, String source) {
    return select(d, train, offset, "offset", "train", "training", source);
  }

  /** The test examples this subset takes of {@code d}. */
  public Selection test(Dataset d, String source) {
    return select(d, test, testOffset, "test_offset", "test", "test", source);
  }

  private Selection select(Dataset d, double amount, int from, String fromName, String amountName, String part,
      String source) {
    int n = d.size();
    if (from >= n) {
      throw new DataException(String.format(Locale.ROOT, "%s: %s = %d is past the last of its %,d %s examples",
          source, fromName, from, n, part));
    }
    int available = n - from;
    int k = Double.isNaN(amount) ? available : amount < 1 ? (int) Math.max(1, Math.floor(amount * available))
        : (int) Math.min(amount, Integer.MAX_VALUE);
    if (k > available) {
      throw new DataException(String.format(Locale.ROOT, "%s: %s = %s%s asks for more %s examples than the %,d there are%s",
          source, amountName, fmt(amount), from == 0 ? "" : " from " + fromName + " = " + from, part, available,
          from == 0 ? "" : " from there (" + String.format(Locale.ROOT, "%,d", n) + " in all)"));
    }
    int[] rows;
    String phrase;
    if (seed == null) {
      rows = new int[k];
      Arrays.setAll(rows, i -> from + i);
      phrase = String.format(Locale.ROOT, "%s examples %,d-%,d (%s%,d)", part, from, from + k - 1,
          k == n ? "all " : String.format(Locale.ROOT, "%,d of ", k), n);
    } else {
      rows = Arrays.copyOf(Splits.permutation(available, seed), k);
      Arrays.sort(rows);
      for (int i = 0; i < k; i++) {
        rows[i] += from;
      }
      phrase = from == 0
          ? String.format(Locale.ROOT, "%,d of the %,d %s examples drawn at random with subset_seed %d", k, n, part, seed)
          : String.format(Locale.ROOT, "%,d of %s examples %,d-%,d (of %,d) drawn at random with subset_seed %d", k, part,
              from, n - 1, n, seed);
    }
    Dataset chosen = k == n ? d : Splits.rows(d, rows);
    return new Selection(chosen, rows, phrase);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
