package dev.bpnet.runtime.data;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training-set augmentation of Weiming Xiong and Ruoyu Yang, "Reverse back propagation to
 * make full use of derivative", section 6.3: each image is padded with {@code pad} pixels on
 * every side and a random crop of its original size taken back (a shift by -pad..pad pixels in
 * each direction, with the fill value shifted in), then mirrored left-right with probability one
 * half if {@code flip}. Applied to training batches only, never to test data.
 *
 * <p>The draws of a batch depend only on the seed given to {@link #apply}, so a run (or a resumed
 * one) sees the same augmented batches. The batch is changed in place through reused buffers:
 * nothing is allocated per step once they have grown to the batch size. An instance is therefore
 * not thread-safe; use one per training loop.
 */
public final class Augmentation {

  private final ImageShape image;
  private final int pad;
  private final boolean flip;
  private final double[] fill;
  private int[] map = new int[0];
  private float[] floatIn = new float[0];
  private float[] floatOut = new float[0];
  private double[] doubleIn = new double[0];
  private double[] doubleOut = new double[0];

  /**
   * Pad-and-crop by {@code pad} pixels (0: none) and, if {@code flip}, random mirroring.
   *
   * @param fill per-channel value of the padding: 0 for raw pixels, or what 0 became under
   *     normalisation ({@link Normalization#zero()}); null means 0
   */
  public Augmentation(ImageShape image, int pad, boolean flip, double[] fill) {
    if (image == null) {
      throw new IllegalArgumentException("image must not be null");
    }
    if (pad < 0 || pad > Math.min(image.height(), image.width())) {
      throw new IllegalArgumentException("crop padding must be from 0 to the image size ("
          + Math.min(image.height(), image.width()) + "), got " + pad);
    }
    if (fill != null && fill.length != image.channels()) {
      throw new IllegalArgumentException(
          "fill needs one value per channel (" + image.channels() + "), got " + fill.length);
    }
    this.image = image;
    this.pad = pad;
    this.flip = flip;
    this.fill = fill == null ? new double[image.channels()] : fill.clone();
  }

  /** Pad-and-crop and optional flipping with zeros shifted in. */
  public Augmentation(ImageShape image, int pad, boolean flip) {
    this(image, pad, flip, null);
  }

  /** The images' geometry. */
  public ImageShape image() {
    return image;
  }

  /** Pixels of padding before the crop (the largest shift). */
  public int pad() {
    return pad;
  }

  /** Whether images are mirrored at random. */
  public boolean flip() {
    return flip;
  }

  /** A fresh instance with the same settings (own buffers), for another thread or loop. */
  public Augmentation copy() {
    return new Augmentation(image, pad, flip, fill);
  }

  /** Whether it changes anything at all. */
  public boolean active() {
    return pad > 0 || flip;
  }

  /**
   * Augments every image (row) of {@code batch}'s features in place, with draws from
   * {@code seed}, and returns the batch. The features must be a C-order [B, C * H * W] FLOAT or
   * DOUBLE array that is not a view (as {@link Batches} makes them).
   */
  public Batch apply(Batch batch, long seed) {
    INDArray x = batch.features();
    if (!active()) {
      return batch;
    }
    if (x.columns() != image.size() || x.ordering() != 'c' || x.isView()
        || !(x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)) {
      throw new IllegalArgumentException("expected a C-order FLOAT or DOUBLE [B, " + image.size()
          + "] batch that owns its data, got " + x.dataType() + " " + java.util.Arrays.toString(x.shape()));
    }
    int b = x.rows();
    int d = image.size();
    int n = b * d;
    if (map.length < n) {
      map = new int[n];
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < b; i++) {
      int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
      sources(i * d, dy, dx, flip && random.nextBoolean());
    }
    int plane = image.plane();
    if (x.dataType() == DataType.FLOAT) {
      if (floatIn.length < n) {
        floatIn = new float[n];
        floatOut = new float[n];
      }
      FloatBuffer buf = x.data().asNioFloat();
      buf.get(floatIn, 0, n);
      for (int j = 0; j < n; j++) {
        floatOut[j] = map[j] < 0 ? (float) fill[(j % d) / plane] : floatIn[map[j]];
      }
      buf.clear();
      buf.put(floatOut, 0, n);
    } else {
      if (doubleIn.length < n) {
        doubleIn = new double[n];
        doubleOut = new double[n];
      }
      DoubleBuffer buf = x.data().asNioDouble();
      buf.get(doubleIn, 0, n);
      for (int j = 0; j < n; j++) {
        doubleOut[j] = map[j] < 0 ? fill[(j % d) / plane] : doubleIn[map[j]];
      }
      buf.clear();
      buf.put(doubleOut, 0, n);
    }
    return batch;
  }

  /**
   * Fills {@code map} for the image starting at {@code base}: output pixel (c, y, x) comes from
   * input (c, y + dy, x' + dx), x' = W-1-x if mirrored else x, or from the fill (-1) where that
   * falls outside the image.
   */
  private void sources(int base, int dy, int dx, boolean mirror) {
    int h = image.height();
    int w = image.width();
    for (int c = 0; c < image.channels(); c++) {
      int plane = base + c * h * w;
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        for (int x = 0; x < w; x++) {
          int sx = (mirror ? w - 1 - x : x) + dx;
          map[plane + y * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? -1 : plane + sy * w + sx;
        }
      }
    }
  }
}
