package dev.bpnet.runtime.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Standardisation of features, {@code (x - mean) / std}, with statistics computed on a training
 * set only and then applied unchanged to validation and test sets (which must not inform the
 * model in any way).
 *
 * @param mean [1, d]: the mean of each feature
 * @param std [1, d]: the population standard deviation of each feature; 1 where it is 0, so that a
 *     constant feature becomes 0 rather than NaN
 */
public record Normalization(INDArray mean, INDArray std) {

  /** What the statistics are taken over. */
  public enum Mode {
    /** No normalisation. */
    NONE,
    /** One mean and deviation per feature (column). */
    FEATURE,
    /** One per image channel, over all its pixels (needs the examples' {@link ImageShape}). */
    CHANNEL
  }

  /**
   * The statistics of {@code train} for {@code mode} ({@code image} may be null except for
   * {@link Mode#CHANNEL}); null for {@link Mode#NONE}.
   */
  public static Normalization fit(Dataset train, Mode mode, ImageShape image) {
    INDArray x = train.features();
    return switch (mode) {
      case NONE -> null;
      case FEATURE -> new Normalization(x.mean(0).reshape(1, x.columns()),
          nonZero(x.std(false, 0).reshape(1, x.columns())));
      case CHANNEL -> {
        if (image == null || image.size() != x.columns()) {
          throw new IllegalArgumentException("per-channel normalisation needs images; these "
              + "examples are " + x.columns() + " plain features" + (image == null ? "" : ", not " + image));
        }
        INDArray planes = x.reshape('c', x.rows(), image.channels(), image.plane());
        INDArray mean = planes.mean(0, 2);
        INDArray std = nonZero(planes.std(false, 0, 2));
        yield new Normalization(perFeature(mean, image), perFeature(std, image));
      }
    };
  }

  /** {@code data} with normalised features (a new array); labels shared. */
  public Dataset apply(Dataset data) {
    return Dataset.of(apply(data.features()), data.labels());
  }

  /** Normalised copy of features [N, d]. */
  public INDArray apply(INDArray features) {
    return features.subRowVector(mean.castTo(features.dataType()))
        .diviRowVector(std.castTo(features.dataType()));
  }

  /** What a raw feature value of 0 becomes, per feature: the fill of padded pixels. */
  public INDArray zero() {
    return mean.neg().divi(std);
  }

  private static INDArray nonZero(INDArray std) {
    BooleanIndexing.replaceWhere(std, 1.0, Conditions.equals(0.0));
    return std;
  }

  /** A per-channel vector [C] repeated over each channel's pixels: [1, C * H * W]. */
  private static INDArray perFeature(INDArray perChannel, ImageShape image) {
    INDArray v = perChannel.reshape(image.channels(), 1)
        .repeat(1, image.plane());
    return v.reshape('c', 1, image.size()).dup('c');
  }
}
