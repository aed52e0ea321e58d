package dev.bpnet.runtime.data;

/**
 * The content of an IDX label file (magic 2049): one class index per example, already checked
 * to lie in {@code 0..classes-1}.
 *
 * @param source where the data came from (file path or resource name), for error messages
 * @param classes the number of classes the labels were checked against
 * @param values one class index per example, each in {@code 0..classes-1}; do not modify
 */
public record IdxLabels(String source, int classes, int[] values) {

  /** Checks the arguments; the range of each value is checked by {@link IdxReader}. */
  public IdxLabels {
    if (source == null || values == null) {
      throw new IllegalArgumentException("source and values must not be null");
    }
    if (classes < 1) {
      throw new IllegalArgumentException(source + ": number of classes must be >= 1: " + classes);
    }
  }

  /** Number of labels. */
  public int count() {
    return values.length;
  }
}
