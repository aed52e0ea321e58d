package dev.bpnet.runtime.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NumPy element types this package reads and writes, each paired with its ND4J type.
 *
 * <p>Conversion goes through plain Java arrays and little-endian {@link ByteBuffer}s rather than
 * ND4J's own NumPy helpers or raw native memory, so that it is the same on every backend and
 * byte order is explicit.
 */
enum NpyDtype {
  F4("<f4", DataType.FLOAT, 4),
  F8("<f8", DataType.DOUBLE, 8),
  I4("<i4", DataType.INT, 4),
  I8("<i8", DataType.LONG, 8),
  U1("|u1", DataType.UBYTE, 1),
  B1("|b1", DataType.BOOL, 1);

  /** The NumPy type string written in headers ({@code descr}). */
  final String descr;
  final DataType type;
  final int size;

  NpyDtype(String descr, DataType type, int size) {
    this.descr = descr;
    this.type = type;
    this.size = size;
  }

  /**
   * The type for a header's {@code descr}, or null. One-byte types have no byte order, so any
   * of NumPy's order prefixes is accepted for them; wider types must be little-endian.
   */
  static NpyDtype ofDescr(String descr) {
    for (NpyDtype d : values()) {
      if (d.descr.equals(descr)
          || (d.size == 1 && descr.length() == 3 && "<>=|".indexOf(descr.charAt(0)) >= 0
              && descr.endsWith(d.descr.substring(1)))) {
        return d;
      }
    }
    return null;
  }

  /** The type to write an ND4J array of type {@code type} as, or null. */
  static NpyDtype of(DataType type) {
    return Arrays.stream(values()).filter(d -> d.type == type).findFirst().orElse(null);
  }

  /** For error messages: every supported pair, e.g. {@code '<f4' (FLOAT)}. */
  static String supported() {
    return Arrays.stream(values()).map(d -> "'" + d.descr + "' (" + d.type + ")")
        .collect(Collectors.joining(", "));
  }

  /** Builds a C-order array of {@code shape} from its little-endian element bytes. */
  INDArray decode(byte[] bytes, int count, long[] shape) {
    if (count == 0) {
      return Nd4j.create(type, shape, 'c');
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    DataBuffer buffer;
    switch (this) {
      case F4 -> {
        float[] v = new float[count];
        in.asFloatBuffer().get(v);
        buffer = Nd4j.createTypedBuffer(v, type);
      }
      case F8 -> {
        double[] v = new double[count];
        in.asDoubleBuffer().get(v);
        buffer = Nd4j.createTypedBuffer(v, type);
      }
      case I4 -> {
        int[] v = new int[count];
        in.asIntBuffer().get(v);
        buffer = Nd4j.createTypedBuffer(v, type);
      }
      case I8 -> {
        long[] v = new long[count];
        in.asLongBuffer().get(v);
        buffer = Nd4j.createTypedBuffer(v, type);
      }
      case U1 -> buffer = Nd4j.createTypedBuffer(bytes, type);
      default -> {
        boolean[] v = new boolean[count];
        for (int i = 0; i < count; i++) {
          v[i] = bytes[i] != 0;
        }
        buffer = Nd4j.createTypedBuffer(v, type);
      }
    }
    return Nd4j.create(buffer, shape);
  }

  /** The little-endian bytes of the first {@code count} elements of {@code a} in C order. */
  /**
   * Whether {@code a}'s buffer holds exactly its {@code count} elements in C order (offset 0, the
   * strides of a C-order array of its shape): then it is read as it is, not copied first (a
   * checkpoint writes every parameter and optimizer array, hundreds of MB for a large net).
   */
  private static boolean cOrderBuffer(INDArray a, int count) {
    return a.offset() == 0 && a.data().length() == count
        && (count == 1 || Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c')));
  }

  byte[] encode(INDArray a, int count) {
    ByteBuffer out = ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
    if (count == 0) {
      return out.array();
    }
    DataBuffer data = cOrderBuffer(a, count) ? a.data() : a.dup('c').data();
    switch (this) {
      case F4 -> out.asFloatBuffer().put(data.asFloat(), 0, count);
      case F8 -> out.asDoubleBuffer().put(data.asDouble(), 0, count);
      case I4 -> out.asIntBuffer().put(data.asInt(), 0, count);
      case I8 -> out.asLongBuffer().put(data.asLong(), 0, count);
      default -> {
        int[] v = data.asInt();
        for (int i = 0; i < count; i++) {
          out.put(i, (byte) (this == B1 ? (v[i] != 0 ? 1 : 0) : v[i]));
        }
      }
    }
    return out.array();
  }
}
