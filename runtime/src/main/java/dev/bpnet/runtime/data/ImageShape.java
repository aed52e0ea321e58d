package dev.bpnet.runtime.data;

/**
 * The geometry of image examples stored flattened, channel after channel, row after row (the
 * C-order flattening of [channels, height, width]): what per-channel normalisation and
 * random-crop augmentation need to know about a feature row.
 */
public record ImageShape(int channels, int height, int width) {

  /** Checks that every dimension is positive. */
  public ImageShape {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image dimensions must be positive: " + channels + " x " + height + " x " + width);
    }
  }

  /** Features per example: {@code channels * height * width}. */
  public int size() {
    return channels * height * width;
  }

  /** Pixels per channel: {@code height * width}. */
  public int plane() {
    return height * width;
  }

  @Override
  public String toString() {
    return channels + " x " + height + " x " + width;
  }
}
