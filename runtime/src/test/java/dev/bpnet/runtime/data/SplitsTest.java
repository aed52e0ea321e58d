package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded splits: disjoint, covering, reproducible, sized by fraction or count. */
class SplitsTest {

  /** Row i has feature i, so each part's rows name the examples it holds. */
  private static Dataset numbered(int n) {
    return Dataset.of(Nd4j.arange(n).reshape(n, 1).castTo(DataType.DOUBLE), Nd4j.zeros(DataType.DOUBLE, n, 2));
  }

  private static Set<Integer> ids(Dataset d) {
    Set<Integer> s = new HashSet<>();
    for (double v : d.features().toDoubleVector()) {
      s.add((int) v);
    }
    assertEquals(d.size(), s.size(), "no example twice");
    return s;
  }

  @Test
  void partsAreDisjointAndCoverTheDataSet() {
    Dataset.Split s = Splits.split(numbered(100), 0.25, 7);
    assertEquals(75, s.first().size());
    assertEquals(25, s.rest().size());
    Set<Integer> a = ids(s.first());
    Set<Integer> b = ids(s.rest());
    Set<Integer> all = new HashSet<>(a);
    all.addAll(b);
    assertEquals(100, all.size());
    assertTrue(a.stream().noneMatch(b::contains));
    // random, not the last quarter: files are often sorted by class
    assertTrue(b.stream().anyMatch(i -> i < 75));
  }

  @Test
  void sameSeedSameSplitOtherSeedOther() {
    Dataset d = numbered(50);
    assertEquals(ids(Splits.split(d, 10, 3).rest()), ids(Splits.split(d, 10, 3).rest()));
    assertNotEquals(ids(Splits.split(d, 10, 3).rest()), ids(Splits.split(d, 10, 4).rest()));
    assertEquals(10, Splits.split(d, 10, 3).rest().size()); // a count
    assertEquals(1, Splits.split(numbered(3), 0.01, 1).rest().size()); // at least one
  }

  @Test
  void splitsThatLeaveAPartEmptyAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Splits.split(numbered(5), 5, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.split(numbered(5), 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.split(numbered(5), 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.split(numbered(1), 0.5, 1));
  }
}
