package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Buffers}: what its arrays are, where they start, and that release frees them. */
class BuffersTest {
  /**
   * Float32 and float64 arrays of every size start on a 64-byte boundary, zero-filled, dense and
   * c-ordered from the start of their own buffer (as the bound ops require), and behave as
   * ordinary arrays: ND4J ops read and write them, reshape and dup work, nothing else moves.
   */
  @Test
  void floatArraysStartOnACacheLine() {
    Buffers b = new Buffers();
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (long n : new long[] {1, 3, 17, 1000, 602_112}) {
        INDArray a = b.zeros(dt, 2, n);
        assertEquals(0, a.data().addressPointer().address() % Buffers.ALIGNMENT, dt + " [2, " + n + "]");
        assertArrayEquals(new long[] {2, n}, a.shape());
        assertEquals(dt, a.dataType());
        assertEquals(2 * n, a.length());
        assertTrue(a.ordering() == 'c' && a.offset() == 0 && a.data().offset() == 0 && a.elementWiseStride() == 1);
        assertEquals(0.0, a.amaxNumber().doubleValue());
        INDArray r = Nd4j.rand(dt, 2, n);
        a.assign(r).muli(2);
        assertEquals(r.mul(2), a);
        assertEquals(r.mul(2).reshape(n, 2), a.reshape(n, 2));
        assertEquals(a, a.dup());
      }
    }
    // other types and scalars as ND4J makes them
    assertEquals(DataType.INT, b.zeros(DataType.INT, 4).dataType());
    assertEquals(0, b.zeros(DataType.FLOAT).rank());
    assertTrue(b.bytes() > 0);
    INDArray kept = b.zeros(DataType.FLOAT, 5);
    b.release();
    assertEquals(0, b.bytes());
    assertTrue(kept.wasClosed(), "release closes the arrays it made");
  }

  /** Scratch slots are arrays of the same memory, aligned like the rest. */
  @Test
  void scratchIsAligned() {
    Buffers b = new Buffers();
    INDArray s = b.scratch(DataType.FLOAT, "slot", 3, 5);
    INDArray t = b.scratch(DataType.FLOAT, "slot", 2, 2);
    assertEquals(0, s.data().addressPointer().address() % Buffers.ALIGNMENT);
    assertEquals(s.data().addressPointer().address(), t.data().addressPointer().address());
    b.release();
  }
}
