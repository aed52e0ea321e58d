package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Statistics from the training set only, per feature or per channel, against hand computations. */
class NormalizationTest {

  private static Dataset of(double[][] x) {
    INDArray f = Nd4j.createFromArray(x);
    return Dataset.of(f, Nd4j.zeros(DataType.DOUBLE, x.length, 1));
  }

  @Test
  void perFeatureStatisticsComeFromTrainAndApplyToTest() {
    Dataset train = of(new double[][] {{1, 10, 5}, {3, 30, 5}});
    Normalization n = Normalization.fit(train, Normalization.Mode.FEATURE, null);
    assertArrayEquals(new double[] {2, 20, 5}, n.mean().toDoubleVector(), 1e-12);
    // population deviations; the constant feature gets 1, not 0
    assertArrayEquals(new double[] {1, 10, 1}, n.std().toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {-1, -1, 0, 1, 1, 0}, n.apply(train).features().ravel().toDoubleVector(), 1e-12);
    Dataset test = of(new double[][] {{5, 0, 7}});
    assertArrayEquals(new double[] {3, -2, 2}, n.apply(test).features().toDoubleVector(), 1e-12);
    assertArrayEquals(new double[] {1, 10, 5}, train.features().getRow(0).toDoubleVector(), 0, "input untouched");
    assertArrayEquals(new double[] {-2, -2, -5}, n.zero().toDoubleVector(), 1e-12);
  }

  @Test
  void perChannelStatisticsPoolAChannelsPixels() {
    // two 2-channel images of 1 x 2 pixels: channel 0 holds {0, 2, 4, 6}, channel 1 holds {1, 1, 1, 1}
    Dataset train = of(new double[][] {{0, 2, 1, 1}, {4, 6, 1, 1}});
    Normalization n = Normalization.fit(train, Normalization.Mode.CHANNEL, new ImageShape(2, 1, 2));
    assertArrayEquals(new double[] {3, 3, 1, 1}, n.mean().toDoubleVector(), 1e-12);
    double sd = Math.sqrt((9 + 1 + 1 + 9) / 4.0);
    assertArrayEquals(new double[] {sd, sd, 1, 1}, n.std().toDoubleVector(), 1e-12);
    assertEquals((6 - 3) / sd, n.apply(train).features().getDouble(1, 1), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Normalization.fit(train, Normalization.Mode.CHANNEL, null));
    assertNull(Normalization.fit(train, Normalization.Mode.NONE, null));
  }

  @Test
  void floatDataStaysFloat() {
    Dataset train = Dataset.of(Nd4j.rand(DataType.FLOAT, 10, 3), Nd4j.zeros(DataType.FLOAT, 10, 1));
    Dataset z = Normalization.fit(train, Normalization.Mode.FEATURE, null).apply(train);
    assertEquals(DataType.FLOAT, z.features().dataType());
    assertArrayEquals(new double[] {0, 0, 0}, z.features().mean(0).toDoubleVector(), 1e-5);
    assertArrayEquals(new double[] {1, 1, 1}, z.features().std(false, 0).toDoubleVector(), 1e-4);
  }
}
