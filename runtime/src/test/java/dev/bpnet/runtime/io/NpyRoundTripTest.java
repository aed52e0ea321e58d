package dev.bpnet.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Write-then-read of every supported type at ranks 0 to 3, through files and bytes. */
class NpyRoundTripTest {

  private static final DataType[] TYPES = {DataType.FLOAT, DataType.DOUBLE, DataType.INT,
      DataType.LONG, DataType.UBYTE, DataType.BOOL};
  private static final long[][] SHAPES = {{}, {5}, {2, 3}, {2, 3, 4}};

  @TempDir Path dir;

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (DataType t : TYPES) {
      for (long[] s : SHAPES) {
        cases.add(Arguments.of(t, s));
      }
    }
    return cases;
  }

  /** Distinct values that exercise sign, fraction and (for UBYTE) the top bit. */
  static INDArray sample(DataType type, long... shape) {
    long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] v = new double[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (type) {
        case FLOAT, DOUBLE -> (i - 3) * 0.375 + (type == DataType.DOUBLE ? 1e-12 : 0);
        case INT -> (i - 3) * 100_003;
        case LONG -> (i - 3) * 3_000_000_007L;
        case UBYTE -> (i * 37 + 200) % 256;
        default -> i % 3 == 0 ? 1 : 0;
      };
    }
    return Nd4j.create(v, shape, 'c').castTo(type);
  }

  static void assertSame(INDArray expected, INDArray actual) {
    assertEquals(expected.dataType(), actual.dataType());
    assertArrayEquals(expected.shape(), actual.shape());
    assertEquals('c', actual.ordering());
    INDArray e = expected.dup('c');
    INDArray a = actual.dup('c');
    if (expected.dataType() == DataType.LONG) {
      assertArrayEquals(e.data().asLong(), a.data().asLong());
    } else {
      assertArrayEquals(e.data().asDouble(), a.data().asDouble());
    }
  }

  @ParameterizedTest(name = "{0} shape {1}")
  @MethodSource("cases")
  void roundTripsThroughFile(DataType type, long[] shape) throws Exception {
    INDArray a = sample(type, shape);
    Path f = dir.resolve("a.npy");
    Npy.write(f, a);
    INDArray b = Npy.read(f);
    assertSame(a, b);
    assertEquals(shape.length, b.rank());
    byte[] bytes = Files.readAllBytes(f);
    assertArrayEquals(Npy.toBytes(a), bytes);
    assertEquals(0, (10 + (bytes[8] & 0xFF | (bytes[9] & 0xFF) << 8)) % 64, "64-byte alignment");
  }

  /** Through {@link Npy#toBytes} and back, without a file. */
  private static INDArray viaBytes(INDArray a) {
    return Npy.read(new ByteArrayInputStream(Npy.toBytes(a)), "mem");
  }

  @Test
  void largeLongsAndUnsignedBytesSurviveExactly() {
    INDArray l = Nd4j.createFromArray(Long.MIN_VALUE, -1L, Long.MAX_VALUE);
    assertArrayEquals(l.toLongVector(), viaBytes(l).toLongVector());
    INDArray u = Nd4j.createFromArray(0, 127, 128, 255).castTo(DataType.UBYTE);
    assertArrayEquals(new int[] {0, 127, 128, 255}, viaBytes(u).toIntVector());
  }

  @Test
  void writesViewsAndFortranOrderArraysInCOrder() {
    INDArray base = sample(DataType.DOUBLE, 3, 4);
    INDArray transposed = base.transpose();
    assertSame(transposed, viaBytes(transposed));
    INDArray row = base.getRow(1);
    assertSame(row, viaBytes(row));
    assertSame(base, viaBytes(base.dup('f')));
    // the buffer is read as it is only where it holds the array in C order and nothing else
    INDArray cube = sample(DataType.FLOAT, 2, 3, 4);
    assertSame(cube, viaBytes(cube));
    assertSame(cube.permute(2, 0, 1), viaBytes(cube.permute(2, 0, 1)));
    assertSame(cube.permute(1, 0, 2), viaBytes(cube.permute(1, 0, 2)));
    assertSame(base.getRow(0), viaBytes(base.getRow(0)));
    assertSame(base.getColumn(0), viaBytes(base.getColumn(0)));
    assertSame(base.reshape(4, 3), viaBytes(base.reshape(4, 3)));
  }

  @Test
  void emptyArraysKeepTheirShape() {
    INDArray back = viaBytes(Nd4j.create(DataType.FLOAT, new long[] {0, 3}, 'c'));
    assertArrayEquals(new long[] {0, 3}, back.shape());
    assertEquals(DataType.FLOAT, back.dataType());
  }
}
