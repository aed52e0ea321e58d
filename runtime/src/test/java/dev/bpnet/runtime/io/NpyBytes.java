package dev.bpnet.runtime.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds .npy files byte by byte, independently of the code under test, the way NumPy lays them
 * out: magic, version, little-endian header length, the header dict padded with spaces to a
 * multiple of 64 bytes (preamble included) and ended by '\n', then the raw data.
 */
final class NpyBytes {

  private NpyBytes() {}

  /** A version 1.0 file. */
  static byte[] npy(String dict, byte[] data) {
    return npy(1, dict, data);
  }

  /** A file of format version {@code major}.0 (2-byte header length for 1, else 4 bytes). */
  static byte[] npy(int major, String dict, byte[] data) {
    int preamble = major == 1 ? 10 : 12;
    int pad = (64 - (preamble + dict.length() + 1) % 64) % 64;
    byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(preamble + header.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    assertTrue((preamble + header.length) % 64 == 0);
    return b.put(header).put(data).array();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = le(v.length * 4);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  static byte[] doubles(double... v) {
    ByteBuffer b = le(v.length * 8);
    b.asDoubleBuffer().put(v);
    return b.array();
  }

  static byte[] ints(int... v) {
    ByteBuffer b = le(v.length * 4);
    b.asIntBuffer().put(v);
    return b.array();
  }

  static byte[] longs(long... v) {
    ByteBuffer b = le(v.length * 8);
    b.asLongBuffer().put(v);
    return b.array();
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asserts that {@code e}'s message contains every one of {@code parts}. */
  static void assertMessage(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p),
          () -> "message lacks \"" + p + "\": " + e.getMessage());
    }
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
