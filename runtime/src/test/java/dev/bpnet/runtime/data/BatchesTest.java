package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatchesTest {

  /** 10 examples; feature row i is {@code [3i, 3i+1, 3i+2]}, so row 0 column 0 identifies i. */
  final Dataset ds = DatasetTest.numbered(10, 3, 4);

  static List<Batch> all(Iterable<Batch> epoch) {
    List<Batch> out = new ArrayList<>();
    epoch.forEach(out::add);
    return out;
  }

  /** The example indices of a batch, read back from its features. */
  static int[] ids(Batch b) {
    int[] ids = new int[b.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = b.features().getInt(i, 0) / 3;
    }
    return ids;
  }

  @Test
  void sizesIncludeLastPartialBatchByDefault() {
    Batches batches = new Batches(ds, 4, 1);
    assertEquals(3, batches.batchesPerEpoch());
    List<Batch> epoch = all(batches.epoch(0));
    assertEquals(List.of(4, 4, 2), epoch.stream().map(Batch::size).toList());
    assertArrayEquals(new long[] {2, 3}, epoch.get(2).features().shape());
    assertArrayEquals(new long[] {2, 4}, epoch.get(2).labels().shape());
  }

  @Test
  void dropLastSkipsThePartialBatch() {
    Batches batches = new Batches(ds, 4, 1).droppingLast();
    assertEquals(2, batches.batchesPerEpoch());
    assertEquals(List.of(4, 4), all(batches.epoch(0)).stream().map(Batch::size).toList());
    assertEquals(5, all(new Batches(ds, 2, 1, true).epoch(3)).size());
  }

  @Test
  void epochVisitsEveryExampleOnceWithMatchingLabels() {
    List<Batch> epoch = all(new Batches(ds, 3, 42).epoch(5));
    int[] seen = epoch.stream().flatMapToInt(b -> Arrays.stream(ids(b))).sorted().toArray();
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen);
    for (Batch b : epoch) {
      int[] ids = ids(b);
      for (int i = 0; i < ids.length; i++) {
        assertEquals(ds.features().getRow(ids[i]), b.features().getRow(i));
        assertEquals(ds.labels().getRow(ids[i]), b.labels().getRow(i));
      }
    }
  }

  @Test
  void sameSeedAndEpochGiveSameOrder() {
    Batches a = new Batches(ds, 4, 7);
    Batches b = new Batches(ds, 4, 7);
    assertArrayEquals(a.order(2), b.order(2));
    List<Batch> first = all(a.epoch(2));
    List<Batch> second = all(b.epoch(2));
    for (int i = 0; i < first.size(); i++) {
      assertArrayEquals(ids(first.get(i)), ids(second.get(i)));
    }
    Iterable<Batch> epoch = a.epoch(2);
    assertArrayEquals(ids(all(epoch).get(0)), ids(all(epoch).get(0)), "re-iterable");
  }

  @Test
  void differentEpochOrSeedGivesDifferentOrder() {
    Dataset big = DatasetTest.numbered(200, 3, 4);
    Batches batches = new Batches(big, 32, 7);
    int[] e0 = batches.order(0);
    assertFalse(Arrays.equals(e0, batches.order(1)));
    assertFalse(Arrays.equals(e0, new Batches(big, 32, 8).order(0)));
    int[] identity = java.util.stream.IntStream.range(0, 200).toArray();
    assertFalse(Arrays.equals(identity, e0), "shuffled");
    assertArrayEquals(identity, Arrays.stream(e0).sorted().toArray(), "a permutation");
  }

  @Test
  void iteratorAndArgumentChecks() {
    Iterator<Batch> it = new Batches(ds, 10, 0).epoch(0).iterator();
    assertTrue(it.hasNext());
    assertEquals(10, it.next().size());
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
    assertThrows(IllegalArgumentException.class, () -> new Batches(ds, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Batches(ds, 4, 0).epoch(-1));
    assertEquals(1, all(new Batches(ds, 64, 0).epoch(0)).size());
  }
}
