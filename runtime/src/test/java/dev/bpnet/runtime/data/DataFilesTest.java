package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Formats recognised by content, and Fashion-MNIST's package path. */
class DataFilesTest {

  @TempDir
  Path dir;

  @Test
  void idxDirectoryRawAndGzipWithTestFiles() throws IOException {
    IdxTestFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.images(3, 4, 4)));
    IdxTestFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxTestFiles.labels(1, 2, 3));
    Loaded l = DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT);
    assertNull(l.test());
    assertEquals(new ImageShape(1, 4, 4), l.image());
    IdxTestFiles.write(dir.resolve("t10k-images-idx3-ubyte"), IdxTestFiles.images(2, 4, 4));
    IdxTestFiles.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.labels(0, 9)));
    Loaded both = DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT);
    assertEquals(2, both.test().size());
    assertEquals(1.0, both.test().labels().getDouble(1, 9));
  }

  /** IDX labels range over the model's label width, as CSV and .npz labels do; ten without one. */
  @Test
  void idxClassesAreTheModelsLabelWidth() {
    IdxTestFiles.write(dir.resolve("train-images-idx3-ubyte"), IdxTestFiles.images(4, 2, 2));
    IdxTestFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxTestFiles.labels(0, 2, 1, 2));
    DataFiles.Options three = new DataFiles.Options(DataFiles.Options.DEFAULT.csv(), DataFiles.Options.DEFAULT.labels100(), 3);
    Loaded l = DataFiles.load(dir, three, DataType.FLOAT);
    assertEquals(3, l.train().labels().columns());
    assertEquals(1.0, l.train().labels().getDouble(1, 2));
    assertEquals(10, DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT).train().labels().columns());
    DataFiles.Options two = new DataFiles.Options(DataFiles.Options.DEFAULT.csv(), DataFiles.Options.DEFAULT.labels100(), 2);
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(dir, two, DataType.FLOAT)),
        "train-labels-idx1-ubyte", "label 2 at index 1 is out of range for 2 classes");
  }

  /** A device or a pipe exists: the message says what it is, not that it is missing. */
  @Test
  void aPathThatIsNeitherFileNorDirectorySaysSo() throws Exception {
    Path devNull = Path.of("/dev/null");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devNull));
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(devNull, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "/dev/null: not a regular file or directory (a device, pipe or socket)");
    Path fifo = dir.resolve("fifo.csv");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0);
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(fifo, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "fifo.csv: not a regular file or directory");
  }

  @Test
  void wrongMagicInADirectoryNamesTheFile() {
    IdxTestFiles.write(dir.resolve("train-images-idx3-ubyte"), IdxTestFiles.labels(1, 2));
    IdxTestFiles.write(dir.resolve("train-labels-idx1-ubyte"), IdxTestFiles.labels(1, 2));
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "train-images-idx3-ubyte: wrong magic number 2049", "expected 2051", "this is an IDX label file");
  }

  @Test
  void cifarDirectoriesAreRecognised() {
    for (int i = 1; i <= 5; i++) {
      IdxTestFiles.write(dir.resolve("data_batch_" + i + ".bin"), CifarTest.records(new int[][] {{i}}));
    }
    IdxTestFiles.write(dir.resolve("test_batch.bin"), CifarTest.records(new int[][] {{0}}));
    Loaded l = DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT);
    assertEquals(Cifar.IMAGE, l.image());
    assertEquals(5, l.train().size());
    Path c100 = dir.resolve("c100");
    IdxTestFiles.write(mkdir(c100).resolve("train.bin"), CifarTest.records(new int[][] {{1, 50}}));
    IdxTestFiles.write(c100.resolve("test.bin"), CifarTest.records(new int[][] {{2, 60}}));
    Loaded coarse = DataFiles.load(c100, new DataFiles.Options(Csv.Options.DEFAULT, Cifar.Labels100.COARSE, 0), DataType.FLOAT);
    assertEquals(20, coarse.train().classCount());
  }

  @Test
  void csvNpzAndNpyDirectoriesAreRecognisedByContent() throws IOException {
    Path csv = Files.writeString(dir.resolve("data.txt"), "y,a\n1,0.5\n0,0.25\n");
    Loaded l = DataFiles.load(csv, DataFiles.Options.DEFAULT, DataType.FLOAT);
    assertEquals(2, l.train().size());
    Path npz = dir.resolve("plain-name");
    dev.bpnet.runtime.io.Npz.write(npz, java.util.Map.of("x", Nd4j.zeros(DataType.FLOAT, 2, 3), "y", Nd4j.createFromArray(0, 1)));
    assertEquals(3, DataFiles.load(npz, DataFiles.Options.DEFAULT, DataType.FLOAT).train().featureCount());
    Path npy = mkdir(dir.resolve("npy"));
    Npy.write(npy.resolve("x.npy"), Nd4j.zeros(DataType.FLOAT, 2, 3));
    Npy.write(npy.resolve("y.npy"), Nd4j.createFromArray(0, 1));
    assertNotNull(DataFiles.load(npy, DataFiles.Options.DEFAULT, DataType.FLOAT).train());
  }

  @Test
  void unusableFilesSayWhatIsExpected() throws IOException {
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(dir.resolve("nope"), DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "nope: no such file or directory");
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(dir, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "no data files found", "train-images-idx3-ubyte", "data_batch_1.bin", "x.npy");
    Path idx = IdxTestFiles.write(dir.resolve("images"), IdxTestFiles.images(1, 2, 2));
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(idx, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "an IDX or CIFAR file alone is not a data set");
    Path npy = dir.resolve("x.npy");
    Npy.write(npy, Nd4j.zeros(2, 2));
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(npy, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "a single .npy file holds no labels");
    Path bin = Files.write(dir.resolve("blob"), new byte[] {1, 2, 3, 0, 5});
    assertContains(assertThrows(DataException.class, () -> DataFiles.load(bin, DataFiles.Options.DEFAULT, DataType.FLOAT)),
        "unknown format", "bytes 01 02 03 00 05");
  }

  @Test
  void fashionMnistIsFoundWhereThePackagePutsIt() {
    Path pkg = mkdir(dir.resolve("usr/share/datasets/fashion-mnist"));
    IdxTestFiles.write(pkg.resolve("train-images-idx3-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.images(2, 28, 28)));
    IdxTestFiles.write(pkg.resolve("train-labels-idx1-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.labels(9, 0)));
    IdxTestFiles.write(pkg.resolve("t10k-images-idx3-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.images(1, 28, 28)));
    IdxTestFiles.write(pkg.resolve("t10k-labels-idx1-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.labels(3)));
    Path found = FashionMnist.locate(dir);
    assertEquals(pkg, found);
    assertEquals(2, FashionMnist.train(found, DataType.FLOAT).size());
    assertEquals(1.0, FashionMnist.test(found, DataType.FLOAT).labels().getDouble(0, 3));
  }

  @Test
  void fashionMnistNotInstalledNamesTheInstallCommand() throws IOException {
    assertContains(assertThrows(DataException.class, () -> FashionMnist.locate(dir)),
        "Fashion-MNIST is not installed", "apt-get install dataset-fashion-mnist");
    Path pkg = mkdir(dir.resolve("usr/share/datasets/fashion-mnist"));
    IdxTestFiles.write(pkg.resolve("train-images-idx3-ubyte.gz"), IdxTestFiles.gzip(IdxTestFiles.images(1, 28, 28)));
    assertContains(assertThrows(DataException.class, () -> FashionMnist.locate(dir)),
        "incomplete: missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte[.gz]");
  }

  private static Path mkdir(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
