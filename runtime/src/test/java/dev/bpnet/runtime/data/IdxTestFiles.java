package dev.bpnet.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files byte by byte, so the reader is tested on data it did not write. */
final class IdxTestFiles {

  private IdxTestFiles() {}

  /** An IDX byte array: big-endian magic, dimension sizes, then the payload. */
  static byte[] idx(int magic, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(payload);
    return b.array();
  }

  /** An image file of {@code n} images of {@code rows x cols}; pixel i has value i mod 256. */
  static byte[] images(int n, int rows, int cols) {
    byte[] payload = new byte[n * rows * cols];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    return idx(IdxReader.IMAGES_MAGIC, new int[] {n, rows, cols}, payload);
  }

  /** A label file holding the given labels. */
  static byte[] labels(int... values) {
    byte[] payload = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      payload[i] = (byte) values[i];
    }
    return idx(IdxReader.LABELS_MAGIC, new int[] {values.length}, payload);
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Path write(Path file, byte[] bytes) {
    try {
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
