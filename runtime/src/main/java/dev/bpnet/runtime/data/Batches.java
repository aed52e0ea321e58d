package dev.bpnet.runtime.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches of a {@link Dataset}, reshuffled every epoch.
 *
 * <p>The order of epoch {@code e} depends only on the seed and {@code e}, so a run can be
 * reproduced (or resumed at any epoch) exactly. Each batch gathers its rows with one
 * {@link Nd4j#pullRows} per tensor: one new array for features and one for labels, nothing
 * else of data size.
 */
public final class Batches {

  private final Dataset dataset;
  private final int batchSize;
  private final long seed;
  private final boolean dropLast;
  private final Augmentation augmentation;

  /** Batches of {@code batchSize}, the last one possibly smaller, shuffled from {@code seed}. */
  public Batches(Dataset dataset, int batchSize, long seed) {
    this(dataset, batchSize, seed, false);
  }

  /**
   * As {@link #Batches(Dataset, int, long)}; if {@code dropLast}, a last partial batch is
   * skipped (for code that needs every batch to have exactly {@code batchSize} rows).
   */
  public Batches(Dataset dataset, int batchSize, long seed, boolean dropLast) {
    this(dataset, batchSize, seed, dropLast, null);
  }

  private Batches(Dataset dataset, int batchSize, long seed, boolean dropLast,
      Augmentation augmentation) {
    if (dataset == null) {
      throw new IllegalArgumentException("dataset must not be null");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropLast = dropLast;
    this.augmentation = augmentation;
  }

  /** The same batches, but skipping the last partial batch of each epoch. */
  public Batches droppingLast() {
    return new Batches(dataset, batchSize, seed, true, augmentation);
  }

  /**
   * The same batches with {@code augmentation} applied to each (for training sets only). Its
   * draws for batch {@code b} of epoch {@code e} depend only on the seed, {@code e} and
   * {@code b}, so a resumed run sees the same images. Null: none.
   */
  public Batches augmented(Augmentation augmentation) {
    if (augmentation != null && augmentation.image().size() != dataset.featureCount()) {
      throw new IllegalArgumentException("augmentation of " + augmentation.image() + " images "
          + "does not fit " + dataset.featureCount() + " features");
    }
    return new Batches(dataset, batchSize, seed, dropLast, augmentation);
  }

  /** The augmentation applied to each batch, or null. */
  public Augmentation augmentation() {
    return augmentation;
  }

  /** The data set being batched. */
  public Dataset dataset() {
    return dataset;
  }

  /** The nominal batch size. */
  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch: {@code ceil(N / B)}, or {@code floor(N / B)} when dropping the last. */
  public int batchesPerEpoch() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /**
   * The order in which epoch {@code epochIndex} visits the examples: a permutation of
   * {@code 0..N-1} (Fisher-Yates from a generator seeded by the seed and the epoch).
   */
  public int[] order(int epochIndex) {
    if (epochIndex < 0) {
      throw new IllegalArgumentException("epoch index must be >= 0: " + epochIndex);
    }
    return Splits.permutation(dataset.size(), mix(mix(seed) + epochIndex));
  }

  /** The batches of epoch {@code epochIndex}; iterable any number of times, in the same order. */
  public Iterable<Batch> epoch(int epochIndex) {
    int[] order = order(epochIndex);
    int count = batchesPerEpoch();
    return () -> new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("epoch has " + count + " batches");
        }
        int from = next * batchSize;
        int[] rows = Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
        Batch b = new Batch(
            Nd4j.pullRows(dataset.features(), 1, rows, 'c'),
            Nd4j.pullRows(dataset.labels(), 1, rows, 'c'));
        // its own stream, apart from the shuffle's: turning augmentation on keeps the order
        long draws = mix(mix(mix(seed ^ AUGMENT) + epochIndex) + next);
        next++;
        return augmentation == null ? b : augmentation.apply(b, draws);
      }
    };
  }

  /** Separates the augmentation's random stream from the shuffle's. */
  private static final long AUGMENT = 0x6a09e667f3bcc909L;

  /** SplitMix64's finaliser, a bijection: nearby seeds and epochs give unrelated orders. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
