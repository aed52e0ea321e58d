package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DatasetTest {

  static Dataset numbered(int n, int d, int k) {
    INDArray x = Nd4j.arange(n * d).castTo(DataType.FLOAT).reshape('c', n, d);
    INDArray y = Nd4j.zeros(DataType.FLOAT, n, k);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % k, 1.0);
    }
    return Dataset.of(x, y);
  }

  @Test
  void sizesAndSplit() {
    Dataset ds = numbered(10, 3, 4);
    assertEquals(10, ds.size());
    assertEquals(3, ds.featureCount());
    assertEquals(4, ds.classCount());
    Dataset.Split s = ds.split(7);
    assertEquals(7, s.first().size());
    assertEquals(3, s.rest().size());
    assertEquals(ds.features().getRow(6), s.first().features().getRow(6));
    assertEquals(ds.features().getRow(7), s.rest().features().getRow(0));
    assertEquals(ds.labels().getRow(9), s.rest().labels().getRow(2));
    s.rest().features().assign(-1);
    assertEquals(21f, ds.features().getFloat(7, 0), "split parts are copies");
  }

  @Test
  void splitMustLeaveBothPartsNonEmpty() {
    Dataset ds = numbered(5, 2, 2);
    assertThrows(IllegalArgumentException.class, () -> ds.split(0));
    assertThrows(IllegalArgumentException.class, () -> ds.split(5));
  }

  @Test
  void validatesShapes() {
    INDArray x = Nd4j.zeros(DataType.FLOAT, 4, 3);
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.of(x, Nd4j.zeros(DataType.FLOAT, 5, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.of(Nd4j.zeros(DataType.FLOAT, 4), Nd4j.zeros(DataType.FLOAT, 4, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.of(x, Nd4j.zeros(DataType.DOUBLE, 4, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> Dataset.of(Nd4j.zeros(DataType.INT32, 4, 3), Nd4j.zeros(DataType.INT32, 4, 2)));
    assertThrows(IllegalArgumentException.class, () -> Dataset.of(null, x));
  }
}
