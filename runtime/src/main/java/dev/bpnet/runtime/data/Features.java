package dev.bpnet.runtime.data;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Unsigned-byte pixels to a floating-point feature matrix, scaled to [0, 1].
 *
 * <p>Written straight into the array's off-heap buffer, record by record, so that a 50,000-image
 * CIFAR set does not need a second, on-heap float copy of its 150 million values.
 */
final class Features {

  private Features() {}

  /**
   * An [n, d] matrix whose row {@code i} is bytes {@code offset + i * stride ..} {@code + d - 1}
   * of {@code bytes}, each divided by 255.
   */
  static INDArray fromUnsignedBytes(byte[] bytes, int n, int d, int offset, int stride,
      DataType dtype) {
    if (!dtype.isFPType()) {
      throw new IllegalArgumentException("data type must be floating-point: " + dtype);
    }
    INDArray x = Nd4j.create(dtype, new long[] {n, d}, 'c');
    if (dtype == DataType.DOUBLE) {
      DoubleBuffer out = x.data().asNioDouble();
      double[] row = new double[d];
      for (int i = 0; i < n; i++) {
        int from = offset + i * stride;
        for (int j = 0; j < d; j++) {
          row[j] = (bytes[from + j] & 0xFF) / 255.0;
        }
        out.put(row);
      }
    } else if (dtype == DataType.FLOAT) {
      FloatBuffer out = x.data().asNioFloat();
      float[] row = new float[d];
      for (int i = 0; i < n; i++) {
        int from = offset + i * stride;
        for (int j = 0; j < d; j++) {
          row[j] = (bytes[from + j] & 0xFF) / 255f;
        }
        out.put(row);
      }
    } else {
      return fromUnsignedBytes(bytes, n, d, offset, stride, DataType.FLOAT).castTo(dtype);
    }
    return x;
  }
}
