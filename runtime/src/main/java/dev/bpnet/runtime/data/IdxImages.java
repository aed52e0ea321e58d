package dev.bpnet.runtime.data;

/**
 * The content of an IDX image file (magic 2051): {@code count} images of {@code rows x cols}
 * unsigned bytes, row-major, image after image.
 *
 * <p>Kept as raw bytes (one byte per pixel) so that reading stays cheap and the conversion to a
 * floating-point array happens once, in the data type the model trains in.
 *
 * @param source where the data came from (file path or resource name), for error messages
 * @param pixels {@code count * rows * cols} bytes; treat as unsigned and do not modify
 */
public record IdxImages(String source, int count, int rows, int cols, byte[] pixels) {

  /** Checks that the pixel array matches the declared dimensions. */
  public IdxImages {
    if (source == null || pixels == null) {
      throw new IllegalArgumentException("source and pixels must not be null");
    }
    if (count < 0 || rows < 0 || cols < 0 || (long) count * rows * cols != pixels.length) {
      throw new IllegalArgumentException(
          source + ": " + pixels.length + " pixels do not match " + count + " x " + rows + " x "
              + cols);
    }
  }

  /** Pixels per image ({@code rows * cols}): the feature count once flattened. */
  public int pixelsPerImage() {
    return rows * cols;
  }

  /** The pixel at ({@code row}, {@code col}) of image {@code index}, in 0..255. */
  public int pixel(int index, int row, int col) {
    return pixels[(index * rows + row) * cols + col] & 0xFF;
  }
}
