package dev.bpnet.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads a data set from a path, recognising its format by what is there rather than by what it
 * is called: a directory of IDX files (MNIST, Fashion-MNIST), an extracted CIFAR-10 or CIFAR-100
 * binary archive, a directory of .npy files ({@link NumpyData}), an .npz archive (by its zip
 * magic), or a CSV file (text).
 */
public final class DataFiles {

  /**
   * How to read what is found.
   *
   * @param csv the label columns and header of a CSV file
   * @param labels100 which labels of CIFAR-100 to use
   * @param classes the number of classes class indices range over (the model's label width), or
   *     0 to take as many as the labels imply (IDX files: MNIST's ten); a label outside it is an
   *     error
   */
  public record Options(Csv.Options csv, Cifar.Labels100 labels100, int classes) {
    /** CSV labels in the first column, header detected; fine CIFAR-100 labels; classes implied. */
    public static final Options DEFAULT = new Options(Csv.Options.DEFAULT, Cifar.Labels100.FINE, 0);

    /** Checks the arguments. */
    public Options {
      if (csv == null || labels100 == null || classes < 0) {
        throw new IllegalArgumentException("csv and labels100 must be given, classes >= 0");
      }
    }
  }

  private DataFiles() {}

  /** The data at {@code path}, read as described at {@link DataFiles}. */
  public static Loaded load(Path path, Options options, DataType dtype) {
    if (Files.isDirectory(path)) {
      return directory(path, options, dtype);
    }
    if (!Files.isRegularFile(path)) {
      // a device (/dev/null), a pipe or a socket exists: say what it is, not that it is missing
      throw new DataException(path + (Files.exists(path) ? ": not a regular file or directory (a device, "
          + "pipe or socket); data must be a file or a directory of files" : ": no such file or directory"));
    }
    byte[] start = start(path);
    String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (start.length >= 2 && start[0] == 'P' && start[1] == 'K') {
      return NumpyData.readNpz(path, options.classes(), dtype);
    }
    if (start.length >= 6 && (start[0] & 0xFF) == 0x93 && start[1] == 'N') {
      throw new DataException(path + ": a single .npy file holds no labels: give an .npz with "
          + "arrays x and y, or a directory with x.npy and y.npy");
    }
    boolean gzip = start.length >= 2 && (start[0] & 0xFF) == 0x1f && (start[1] & 0xFF) == 0x8b;
    boolean idx = start.length >= 4 && start[0] == 0 && start[1] == 0 && start[2] == 8;
    if (gzip || idx || name.endsWith(".bin")) {
      throw new DataException(path + ": an IDX or CIFAR file alone is not a data set: give the "
          + "directory that holds it with its companion files (IDX images and labels, or the "
          + "CIFAR batches)");
    }
    if (isText(start)) {
      Csv.Table t = Csv.table(path, options.csv());
      if (t.regression()) {
        if (options.classes() > 0 && t.targetCount() != options.classes()) {
          throw new DataException(String.format("%s: %s chooses %d target %s (%s) but the model's label is [%d]: "
              + "a label [k] takes k target columns", path, options.csv().labels().written(), t.targetCount(),
              t.targetCount() == 1 ? "column" : "columns", t.labelNames(), options.classes()));
        }
        return new Loaded(t.toDataset(0, dtype), null, null, true,
            path + " (CSV, regression targets in " + t.labelNames() + ")");
      }
      int k = options.classes() > 0 ? options.classes() : t.impliedClasses();
      return new Loaded(t.toDataset(k, dtype), null, null, false, path + " (CSV)");
    }
    throw new DataException(path + ": unknown format: expected an .npz archive, a CSV file, or a "
        + "directory of IDX, CIFAR or .npy files; found " + hex(start));
  }

  private static Loaded directory(Path dir, Options o, DataType dtype) {
    if (hasAny(dir, "train-images-idx3-ubyte", "images-idx3-ubyte")) {
      // classes as for every other format: the model's label width, else MNIST's ten
      int k = o.classes() > 0 ? o.classes() : Mnist.CLASSES;
      Dataset train = Mnist.fromDirectory(dir, k, dtype);
      Dataset test = hasAny(dir, "t10k-images-idx3-ubyte") ? Mnist.testFromDirectory(dir, k, dtype) : null;
      // IDX images are square in practice (MNIST, Fashion-MNIST, EMNIST)
      int side = (int) Math.round(Math.sqrt(train.featureCount()));
      ImageShape image = side * side == train.featureCount() ? new ImageShape(1, side, side) : null;
      return new Loaded(train, test, image, false, dir + (test == null ? " (IDX files)" : " (IDX train and t10k files)"));
    }
    if (Cifar.isCifar10(dir)) {
      return new Loaded(Cifar.train10(dir, dtype), Cifar.test10(dir, dtype), Cifar.IMAGE, false,
          dir + " (CIFAR-10)");
    }
    if (Cifar.isCifar100(dir)) {
      return new Loaded(Cifar.train100(dir, o.labels100(), dtype),
          Cifar.test100(dir, o.labels100(), dtype), Cifar.IMAGE, false,
          dir + " (CIFAR-100, " + o.labels100().name().toLowerCase(java.util.Locale.ROOT) + " labels)");
    }
    if (NumpyData.isNpyDirectory(dir)) {
      return NumpyData.readDirectory(dir, o.classes(), dtype);
    }
    throw new DataException(dir + ": no data files found: expected IDX files (train-images-idx3-ubyte"
        + "[.gz] and train-labels-idx1-ubyte[.gz]), CIFAR-10 (data_batch_1.bin ...), CIFAR-100 "
        + "(train.bin, test.bin), or x.npy and y.npy");
  }

  /** Whether {@code dir} has any of the IDX files {@code names}, raw or gzipped. */
  private static boolean hasAny(Path dir, String... names) {
    for (String n : names) {
      if (Files.isRegularFile(dir.resolve(n)) || Files.isRegularFile(dir.resolve(n + ".gz"))) {
        return true;
      }
    }
    return false;
  }

  private static byte[] start(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(512);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /** Whether the first bytes look like text: no NUL and few control characters. */
  private static boolean isText(byte[] start) {
    for (byte b : start) {
      if (b == 0 || (b > 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t')) {
        return false;
      }
    }
    return start.length > 0;
  }

  private static String hex(byte[] start) {
    StringBuilder s = new StringBuilder("bytes");
    for (int i = 0; i < Math.min(8, start.length); i++) {
      s.append(String.format(" %02x", start[i] & 0xFF));
    }
    return start.length == 0 ? "an empty file" : s.toString();
  }
}
