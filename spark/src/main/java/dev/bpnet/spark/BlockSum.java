package dev.bpnet.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Shard sums on their way up a fixed binary tree, so that the total does not depend on the order
 * in which tasks finish. Spark's tree aggregation combines partial results in whatever order
 * they arrive, and floating-point addition is not associative: summed that way, two runs of the
 * same step could differ in the last bits, and a retried task or a resumed run would not end
 * bit-identical. Here each partial covers an aligned block of shards [k 2^level, (k+1) 2^level),
 * and two blocks are added only when they are siblings (left + right), so every block's value is
 * fixed by the shards it covers, whatever the merge order; memory stays at O(log P) blocks.
 *
 * @param shards P, the number of shards of the step
 * @param blocks partial sums by (level << 32 | k)
 * @param <T> what is summed
 */
record BlockSum<T extends Summable<T>>(int shards, TreeMap<Long, T> blocks) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The leaf of shard {@code index}. */
  static <T extends Summable<T>> BlockSum<T> leaf(int shards, int index, T s) {
    TreeMap<Long, T> m = new TreeMap<>();
    m.put(key(0, index), s);
    return new BlockSum<>(shards, m);
  }

  /** Both sets of blocks, siblings added until none are left to add. */
  BlockSum<T> plus(BlockSum<T> o) {
    TreeMap<Long, T> m = new TreeMap<>(blocks);
    for (Map.Entry<Long, T> e : o.blocks.entrySet()) {
      for (long mine : m.keySet()) {
        if (first(mine) < end(e.getKey()) && first(e.getKey()) < end(mine)) {
          throw new IllegalStateException("shards [" + first(mine) + ", " + end(mine) + ") and [" + first(e.getKey())
              + ", " + end(e.getKey()) + ") overlap: a shard summed twice");
        }
      }
      m.put(e.getKey(), e.getValue());
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (long key : m.keySet()) {
        int level = (int) (key >>> 32);
        int k = (int) key;
        if (k == 0 && (1L << level) >= shards) {  // the root: covers every shard
          continue;
        }
        int sibling = k ^ 1;
        long parent = key(level + 1, k >> 1);
        if (((long) sibling << level) >= shards) {  // the sibling covers no shard: move up alone
          m.put(parent, m.remove(key));
          changed = true;
          break;
        }
        T other = m.get(key(level, sibling));
        if (other != null) {
          T left = (k & 1) == 0 ? m.get(key) : other;
          T right = (k & 1) == 0 ? other : m.get(key);
          m.remove(key);
          m.remove(key(level, sibling));
          m.put(parent, left.plus(right));
          changed = true;
          break;
        }
      }
    }
    return new BlockSum<>(shards, m);
  }

  /** The sum over all shards; every shard must have been added. */
  T total() {
    if (blocks.size() != 1 || (1L << (blocks.firstKey() >>> 32)) < shards) {
      throw new IllegalStateException("shards missing from the sum: blocks " + blocks.keySet());
    }
    return blocks.firstEntry().getValue();
  }

  /** The first shard of a block, and one past its last. */
  private static long first(long key) {
    return (key & 0xffffffffL) << (key >>> 32);
  }

  private static long end(long key) {
    return ((key & 0xffffffffL) + 1) << (key >>> 32);
  }

  private static long key(int level, int k) {
    return (long) level << 32 | k;
  }
}
