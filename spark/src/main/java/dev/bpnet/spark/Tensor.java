package dev.bpnet.spark;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An array as Spark ships it: shape and values in row-major order, as float64 (float32 values
 * widen exactly). ND4J's arrays are not shipped themselves: they live off the Java heap.
 *
 * @param shape the dimensions
 * @param values the values, row-major
 */
record Tensor(long[] shape, double[] values) implements Serializable {
  private static final long serialVersionUID = 1L;

  static Tensor of(INDArray a) {
    return new Tensor(a.shape(), a.castTo(DataType.DOUBLE).dup('c').data().asDouble());
  }

  /** {@code a} times {@code w}, the scaling in float64. */
  static Tensor scaled(INDArray a, double w) {
    double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    for (int i = 0; i < v.length; i++) {
      v[i] *= w;
    }
    return new Tensor(a.shape(), v);
  }

  /** A new array of type {@code dtype}. */
  INDArray toArray(DataType dtype) {
    INDArray d = Nd4j.create(values, shape, 'c');
    return dtype == DataType.DOUBLE ? d : d.castTo(dtype);
  }

  /** The element-wise sum, a new tensor. */
  Tensor plus(Tensor o) {
    if (!java.util.Arrays.equals(shape, o.shape)) {
      throw new IllegalArgumentException("shapes differ: " + java.util.Arrays.toString(shape) + " and "
          + java.util.Arrays.toString(o.shape));
    }
    double[] v = values.clone();
    for (int i = 0; i < v.length; i++) {
      v[i] += o.values[i];
    }
    return new Tensor(shape, v);
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
    return 8L * values.length;
  }
}
