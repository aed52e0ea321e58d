package dev.bpnet.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fashion-MNIST (Zalando's 28 x 28 grey images of clothing, 10 classes, 60,000 train and 10,000
 * test) where Debian's {@code dataset-fashion-mnist} package installs it: IDX files, gzipped,
 * in {@value #PACKAGE_DIR}.
 */
public final class FashionMnist {

  /** Where the Debian package puts the four IDX files. */
  public static final String PACKAGE_DIR = "/usr/share/datasets/fashion-mnist";

  /** The command that installs it. */
  public static final String INSTALL = "apt-get install dataset-fashion-mnist";

  /** The files the package holds, each raw or gzipped. */
  static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  private FashionMnist() {}

  /** The installed data set's directory, under the file-system root. */
  public static Path locate() {
    return locate(Path.of("/"));
  }

  /**
   * The data set's directory under {@code root} ({@code root} + {@value #PACKAGE_DIR}), checking
   * that all four files are there.
   *
   * @throws DataException saying how to install the package if they are not
   */
  public static Path locate(Path root) {
    Path dir = root.resolve(PACKAGE_DIR.substring(1));
    List<String> missing = FILES.stream()
        .filter(f -> !Files.isRegularFile(dir.resolve(f + ".gz")) && !Files.isRegularFile(dir.resolve(f)))
        .toList();
    if (missing.size() == FILES.size()) {
      throw new DataException("Fashion-MNIST is not installed: " + dir + " does not hold its "
          + "files; install it with: " + INSTALL + " (or give the directory of its IDX files as "
          + "the data)");
    }
    if (!missing.isEmpty()) {
      throw new DataException(dir + ": Fashion-MNIST is incomplete: missing "
          + String.join(", ", missing) + "[.gz]; reinstall it with: apt-get install --reinstall "
          + "dataset-fashion-mnist");
    }
    return dir;
  }

  /** The 60,000 training images of the installed data set, pixels in [0, 1]. */
  public static Dataset train(Path dir, DataType dtype) {
    return Mnist.fromDirectory(dir, dtype);
  }

  /** The 10,000 test images. */
  public static Dataset test(Path dir, DataType dtype) {
    return Mnist.testFromDirectory(dir, dtype);
  }
}
