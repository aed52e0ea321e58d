package dev.bpnet.runtime.data;

import dev.bpnet.runtime.io.Npy;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Examples stored as NumPy arrays: features {@code x} and labels {@code y}, either in one .npz
 * ({@code x}, {@code y}, or Keras's {@code x_train}, {@code y_train}, {@code x_test},
 * {@code y_test}) or as .npy files in a directory ({@code x.npy}/{@code y.npy}, or the same
 * four names).
 *
 * <p>{@code x} is [N, ...]: each example is flattened in C order; [N, H, W] is read as grey
 * images and [N, C, H, W] (or [N, H, W, C] with C = 1 or 3, converted) as colour images;
 * unsigned bytes are scaled to [0, 1] like IDX and CIFAR pixels. {@code y} is [N] (or [N, 1]) of
 * class indices, made one-hot, or [N, k] of values kept as they are (one-hot rows, or
 * regression targets).
 */
public final class NumpyData {

  /** One x/y pair as read: {@code classes} holds class indices, else {@code targets} is set. */
  record Part(String source, String labelSource, INDArray x, ImageShape image, int[] classes,
      INDArray targets) {}

  private NumpyData() {}

  /**
   * Reads the train (and, if present, test) pair of an .npz file; class indices become one-hot
   * over {@code classes} classes, or over as many as the labels imply if {@code classes} is 0.
   */
  public static Loaded readNpz(Path file, int classes, DataType dtype) {
    Map<String, INDArray> a = Npz.read(file);
    String src = file.toString();
    if (a.containsKey("x_train") || a.containsKey("y_train")) {
      Part train = part(src, a, "x_train", "y_train", dtype);
      Part test = a.containsKey("x_test") || a.containsKey("y_test")
          ? part(src, a, "x_test", "y_test", dtype) : null;
      return combine(train, test, classes, file + " (x_train, y_train" + (test == null ? ")" : ", x_test, y_test)"));
    }
    return combine(part(src, a, "x", "y", dtype), null, classes, file + " (x, y)");
  }

  /**
   * Reads {@code x.npy}/{@code y.npy}, or {@code x_train.npy} ... {@code y_test.npy}, in
   * {@code dir}; {@code classes} as for {@link #readNpz}.
   */
  public static Loaded readDirectory(Path dir, int classes, DataType dtype) {
    if (Files.isRegularFile(dir.resolve("x_train.npy"))) {
      Part train = pair(dir.resolve("x_train.npy"), dir.resolve("y_train.npy"), dtype);
      Part test = Files.isRegularFile(dir.resolve("x_test.npy"))
          ? pair(dir.resolve("x_test.npy"), dir.resolve("y_test.npy"), dtype) : null;
      return combine(train, test, classes, dir + " (x_train.npy, y_train.npy" + (test == null ? ")" : ", x_test.npy, y_test.npy)"));
    }
    return combine(pair(dir.resolve("x.npy"), dir.resolve("y.npy"), dtype), null, classes, dir + " (x.npy, y.npy)");
  }

  /** Whether {@code dir} holds .npy features and labels this class reads. */
  public static boolean isNpyDirectory(Path dir) {
    return Files.isRegularFile(dir.resolve("x.npy")) || Files.isRegularFile(dir.resolve("x_train.npy"));
  }

  /** The data set of one features file and one labels file; {@code classes} as for {@link #readNpz}. */
  public static Dataset readPair(Path x, Path y, int classes, DataType dtype) {
    return combine(pair(x, y, dtype), null, classes, x.toString()).train();
  }

  private static Part pair(Path x, Path y, DataType dtype) {
    if (!Files.isRegularFile(y)) {
      throw new DataException(y + ": no such file (the labels of " + x.getFileName() + ")");
    }
    return part(x.toString(), y.toString(), Npy.read(x), Npy.read(y), dtype);
  }

  private static Part part(String file, Map<String, INDArray> a, String xn, String yn, DataType dtype) {
    for (String n : List.of(xn, yn)) {
      if (!a.containsKey(n)) {
        throw new DataException(file + ": no array '" + n + "' (found " + a.keySet()
            + "; expected x and y, or x_train, y_train and optionally x_test, y_test)");
      }
    }
    return part(file + ", array '" + xn + "'", file + ", array '" + yn + "'", a.get(xn), a.get(yn), dtype);
  }

