package dev.bpnet.runtime.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A labelled data set as two row-aligned matrices: {@code features} [N, d] and {@code labels}
 * [N, k], both of the same floating-point type. For classification the labels are one-hot over
 * k classes; for regression (see {@link Synthetic}) they are k real-valued targets.
 *
 * <p>The arrays are held as given, not copied, so that a 10,000 x 784 matrix is not duplicated
 * just to be wrapped. Treat them as read-only: everything in this package does, and batches are
 * gathered into fresh arrays, so a data set can be shared freely between trainers and threads.
 */
public record Dataset(INDArray features, INDArray labels) {

  /** Checks that both arrays are floating-point matrices of the same type with the same rows. */
  public Dataset {
    if (features == null || labels == null) {
      throw new IllegalArgumentException("features and labels must not be null");
    }
    if (features.rank() != 2 || labels.rank() != 2) {
      throw new IllegalArgumentException(String.format(
          "features and labels must be matrices [N, d] and [N, k], got %s and %s",
          shape(features), shape(labels)));
    }
    if (features.rows() != labels.rows()) {
      throw new IllegalArgumentException(String.format(
          "features and labels must have the same number of rows, got %s and %s",
          shape(features), shape(labels)));
    }
    if (features.rows() < 1) {
      throw new IllegalArgumentException("a data set needs at least one example");
    }
    if (!features.dataType().isFPType() || features.dataType() != labels.dataType()) {
      throw new IllegalArgumentException(String.format(
          "features and labels must share one floating-point type, got %s and %s",
          features.dataType(), labels.dataType()));
    }
  }

  /** The two parts of a {@link #split(int)}: the first examples and the rest. */
  public record Split(Dataset first, Dataset rest) {}

  /** A data set of the given arrays, validated as described at {@link Dataset}. */
  public static Dataset of(INDArray features, INDArray labels) {
    return new Dataset(features, labels);
  }

  /** Number of examples (rows). */
  public int size() {
    return features.rows();
  }

  /** Number of features per example (columns of {@code features}). */
  public int featureCount() {
    return features.columns();
  }

  /** Number of classes, or of targets for regression (columns of {@code labels}). */
  public int classCount() {
    return labels.columns();
  }

  /**
   * Splits into the first {@code firstCount} examples and the rest, in order (for example
   * training and validation sets). Both parts are copies, independent of this data set.
   *
   * @throws IllegalArgumentException unless {@code 0 < firstCount < size()}
   */
  public Split split(int firstCount) {
    int n = size();
    if (firstCount <= 0 || firstCount >= n) {
      throw new IllegalArgumentException(
          "split point must leave both parts non-empty: 0 < " + firstCount + " < " + n);
    }
    return new Split(rows(0, firstCount), rows(firstCount, n));
  }

  private Dataset rows(int from, int to) {
    return new Dataset(
        features.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c'),
        labels.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c'));
  }

  private static String shape(INDArray a) {
    return java.util.Arrays.toString(a.shape());
  }
}
