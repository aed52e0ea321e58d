package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** CIFAR-10/100 binary files written byte by byte here, well-formed and broken. */
class CifarTest {

  @TempDir
  Path dir;

  /** Records with the given label bytes; pixel j of record i is (i + j) mod 256. */
  static byte[] records(int[][] labels) {
    int record = labels[0].length + 3072;
    byte[] b = new byte[labels.length * record];
    for (int i = 0; i < labels.length; i++) {
      for (int k = 0; k < labels[i].length; k++) {
        b[i * record + k] = (byte) labels[i][k];
      }
      for (int j = 0; j < 3072; j++) {
        b[i * record + labels[i].length + j] = (byte) (i + j);
      }
    }
    return b;
  }

  @Test
  void cifar10ReadsLabelsAndPixelsInStoredOrder() {
    Path f = IdxTestFiles.write(dir.resolve("data_batch_1.bin"), records(new int[][] {{3}, {9}, {0}}));
    Dataset d = Cifar.read10(f, DataType.FLOAT);
    assertEquals(3, d.size());
    assertEquals(3072, d.featureCount());
    assertEquals(10, d.classCount());
    assertEquals(1.0, d.labels().getDouble(0, 3));
    assertEquals(1.0, d.labels().getDouble(1, 9));
    assertEquals(1.0, d.labels().getDouble(2, 0));
    // pixel 1024 of record 1 is the first green pixel: (1 + 1024) mod 256 = 1
    assertEquals(1 / 255.0, d.features().getDouble(1, 1024), 1e-7);
    assertEquals(255 / 255.0, d.features().getDouble(2, 253), 1e-7); // (2 + 253) mod 256
  }

  @Test
  void cifar10DirectoryJoinsFiveBatchesAndGzipIsDetectedByContent() {
    for (int i = 1; i <= 5; i++) {
      byte[] raw = records(new int[][] {{i}, {i + 1}});
      // batch 2 is gzipped under its plain name: compression is told by the magic bytes
      IdxTestFiles.write(dir.resolve("data_batch_" + i + ".bin"), i == 2 ? IdxTestFiles.gzip(raw) : raw);
    }
    IdxTestFiles.write(dir.resolve("test_batch.bin"), records(new int[][] {{7}}));
    Dataset train = Cifar.train10(dir, DataType.DOUBLE);
    assertEquals(10, train.size());
    assertEquals(1.0, train.labels().getDouble(2, 2)); // first record of batch 2
    assertEquals(1.0, train.labels().getDouble(9, 6));
    assertEquals(1, Cifar.test10(dir, DataType.DOUBLE).size());
    assertEquals(DataType.DOUBLE, train.features().dataType());
  }

  @Test
  void cifar100HasFineLabelsByDefaultAndCoarseOnRequest() {
    Path f = IdxTestFiles.write(dir.resolve("train.bin"), records(new int[][] {{19, 99}, {4, 42}}));
    Dataset fine = Cifar.read100(f, Cifar.Labels100.FINE, DataType.FLOAT);
    Dataset coarse = Cifar.read100(f, Cifar.Labels100.COARSE, DataType.FLOAT);
    assertEquals(100, fine.classCount());
    assertEquals(20, coarse.classCount());
    assertEquals(1.0, fine.labels().getDouble(0, 99));
    assertEquals(1.0, fine.labels().getDouble(1, 42));
    assertEquals(1.0, coarse.labels().getDouble(0, 19));
    assertEquals(1.0, coarse.labels().getDouble(1, 4));
    // the 2 label bytes are skipped: pixel 0 of record 1 is 1
    assertEquals(1 / 255.0, fine.features().getDouble(1, 0), 1e-7);
  }

  @Test
  void truncatedFileSaysExpectedAndFoundBytes() {
    byte[] full = records(new int[][] {{1}, {2}});
    Path f = IdxTestFiles.write(dir.resolve("data_batch_1.bin"), java.util.Arrays.copyOf(full, full.length - 100));
    DataException e = assertThrows(DataException.class, () -> Cifar.read10(f, DataType.FLOAT));
    assertContains(e, f.toString(), "truncated", "expected a multiple of 3073 bytes", "found 6046 bytes",
        "1 whole records and 2973 bytes over", "expected 6146 bytes for 2 records");
  }

  @Test
  void labelOutOfRangeNamesIndexValueAndClasses() {
    Path f = IdxTestFiles.write(dir.resolve("b.bin"), records(new int[][] {{1}, {12}, {10}}));
    DataException e = assertThrows(DataException.class, () -> Cifar.read10(f, DataType.FLOAT));
    assertContains(e, f.toString(), "label 12 at index 1", "out of range for 10 classes", "2 of 3 labels");
    Path g = IdxTestFiles.write(dir.resolve("c.bin"), records(new int[][] {{20, 5}}));
    assertContains(assertThrows(DataException.class, () -> Cifar.read100(g, Cifar.Labels100.COARSE, DataType.FLOAT)),
        "(coarse labels)", "label 20 at index 0", "for 20 classes");
  }

  @Test
  void missingBatchNamesTheFileAndTheArchive() {
    IdxTestFiles.write(dir.resolve("data_batch_1.bin"), records(new int[][] {{1}}));
    assertContains(assertThrows(DataException.class, () -> Cifar.train10(dir, DataType.FLOAT)),
        "no data_batch_2.bin", Cifar.CIFAR10_DIR);
  }
}