  private static Part part(String xs, String ys, INDArray x, INDArray y, DataType dtype) {
    if (x.rank() < 1 || y.rank() < 1 || x.rank() > 4 || y.rank() > 2) {
      throw new DataException(String.format("%s and %s: shapes %s and %s: expected features "
          + "[N, ...] (rank 1 to 4) and labels [N] or [N, k]", xs, ys, Arrays.toString(x.shape()),
          Arrays.toString(y.shape())));
    }
    long n = x.size(0);
    if (y.size(0) != n) {
      throw new DataException(String.format("%s holds %d examples but %s holds %d labels "
          + "(shapes %s and %s)", xs, n, ys, y.size(0), Arrays.toString(x.shape()),
          Arrays.toString(y.shape())));
    }
    if (n == 0) {
      throw new DataException(xs + ": holds no examples");
    }
    ImageShape image = null;
    if (x.rank() == 3) {
      image = new ImageShape(1, (int) x.size(1), (int) x.size(2));
    } else if (x.rank() == 4) {
      boolean last = (x.size(3) == 1 || x.size(3) == 3) && x.size(1) != 1 && x.size(1) != 3;
      if (last) {
        x = x.permute(0, 3, 1, 2);
      }
      image = new ImageShape((int) x.size(1), (int) x.size(2), (int) x.size(3));
    }
    requireFinite(x, xs, "features", dtype);
    if (y.dataType().isFPType()) {
      requireFinite(y, ys, "labels", dtype);
    }
    INDArray features = (x.dataType() == DataType.UBYTE
        ? x.castTo(DataType.DOUBLE).divi(255.0) : x).castTo(dtype).reshape('c', n, x.length() / n);
    if (!features.dataType().isFPType()) {
      throw new DataException(xs + ": cannot use features of type " + x.dataType());
    }
    if (y.rank() == 2 && y.size(1) > 1) {
      if (!y.dataType().isFPType() && !y.dataType().isIntType()) {
        throw new DataException(ys + ": cannot use labels of type " + y.dataType());
      }
      return new Part(xs, ys, features.dup('c'), image, null, y.castTo(dtype).dup('c'));
    }
    double[] v = y.castTo(DataType.DOUBLE).reshape(n).toDoubleVector();
    int[] classes = new int[(int) n];
    for (int i = 0; i < n; i++) {
      if (!(v[i] >= 0 && v[i] == Math.rint(v[i]) && v[i] <= Integer.MAX_VALUE)) {
        throw new DataException(String.format("%s: label %s at index %d is not a class index "
            + "(a whole number from 0); regression targets go in a [N, k] array", ys,
            v[i] == Math.rint(v[i]) ? String.valueOf((long) v[i]) : String.valueOf(v[i]), i));
      }
      classes[i] = (int) v[i];
    }
    return new Part(xs, ys, features.dup('c'), image, classes, null);
  }

  /**
   * Refuses NaN and infinity (and values the training dtype cannot hold) before training, as
   * {@link Csv} refuses such cells: a step would otherwise stop on them with a fault in the loss.
   * Names the array and the first index. One reduction when all is well; the element scan only
   * when it is not.
   */
  static void requireFinite(INDArray a, String what, String role, DataType dtype) {
    if (!a.dataType().isFPType() || a.length() == 0) {
      return;
    }
    INDArray cast = a.dataType() == dtype || !dtype.isFPType() ? a : a.castTo(dtype);
    if (Double.isFinite(cast.sumNumber().doubleValue())) {
      return;
    }
    // the long[] form: reshape('c', n) would be read as reshape(rows = 'c', columns = n)
    INDArray flat = a.reshape('c', new long[] {a.length()});
    INDArray flatCast = cast.reshape('c', new long[] {cast.length()});
    for (long i = 0; i < flat.length(); i++) {
      double v = flat.getDouble(i);
      if (!Double.isFinite(v)) {
        throw new DataException(String.format("%s: %s value %s at index %s: the data must be finite numbers",
            what, role, Double.isNaN(v) ? "NaN" : v > 0 ? "+inf" : "-inf", index(a.shape(), i)));
      }
      if (!Double.isFinite(flatCast.getDouble(i))) {
        throw new DataException(String.format("%s: %s value %s at index %s is too large for %s",
            what, role, v, index(a.shape(), i), dtype.name().toLowerCase(java.util.Locale.ROOT)));
      }
    }
  }

  private static String index(long[] shape, long i) {
    return dev.bpnet.runtime.io.Finite.index(shape, i);
  }

  /** Both parts as data sets, one-hot over {@code classes}, or those the labels imply if 0. */
  private static Loaded combine(Part train, Part test, int classes, String description) {
    if (test != null && train.x().columns() != test.x().columns()) {
      throw new DataException(String.format("%s has %d features per example but %s has %d",
          train.source(), train.x().columns(), test.source(), test.x().columns()));
    }
    if (test != null && (train.classes() == null) != (test.classes() == null)) {
      throw new DataException(train.source() + " and " + test.source()
          + ": one has class indices [N], the other [N, k] targets");
    }
    int k = train.classes() == null ? 0 : classes > 0 ? classes : test == null
        ? dev.bpnet.runtime.data.Labels.implied(train.classes())
        : dev.bpnet.runtime.data.Labels.implied(train.classes(), test.classes());
    Dataset tr = dataset(train, k);
    Dataset te = test == null ? null : dataset(test, k);
    boolean regression = train.classes() == null && !oneHot(tr.labels());
    return new Loaded(tr, te, train.image(), regression, description);
  }

  private static Dataset dataset(Part p, int classes) {
    INDArray y = p.classes() != null
        ? dev.bpnet.runtime.data.Labels.oneHot(p.classes(), classes, p.labelSource(), p.x().dataType())
        : p.targets().castTo(p.x().dataType());
    return Dataset.of(p.x(), y);
  }

  /** Whether every row is all zeros but for a single one. */
  private static boolean oneHot(INDArray y) {
    INDArray ones = y.eq(1.0).castTo(DataType.INT).sum(1);
    INDArray zeros = y.eq(0.0).castTo(DataType.INT).sum(1);
    return ones.eq(1).all() && zeros.eq(y.columns() - 1).all();
  }
}
