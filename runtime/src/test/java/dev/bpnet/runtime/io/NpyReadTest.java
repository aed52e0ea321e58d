package dev.bpnet.runtime.io;

import static dev.bpnet.runtime.io.NpyBytes.doubles;
import static dev.bpnet.runtime.io.NpyBytes.floats;
import static dev.bpnet.runtime.io.NpyBytes.ints;
import static dev.bpnet.runtime.io.NpyBytes.longs;
import static dev.bpnet.runtime.io.NpyBytes.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading .npy bytes built by hand exactly as NumPy lays them out. */
class NpyReadTest {

  @TempDir Path dir;

  static INDArray read(byte[] bytes) {
    return Npy.read(new ByteArrayInputStream(bytes), "mem");
  }

  @Test
  void readsFloat2x3AsNumpyWritesIt() {
    byte[] f = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        floats(1, 2, 3, 4, 5, -0.5f));
    assertEquals(128 + 24, f.length);
    INDArray a = Npy.read(NpyBytes.write(dir.resolve("a.npy"), f));
    assertEquals(DataType.FLOAT, a.dataType());
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertEquals(5f, a.getFloat(1, 1));
    assertEquals(-0.5f, a.getFloat(1, 2));
  }

  @Test
  void readsScalarVectorAndEveryType() {
    INDArray s = read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
        doubles(Math.PI)));
    assertEquals(0, s.rank());
    assertEquals(DataType.DOUBLE, s.dataType());
    assertEquals(Math.PI, s.getDouble(0));
    INDArray v = read(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
        longs(-1, 1L << 40, Long.MAX_VALUE)));
    assertEquals(DataType.LONG, v.dataType());
    assertArrayEquals(new long[] {-1, 1L << 40, Long.MAX_VALUE}, v.toLongVector());
    INDArray i = read(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
        ints(-7, Integer.MIN_VALUE)));
    assertEquals(DataType.INT, i.dataType());
    assertArrayEquals(new int[] {-7, Integer.MIN_VALUE}, i.toIntVector());
    INDArray u = read(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
        new byte[] {0, (byte) 200, (byte) 255}));
    assertEquals(DataType.UBYTE, u.dataType());
    assertArrayEquals(new int[] {0, 200, 255}, u.toIntVector());
    INDArray b = read(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }",
        new byte[] {1, 0, 0, 1}));
    assertEquals(DataType.BOOL, b.dataType());
    assertArrayEquals(new int[] {1, 0, 0, 1}, b.reshape(4).toIntVector());
  }

  @Test
  void readsVersion2And3Headers() {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    assertArrayEquals(new float[] {1.5f, -2}, read(npy(2, dict, floats(1.5f, -2))).toFloatVector());
    assertArrayEquals(new float[] {3, 4}, read(npy(3, dict, floats(3, 4))).toFloatVector());
  }

  @Test
  void readsFortranOrderIntoCOrder() {
    // np.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores the columns one after another.
    INDArray a = read(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
        doubles(1, 4, 2, 5, 3, 6)));
    assertEquals('c', a.ordering());
    assertArrayEquals(new double[][] {{1, 2, 3}, {4, 5, 6}}, a.toDoubleMatrix());
    INDArray t = read(npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 2), }",
        ints(0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11)));
    for (int i = 0; i < 12; i++) {
      assertEquals(i, t.getInt(i / 6, i / 2 % 3, i % 2), "element " + i);
    }
  }

  @Test
  void acceptsOtherKeyOrdersQuotesPython2IntsAndOneByteOrderPrefixes() {
    INDArray a = read(npy("{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<f4\"}",
        floats(7, 8)));
    assertArrayEquals(new long[] {2, 1}, a.shape());
    INDArray u = read(npy("{'descr': '<u1', 'fortran_order': False, 'shape': (1,)}",
        new byte[] {9}));
    assertEquals(DataType.UBYTE, u.dataType());
  }

  @Test
  void anyNonZeroByteIsTrue() {
    INDArray b = read(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
        new byte[] {2, 0, (byte) 0xff}));
    assertArrayEquals(new int[] {1, 0, 1}, b.toIntVector());
  }
}
