package dev.bpnet.runtime.data;

/**
 * Data read from files: a training set, the test set if the files have one, the geometry of the
 * examples if they are images, and whether the labels are regression targets.
 *
 * @param test null when the files hold no separate test set (see {@link Splits})
 * @param image null unless the examples are images (needed by per-channel normalisation and
 *     crop augmentation)
 * @param regression the labels are real-valued targets rather than one-hot classes
 * @param description where the data came from, for messages
 */
public record Loaded(Dataset train, Dataset test, ImageShape image, boolean regression,
    String description) {

  /** Checks that there is a training set, and that a test set has its number of features. */
  public Loaded {
    if (train == null || description == null) {
      throw new IllegalArgumentException("train and description must not be null");
    }
    if (test != null && test.featureCount() != train.featureCount()) {
      throw new DataException(String.format("%s: the test set has %d features per example but "
          + "the training set has %d", description, test.featureCount(), train.featureCount()));
    }
    if (image != null && image.size() != train.featureCount()) {
      throw new IllegalArgumentException(description + ": images of " + image + " do not make "
          + train.featureCount() + " features");
    }
  }
}
