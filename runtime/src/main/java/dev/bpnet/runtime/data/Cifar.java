package dev.bpnet.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CIFAR-10 and CIFAR-100 in their binary format (the "binary version" archives of
 * https://www.cs.toronto.edu/~kriz/cifar.html): fixed-size records of label bytes followed by a
 * 32 x 32 colour image as 1024 red, 1024 green and 1024 blue bytes, row-major.
 *
 * <p>CIFAR-10 records have one label byte (10 classes); CIFAR-100 records have two, the coarse
 * label (20 superclasses) then the fine one (100 classes). The format has no header, so a file is
 * checked by its length (a whole number of records) and by its labels; files may be gzipped.
 * Features are the 3072 bytes of a record scaled to [0, 1], in the stored order, which is the
 * C-order flattening of [3, 32, 32] ({@link #IMAGE}).
 */
public final class Cifar {

  /** The geometry of a CIFAR image. */
  public static final ImageShape IMAGE = new ImageShape(3, 32, 32);

  /** Directory name of the extracted CIFAR-10 binary archive. */
  public static final String CIFAR10_DIR = "cifar-10-batches-bin";

  /** Directory name of the extracted CIFAR-100 binary archive. */
  public static final String CIFAR100_DIR = "cifar-100-binary";

  /** Which of a CIFAR-100 record's two labels to train on. */
  public enum Labels100 {
    /** The 100 fine classes (the second label byte); the usual choice. */
    FINE,
    /** The 20 coarse superclasses (the first label byte). */
    COARSE
  }

  private Cifar() {}

  /** A CIFAR-10 batch file: 1 label byte (0..9) and 3072 pixel bytes per record. */
  public static Dataset read10(Path file, DataType dtype) {
    return read(file, 1, 0, 10, dtype);
  }

  /** A CIFAR-100 file: coarse (0..19) and fine (0..99) label bytes, then 3072 pixel bytes. */
  public static Dataset read100(Path file, Labels100 labels, DataType dtype) {
    return labels == Labels100.FINE ? read(file, 2, 1, 100, dtype) : read(file, 2, 0, 20, dtype);
  }

  /** The CIFAR-10 training set: {@code data_batch_1.bin} .. {@code data_batch_5.bin} in {@code dir}. */
  public static Dataset train10(Path dir, DataType dtype) {
    List<Dataset> parts = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      parts.add(read10(require(dir, "data_batch_" + i + ".bin", CIFAR10_DIR), dtype));
    }
    return concat(parts);
  }

  /** The CIFAR-10 test set: {@code test_batch.bin} in {@code dir}. */
  public static Dataset test10(Path dir, DataType dtype) {
    return read10(require(dir, "test_batch.bin", CIFAR10_DIR), dtype);
  }

  /** The CIFAR-100 training set: {@code train.bin} in {@code dir}. */
  public static Dataset train100(Path dir, Labels100 labels, DataType dtype) {
    return read100(require(dir, "train.bin", CIFAR100_DIR), labels, dtype);
  }

  /** The CIFAR-100 test set: {@code test.bin} in {@code dir}. */
  public static Dataset test100(Path dir, Labels100 labels, DataType dtype) {
    return read100(require(dir, "test.bin", CIFAR100_DIR), labels, dtype);
  }

  /** Whether {@code dir} looks like an extracted CIFAR-10 binary archive. */
  public static boolean isCifar10(Path dir) {
    return Files.isRegularFile(dir.resolve("data_batch_1.bin"))
        || Files.isRegularFile(dir.resolve("data_batch_1.bin.gz"));
  }

  /** Whether {@code dir} looks like an extracted CIFAR-100 binary archive. */
  public static boolean isCifar100(Path dir) {
    return Files.isRegularFile(dir.resolve("train.bin"))
        || Files.isRegularFile(dir.resolve("train.bin.gz"));
  }

  private static Dataset read(Path file, int labelBytes, int labelIndex, int classes,
      DataType dtype) {
    int record = labelBytes + IMAGE.size();
    byte[] bytes = readAll(file);
    String layout = String.format("records of %d label byte%s + %d pixel bytes",
        labelBytes, labelBytes == 1 ? "" : "s", IMAGE.size());
    if (bytes.length == 0) {
      throw new DataException(file + ": empty file: expected " + layout);
    }
    if (bytes.length % record != 0) {
      int n = bytes.length / record;
      throw new DataException(String.format(
          "%s: truncated or not a CIFAR-%d file: expected a multiple of %d bytes (%s), "
              + "found %d bytes: %d whole records and %d bytes over (expected %d bytes for %d "
              + "records)", file, classes == 10 ? 10 : 100, record, layout, bytes.length, n,
          bytes.length - n * record, (long) (n + 1) * record, n + 1));
    }
    int n = bytes.length / record;
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = bytes[i * record + labelIndex] & 0xFF;
    }
    String source = file + (labelBytes == 2 ? (labelIndex == 0 ? " (coarse labels)" : " (fine labels)") : "");
    INDArray y = dev.bpnet.runtime.data.Labels.oneHot(values, classes, source, dtype);
    INDArray x = Features.fromUnsignedBytes(bytes, n, IMAGE.size(), labelBytes, record, dtype);
    return Dataset.of(x, y);
  }

  private static byte[] readAll(Path file) {
    try (InputStream raw = Files.newInputStream(file); IdxInput in = IdxInput.open(raw, file.toString())) {
      return in.readAll();
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  private static Path require(Path dir, String name, String archiveDir) {
    for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new DataException(dir + ": no " + name + " (expected the files of the extracted "
        + archiveDir + " archive)");
  }

  /** The rows of all parts, in order, in one data set. */
  static Dataset concat(List<Dataset> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    INDArray[] xs = parts.stream().map(Dataset::features).toArray(INDArray[]::new);
    INDArray[] ys = parts.stream().map(Dataset::labels).toArray(INDArray[]::new);
    return Dataset.of(org.nd4j.linalg.factory.Nd4j.concat(0, xs),
        org.nd4j.linalg.factory.Nd4j.concat(0, ys));
  }
}
