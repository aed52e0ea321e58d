package dev.bpnet.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MNIST-style data sets (28 x 28 grey images, 10 classes) as {@link Dataset}s: pixels scaled to
 * [0, 1], one row per image, labels one-hot.
 *
 * <p>A 10,000-image subset of MNIST ships inside this jar so that examples and tests run without
 * a download; it is shuffled so that any prefix is close to class-balanced. Full data sets in the
 * same format (MNIST, Fashion-MNIST) are loaded from a directory.
 */
public final class Mnist {

  /** Number of classes (digits 0-9). */
  public static final int CLASSES = 10;

  /** Classpath location of the embedded subset's images. */
  public static final String BUNDLED_IMAGES =
      "/dev/bpnet/runtime/data/mnist-10k/images-idx3-ubyte.gz";

  /** Classpath location of the embedded subset's labels. */
  public static final String BUNDLED_LABELS =
      "/dev/bpnet/runtime/data/mnist-10k/labels-idx1-ubyte.gz";

  private Mnist() {}

  /** The embedded 10,000-image subset: features [10000, 784] in [0, 1], labels [10000, 10]. */
  public static Dataset bundled(DataType dtype) {
    try (InputStream images = resource(BUNDLED_IMAGES);
        InputStream labels = resource(BUNDLED_LABELS)) {
      return toDataset(
          IdxReader.readImages(images, "classpath:" + BUNDLED_IMAGES),
          IdxReader.readLabels(labels, "classpath:" + BUNDLED_LABELS, CLASSES),
          dtype);
    } catch (IOException e) {
      throw new DataException("classpath:" + BUNDLED_IMAGES + ": cannot close: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /**
   * The training set in {@code dir}: {@code train-images-idx3-ubyte} and
   * {@code train-labels-idx1-ubyte}, or failing those the bundled names
   * {@code images-idx3-ubyte} and {@code labels-idx1-ubyte}; each raw or with {@code .gz}.
   */
  public static Dataset fromDirectory(Path dir, DataType dtype) {
    return fromDirectory(dir, CLASSES, dtype);
  }

  /**
   * As {@link #fromDirectory(Path, DataType)}, labels one-hot over {@code classes} (a model's
   * label width): a label outside 0..classes-1 is an error naming its index.
   */
  public static Dataset fromDirectory(Path dir, int classes, DataType dtype) {
    return load(dir, List.of("train-", ""), classes, dtype);
  }

  /**
   * The test set in {@code dir}: {@code t10k-images-idx3-ubyte} and
   * {@code t10k-labels-idx1-ubyte}, each raw or with {@code .gz}.
   */
  public static Dataset testFromDirectory(Path dir, DataType dtype) {
    return testFromDirectory(dir, CLASSES, dtype);
  }

  /** As {@link #testFromDirectory(Path, DataType)}, labels one-hot over {@code classes}. */
  public static Dataset testFromDirectory(Path dir, int classes, DataType dtype) {
    return load(dir, List.of("t10k-"), classes, dtype);
  }

  /** A data set from an image file and a label file, checking that their counts agree. */
  public static Dataset fromFiles(Path images, Path labels, DataType dtype) {
    return fromFiles(images, labels, CLASSES, dtype);
  }

  /** As above, labels one-hot over {@code classes}. */
  public static Dataset fromFiles(Path images, Path labels, int classes, DataType dtype) {
    return toDataset(IdxReader.readImages(images), IdxReader.readLabels(labels, classes), dtype);
  }

  /**
   * Converts read IDX data into a {@link Dataset} of the given floating-point type: pixels
   * divided by 255 and flattened row-major, labels one-hot over {@code labels.classes()}.
   *
   * @throws DataException if the two files hold different numbers of examples, or none
   */
  public static Dataset toDataset(IdxImages images, IdxLabels labels, DataType dtype) {
    if (!dtype.isFPType()) {
      throw new IllegalArgumentException("data type must be floating-point: " + dtype);
    }
    if (images.count() != labels.count()) {
      throw new DataException(String.format(
          "label count does not match image count: %s holds %d labels, %s holds %d images",
          labels.source(), labels.count(), images.source(), images.count()));
    }
    int n = images.count();
    if (n == 0) {
      throw new DataException(images.source() + ": holds no images");
    }
    int d = images.pixelsPerImage();
    int k = labels.classes();
    byte[] pixels = images.pixels();
    long[] shape = {n, d};
    INDArray features;
    if (dtype == DataType.DOUBLE) {
      double[] x = new double[pixels.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (pixels[i] & 0xFF) / 255.0;
      }
      features = Nd4j.create(x, shape, 'c');
    } else {
      float[] x = new float[pixels.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (pixels[i] & 0xFF) / 255f;
      }
      features = Nd4j.create(x, shape, 'c').castTo(dtype);
    }
    float[] y = new float[n * k];
    int[] values = labels.values();
    for (int i = 0; i < n; i++) {
      y[i * k + values[i]] = 1f;
    }
    return Dataset.of(features, Nd4j.create(y, new long[] {n, k}, 'c').castTo(dtype));
  }

  private static Dataset load(Path dir, List<String> prefixes, int classes, DataType dtype) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir + ": not a directory");
    }
    for (String prefix : prefixes) {
      Path images = find(dir, prefix + "images-idx3-ubyte");
      Path labels = find(dir, prefix + "labels-idx1-ubyte");
      if (images != null && labels != null) {
        return fromFiles(images, labels, classes, dtype);
      }
      if (images != null || labels != null) {
        throw new DataException(String.format("%s: found %s but not its %s file (%s[.gz])", dir,
            images != null ? images.getFileName() : labels.getFileName(),
            images != null ? "label" : "image",
            prefix + (images != null ? "labels-idx1-ubyte" : "images-idx3-ubyte")));
      }
    }
    StringBuilder names = new StringBuilder();
    for (String prefix : prefixes) {
      names.append(names.length() == 0 ? "" : ", or ")
          .append(prefix).append("images-idx3-ubyte[.gz] and ")
          .append(prefix).append("labels-idx1-ubyte[.gz]");
    }
    throw new DataException(dir + ": no MNIST files found: expected " + names);
  }

  private static Path find(Path dir, String name) {
    for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  private static InputStream resource(String name) {
    InputStream in = Mnist.class.getResourceAsStream(name);
    if (in == null) {
      throw new DataException(
          "classpath:" + name + ": resource not found (is the bpnet-runtime jar complete?)");
    }
    return in;
  }
}
