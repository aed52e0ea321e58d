package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Shard sums are the same, bit for bit, whatever order the partial sums are combined in. */
class BlockSumTest {

  @Test
  void theTotalDoesNotDependOnTheMergeOrder() {
    Random r = new Random(1);
    for (int shards = 1; shards <= 13; shards++) {
      List<ShardSums> leaves = new ArrayList<>();
      for (int i = 0; i < shards; i++) {
        // magnitudes far apart, so that the order of additions shows in the last bits
        leaves.add(sums(i, Math.pow(10, r.nextInt(16)) * r.nextGaussian()));
      }
      ShardSums want = tree(leaves, 0, Integer.highestOneBit(Math.max(1, 2 * shards - 1)));
      int n = shards;
      for (int trial = 0; trial < 20; trial++) {
        List<BlockSum<ShardSums>> parts = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
          parts.add(BlockSum.leaf(n, i, leaves.get(i)));
        }
        // combine random pairs, as tasks finishing in any order would
        while (parts.size() > 1) {
          Collections.shuffle(parts, r);
          BlockSum<ShardSums> a = parts.remove(parts.size() - 1);
          BlockSum<ShardSums> b = parts.remove(parts.size() - 1);
          parts.add(a.plus(b));
        }
        ShardSums got = parts.get(0).total();
        assertEquals(Double.doubleToLongBits(want.loss()), Double.doubleToLongBits(got.loss()), shards + " shards");
        assertArrayEquals(want.pass2().get("w").values(), got.pass2().get("w").values());
        assertEquals(shards, got.outputs().size());
      }
    }
  }

  @Test
  void aMissingShardIsAnError() {
    BlockSum<ShardSums> a = BlockSum.leaf(3, 0, sums(0, 1)).plus(BlockSum.leaf(3, 2, sums(2, 1)));
    assertThrows(IllegalStateException.class, a::total);
    assertThrows(IllegalStateException.class, () -> a.plus(BlockSum.leaf(3, 2, sums(2, 1))));
    assertTrue(a.plus(BlockSum.leaf(3, 1, sums(1, 1))).total().loss() == 3);
  }

  /** The fixed tree's sum, written out recursively: blocks [from, from + size). */
  private static ShardSums tree(List<ShardSums> leaves, int from, int size) {
    if (size == 1) {
      return leaves.get(from);
    }
    int half = size / 2;
    if (from + half >= leaves.size()) {
      return tree(leaves, from, half);
    }
    return tree(leaves, from, half).plus(tree(leaves, from + half, half));
  }

  private static ShardSums sums(int index, double v) {
    TreeMap<Integer, Tensor> out = new TreeMap<>();
    out.put(index, new Tensor(new long[] {1}, new double[] {index}));
    return new ShardSums(v, Double.NaN, Map.of("w", new Tensor(new long[] {2}, new double[] {v, -v / 3})), Map.of(),
        Map.of("w", new Tensor(new long[] {2}, new double[] {v, v})), out);
  }
}
