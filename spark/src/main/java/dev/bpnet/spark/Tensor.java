package dev.bpnet.spark;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An array as Spark ships it: shape and values in row-major order, float64 arrays as doubles and
 * every other floating type as floats (float32 models ship half the bytes; their sums are float32
 * sums, as the trainer's own are). ND4J's arrays are not shipped themselves: they live off the
 * Java heap.
 *
 * @param shape the dimensions
 * @param values the values of a float64 array, or null
 * @param floats the values of a float32 array, or null
 */
record Tensor(long[] shape, double[] values, float[] floats) implements Serializable {
  private static final long serialVersionUID = 1L;

  Tensor {
    if ((values == null) == (floats == null)) {
      throw new IllegalArgumentException("a tensor holds doubles or floats");
    }
  }

  /** A float64 tensor. */
  Tensor(long[] shape, double[] values) {
    this(shape, values, null);
  }

  static Tensor of(INDArray a) {
    return scaled(a, 1);
  }

  /** {@code a} times {@code w}, in float64 and then, for a float32 array, rounded to float32. */
  static Tensor scaled(INDArray a, double w) {
    double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    if (a.dataType() == DataType.DOUBLE) {
      if (w != 1) {
        for (int i = 0; i < v.length; i++) {
          v[i] *= w;
        }
      }
      return new Tensor(a.shape(), v, null);
    }
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) (v[i] * w);
    }
    return new Tensor(a.shape(), null, f);
  }

  /** A new array of type {@code dtype}. */
  INDArray toArray(DataType dtype) {
    INDArray d = values != null ? Nd4j.create(values, shape, 'c') : Nd4j.create(floats, shape, 'c');
    return d.dataType() == dtype ? d : d.castTo(dtype);
  }

  /** The element-wise sum, a new tensor. */
  Tensor plus(Tensor o) {
    if (!java.util.Arrays.equals(shape, o.shape) || (values == null) != (o.values == null)) {
      throw new IllegalArgumentException("shapes or types differ: " + java.util.Arrays.toString(shape) + " and "
          + java.util.Arrays.toString(o.shape));
    }
    if (values != null) {
      double[] v = values.clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += o.values[i];
      }
      return new Tensor(shape, v, null);
    }
    float[] f = floats.clone();
    for (int i = 0; i < f.length; i++) {
      f[i] += o.floats[i];
    }
    return new Tensor(shape, null, f);
  }

  /** Rows [from, from + count) of the first axis, a new tensor. */
  Tensor rows(int from, int count) {
    long[] s = shape.clone();
    int row = (int) ((values != null ? values.length : floats.length) / shape[0]);
    s[0] = count;
    return values != null ? new Tensor(s, java.util.Arrays.copyOfRange(values, from * row, (from + count) * row), null)
        : new Tensor(s, null, java.util.Arrays.copyOfRange(floats, from * row, (from + count) * row));
  }

  /** Rows {@code picks} of the first axis, in that order, a new tensor. */
  Tensor pick(int[] picks) {
    long[] s = shape.clone();
    int row = (int) ((values != null ? values.length : floats.length) / shape[0]);
    s[0] = picks.length;
    if (values != null) {
      double[] v = new double[picks.length * row];
      for (int i = 0; i < picks.length; i++) {
        System.arraycopy(values, picks[i] * row, v, i * row, row);
      }
      return new Tensor(s, v, null);
    }
    float[] f = new float[picks.length * row];
    for (int i = 0; i < picks.length; i++) {
      System.arraycopy(floats, picks[i] * row, f, i * row, row);
    }
    return new Tensor(s, null, f);
  }

  /** An array exactly, its data type included, as ND4J writes it (optimizer counts, generator states). */
  static byte[] exact(INDArray a) {
    try {
      return Nd4j.toByteArray(a);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The array {@link #exact} wrote. */
  static INDArray exact(byte[] b) {
    return Nd4j.fromByteArray(b);
  }

  /** Bytes of the values. */
  long bytes() {
    return values != null ? 8L * values.length : 4L * floats.length;
  }
}
