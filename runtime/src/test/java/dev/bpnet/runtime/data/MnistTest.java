package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static dev.bpnet.runtime.data.IdxTestFiles.gzip;
import static dev.bpnet.runtime.data.IdxTestFiles.images;
import static dev.bpnet.runtime.data.IdxTestFiles.labels;
import static dev.bpnet.runtime.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MnistTest {

  static Dataset bundled;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    bundled = Mnist.bundled(DataType.FLOAT);
  }

  @Test
  void bundledHasTenThousandImagesInUnitRange() {
    assertArrayEquals(new long[] {10_000, 784}, bundled.features().shape());
    assertArrayEquals(new long[] {10_000, 10}, bundled.labels().shape());
    assertEquals(DataType.FLOAT, bundled.features().dataType());
    assertEquals(0.0, bundled.features().minNumber().doubleValue());
    assertEquals(1.0, bundled.features().maxNumber().doubleValue());
    double mean = bundled.features().meanNumber().doubleValue();
    assertTrue(mean > 0.1 && mean < 0.15, "MNIST mean pixel is about 0.13: " + mean);
  }

  @Test
  void bundledLabelsAreOneHotDigits() {
    INDArray y = bundled.labels();
    assertEquals(0.0, y.minNumber().doubleValue());
    assertEquals(1.0, y.maxNumber().doubleValue());
    INDArray rowSums = y.sum(1);
    assertEquals(10_000.0, rowSums.sumNumber().doubleValue());
    assertEquals(1.0, rowSums.minNumber().doubleValue());
    assertEquals(1.0, rowSums.maxNumber().doubleValue());
  }

  @Test
  void firstEightThousandAreRoughlyClassBalanced() {
    INDArray counts = bundled.split(8_000).first().labels().sum(0);
    for (int c = 0; c < 10; c++) {
      double count = counts.getDouble(c);
      assertTrue(count >= 640 && count <= 960, "class " + c + " has " + count + " of 8000");
    }
  }

  @Test
  void bundledInDoubleMatchesFloat() {
    Dataset d = Mnist.bundled(DataType.DOUBLE);
    assertEquals(DataType.DOUBLE, d.features().dataType());
    assertEquals(bundled.features().getDouble(123, 400), d.features().getDouble(123, 400), 1e-6);
    assertEquals(bundled.labels().castTo(DataType.DOUBLE), d.labels());
  }

  @Test
  void loadsStandardNamesRawOrGzip() {
    write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(images(3, 2, 2)));
    write(dir.resolve("train-labels-idx1-ubyte"), labels(7, 0, 9));
    write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 2, 2));
    write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(1, 2)));
    Dataset train = Mnist.fromDirectory(dir, DataType.FLOAT);
    assertArrayEquals(new long[] {3, 4}, train.features().shape());
    assertEquals(1.0, train.labels().getDouble(0, 7));
    assertEquals(1.0, train.labels().getDouble(2, 9));
    assertEquals(5 / 255.0, train.features().getDouble(1, 1), 1e-7);
    assertEquals(2, Mnist.testFromDirectory(dir, DataType.FLOAT).size());
  }

  @Test
  void loadsBundledNames() {
    write(dir.resolve("images-idx3-ubyte.gz"), gzip(images(2, 1, 3)));
    write(dir.resolve("labels-idx1-ubyte.gz"), gzip(labels(4, 5)));
    Dataset d = Mnist.fromDirectory(dir, DataType.DOUBLE);
    assertArrayEquals(new long[] {2, 3}, d.features().shape());
    assertArrayEquals(new long[] {2, 10}, d.labels().shape());
  }

  @Test
  void labelCountMismatchNamesBothFiles() {
    write(dir.resolve("train-images-idx3-ubyte"), images(3, 2, 2));
    write(dir.resolve("train-labels-idx1-ubyte"), labels(1, 2));
    DataException e = assertThrows(DataException.class,
        () -> Mnist.fromDirectory(dir, DataType.FLOAT));
    assertContains(e, "label count does not match image count", "2 labels", "3 images",
        "train-labels-idx1-ubyte", "train-images-idx3-ubyte");
  }

  @Test
  void emptyFilesAreRejected() {
    write(dir.resolve("images-idx3-ubyte"), images(0, 28, 28));
    write(dir.resolve("labels-idx1-ubyte"), labels());
    assertContains(
        assertThrows(DataException.class, () -> Mnist.fromDirectory(dir, DataType.FLOAT)),
        "images-idx3-ubyte: holds no images");
  }

  @Test
  void missingFilesAreNamed() {
    assertContains(
        assertThrows(DataException.class, () -> Mnist.fromDirectory(dir, DataType.FLOAT)),
        dir.toString(), "no MNIST files", "train-images-idx3-ubyte[.gz]", "images-idx3-ubyte[.gz]");
    write(dir.resolve("t10k-images-idx3-ubyte"), images(2, 2, 2));
    assertContains(
        assertThrows(DataException.class, () -> Mnist.testFromDirectory(dir, DataType.FLOAT)),
        "found t10k-images-idx3-ubyte but not its label file", "t10k-labels-idx1-ubyte");
    assertContains(assertThrows(DataException.class,
        () -> Mnist.fromDirectory(dir.resolve("absent"), DataType.FLOAT)), "not a directory");
  }
}
