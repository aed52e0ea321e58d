package dev.bpnet.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads files written by real NumPy (1.24.2), committed as test resources so that no Python is
 * needed at test time. They were made once with:
 *
 * <pre>
 * np.save('f32_2x3.npy', np.array([[0.5, -1.25, 3.0], [0.1, 1e30, -7.0]], np.float32))
 * np.save('f64_scalar.npy', np.array(np.pi))
 * np.save('i64_vector.npy', np.array([-3, 0, 2**40, 2**63 - 1], np.int64))
 * np.save('f64_fortran_2x3.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))
 * np.lib.format.write_array(open('f32_v2.npy', 'wb'), np.array([1.5, -2.0], np.float32),
 *                           version=(2, 0))
 * np.savez('savez.npz', **{'grad2/h.W': np.array([[1, 2], [3, 4]], np.float32) / 8,
 *     'b': np.array([1, -2, 3], np.int32), 'mask': np.array([True, False, True]),
 *     'pix': np.array([[0, 255], [7, 128]], np.uint8)})
 * np.savez_compressed('savez_compressed.npz', **{'layer1/W': np.arange(6.0).reshape(3, 2) - 2.5,
 *     'scalar': np.array(2.5, np.float32), 'layer1/b': np.zeros(2)})
 * </pre>
 */
class NumpyFilesTest {

  static Path resource(String name) {
    try {
      return Path.of(NumpyFilesTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void float32Matrix() {
    INDArray a = Npy.read(resource("f32_2x3.npy"));
    assertEquals(DataType.FLOAT, a.dataType());
    assertArrayEquals(new float[][] {{0.5f, -1.25f, 3f}, {0.1f, 1e30f, -7f}}, a.toFloatMatrix());
  }

  @Test
  void float64ScalarInt64VectorFortranAndVersion2() {
    INDArray s = Npy.read(resource("f64_scalar.npy"));
    assertEquals(0, s.rank());
    assertEquals(DataType.DOUBLE, s.dataType());
    assertEquals(Math.PI, s.getDouble(0));
    INDArray v = Npy.read(resource("i64_vector.npy"));
    assertEquals(DataType.LONG, v.dataType());
    assertArrayEquals(new long[] {-3, 0, 1L << 40, Long.MAX_VALUE}, v.toLongVector());
    INDArray f = Npy.read(resource("f64_fortran_2x3.npy"));
    assertArrayEquals(new double[][] {{0, 1, 2}, {3, 4, 5}}, f.toDoubleMatrix());
    assertArrayEquals(new float[] {1.5f, -2f}, Npy.read(resource("f32_v2.npy")).toFloatVector());
  }

  @Test
  void writesTheSameBytesAsNumpy() throws Exception {
    for (String name : List.of("f32_2x3.npy", "f64_scalar.npy", "i64_vector.npy")) {
      Path p = resource(name);
      assertArrayEquals(Files.readAllBytes(p), Npy.toBytes(Npy.read(p)), name);
    }
  }

  @Test
  void savezWithSlashesInNames() {
    Map<String, INDArray> m = Npz.read(resource("savez.npz"));
    assertEquals(List.of("grad2/h.W", "b", "mask", "pix"), List.copyOf(m.keySet()));
    assertArrayEquals(new float[][] {{0.125f, 0.25f}, {0.375f, 0.5f}},
        m.get("grad2/h.W").toFloatMatrix());
    assertEquals(DataType.INT, m.get("b").dataType());
    assertArrayEquals(new int[] {1, -2, 3}, m.get("b").toIntVector());
    assertEquals(DataType.BOOL, m.get("mask").dataType());
    assertArrayEquals(new int[] {1, 0, 1}, m.get("mask").toIntVector());
    assertEquals(DataType.UBYTE, m.get("pix").dataType());
    assertArrayEquals(new int[][] {{0, 255}, {7, 128}}, m.get("pix").toIntMatrix());
  }

  @Test
  void savezCompressed() {
    Map<String, INDArray> m = Npz.read(resource("savez_compressed.npz"));
    assertEquals(List.of("layer1/W", "scalar", "layer1/b"), List.copyOf(m.keySet()));
    assertArrayEquals(new double[][] {{-2.5, -1.5}, {-0.5, 0.5}, {1.5, 2.5}},
        m.get("layer1/W").toDoubleMatrix());
    assertEquals(0, m.get("scalar").rank());
    assertEquals(DataType.FLOAT, m.get("scalar").dataType());
    assertEquals(2.5f, m.get("scalar").getFloat(0));
    assertArrayEquals(new double[] {0, 0}, m.get("layer1/b").toDoubleVector());
  }
}
