package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.io.Npy;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** x/y arrays in .npz archives and .npy files. */
class NumpyDataTest {

  @TempDir
  Path dir;

  @Test
  void npzWithXAndYIsOneHotAndFlattened() {
    Path f = dir.resolve("d.npz");
    Npz.write(f, Map.of("x", Nd4j.arange(24).reshape(4, 2, 3).castTo(DataType.DOUBLE),
        "y", Nd4j.createFromArray(0L, 2L, 1L, 2L)));
    Loaded l = NumpyData.readNpz(f, 0, DataType.FLOAT);
    assertNull(l.test());
    assertEquals(new ImageShape(1, 2, 3), l.image());
    assertFalse(l.regression());
    assertEquals(6, l.train().featureCount());
    assertEquals(3, l.train().classCount());
    assertEquals(11.0, l.train().features().getDouble(1, 5));
    assertEquals(1.0, l.train().labels().getDouble(1, 2));
    // the model's class count wins over what the labels imply
    assertEquals(5, NumpyData.readNpz(f, 5, DataType.FLOAT).train().classCount());
  }

  @Test
  void kerasNamesGiveTrainAndTestAndChannelsLastIsConverted() {
    Path f = dir.resolve("k.npz");
    INDArray nhwc = Nd4j.arange(2 * 4 * 4 * 3).reshape(2, 4, 4, 3).castTo(DataType.UBYTE);
    Map<String, INDArray> a = new LinkedHashMap<>();
    a.put("x_train", nhwc);
    a.put("y_train", Nd4j.createFromArray(1, 0));
    a.put("x_test", nhwc.dup());
    a.put("y_test", Nd4j.createFromArray(3, 0));
    Npz.write(f, a);
    Loaded l = NumpyData.readNpz(f, 0, DataType.DOUBLE);
    assertEquals(new ImageShape(3, 4, 4), l.image());
    assertEquals(4, l.train().classCount()); // implied by train and test labels together
    // channel 1, pixel (0, 0) of image 0 was nhwc[0, 0, 0, 1] = 1; bytes are scaled by 1/255
    assertEquals(1 / 255.0, l.train().features().getDouble(0, 16), 1e-12);
    assertEquals(3 / 255.0, l.train().features().getDouble(0, 1), 1e-12);
    assertEquals(2, l.test().size());
  }

  @Test
  void npyDirectoryAndTargetsMatrices() {
    Npy.write(dir.resolve("x.npy"), Nd4j.rand(DataType.DOUBLE, 5, 3));
    Npy.write(dir.resolve("y.npy"), Nd4j.rand(DataType.DOUBLE, 5, 2));
    assertTrue(NumpyData.isNpyDirectory(dir));
    Loaded l = NumpyData.readDirectory(dir, 0, DataType.FLOAT);
    assertTrue(l.regression());
    assertEquals(2, l.train().classCount());
    Npy.write(dir.resolve("y.npy"), Nd4j.eye(5).castTo(DataType.DOUBLE)); // one-hot rows: classes
    assertFalse(NumpyData.readDirectory(dir, 0, DataType.FLOAT).regression());
  }

  @Test
  void mismatchedCountsMissingArraysAndBadLabelsAreReported() {
    Path f = dir.resolve("bad.npz");
    Npz.write(f, Map.of("x", Nd4j.zeros(DataType.FLOAT, 4, 2), "y", Nd4j.createFromArray(0, 1, 1)));
    assertContains(assertThrows(DataException.class, () -> NumpyData.readNpz(f, 0, DataType.FLOAT)),
        f + ", array 'x' holds 4 examples but", "array 'y' holds 3 labels");
    Path g = dir.resolve("noy.npz");
    Npz.write(g, Map.of("features", Nd4j.zeros(DataType.FLOAT, 4, 2)));
    assertContains(assertThrows(DataException.class, () -> NumpyData.readNpz(g, 0, DataType.FLOAT)),
        g + ": no array 'x'", "found [features]");
    Path h = dir.resolve("frac.npz");
    Npz.write(h, Map.of("x", Nd4j.zeros(DataType.FLOAT, 2, 2), "y", Nd4j.createFromArray(0.0, 1.5)));
    assertContains(assertThrows(DataException.class, () -> NumpyData.readNpz(h, 0, DataType.FLOAT)),
        "array 'y': label 1.5 at index 1 is not a class index");
    Path k = dir.resolve("range.npz");
    Npz.write(k, Map.of("x", Nd4j.zeros(DataType.FLOAT, 3, 2), "y", Nd4j.createFromArray(0, 9, 1)));
    assertContains(assertThrows(DataException.class, () -> NumpyData.readNpz(k, 4, DataType.FLOAT)),
        k + ", array 'y': label 9 at index 1 is out of range for 4 classes");
  }
}
