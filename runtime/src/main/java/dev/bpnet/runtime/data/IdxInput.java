package dev.bpnet.runtime.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A byte source for {@link IdxReader} that undoes gzip compression when present and turns every
 * short read or I/O failure into a {@link DataException} naming the source and the byte counts.
 *
 * <p>Closing it frees the decompressor but never closes the caller's stream, which stays the
 * caller's to close.
 */
final class IdxInput implements Closeable {

  private final InputStream in;
  private final String source;
  private final boolean gzip;
  private long position;

  private IdxInput(InputStream in, String source, boolean gzip) {
    this.in = in;
    this.source = source;
    this.gzip = gzip;
  }

  /** Wraps {@code raw}, decompressing if it starts with the gzip magic bytes 1f 8b. */
  static IdxInput open(InputStream raw, String source) {
    InputStream shielded = new FilterInputStream(raw) {
      @Override
      public void close() {
        // The caller owns the raw stream.
      }
    };
    BufferedInputStream buffered = new BufferedInputStream(shielded, 1 << 16);
    try {
      buffered.mark(2);
      int b0 = buffered.read();
      int b1 = buffered.read();
      buffered.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new IdxInput(new GZIPInputStream(buffered, 1 << 16), source, true);
      }
      return new IdxInput(buffered, source, false);
    } catch (IOException e) {
      throw failure(source, e);
    }
  }

  /** The source's name, for messages. */
  String source() {
    return source;
  }

  /**
   * Reads exactly {@code n} bytes, or fails saying that the data should have been
   * {@code expectedTotal} bytes long ({@code what} describes that layout).
   */
  byte[] readExactly(int n, long expectedTotal, String what) {
    byte[] buf = new byte[n];
    int got = 0;
    String early = "";
    try {
      while (got < n) {
        int r = in.read(buf, got, n - got);
        if (r < 0) {
          break;
        }
        got += r;
      }
    } catch (EOFException e) {
      early = "; the gzip stream ends early";
    } catch (IOException e) {
      throw failure(source, e);
    }
    position += got;
    if (got < n) {
      throw new DataException(String.format(
          "%s: truncated file: expected %d bytes%s (%s), found %d%s",
          source, expectedTotal, gzip ? " after decompression" : "", what, position, early));
    }
    return buf;
  }

  /** Reads everything left (decompressed), for formats checked by their length (CIFAR). */
  byte[] readAll() {
    try {
      byte[] all = in.readAllBytes();
      position += all.length;
      return all;
    } catch (EOFException e) {
      throw new DataException(source + ": truncated gzip data: the stream ends early", e);
    } catch (IOException e) {
      throw failure(source, e);
    }
  }

  /** Reads a big-endian 32-bit integer (IDX headers are big-endian). */
  int readInt(long expectedTotal, String what) {
    byte[] b = readExactly(4, expectedTotal, what);
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  /** Fails if anything follows the declared data: a longer file is as suspect as a shorter one. */
  void expectEnd(long expectedTotal, String what) {
    try {
      if (in.read() >= 0) {
        throw new DataException(String.format(
            "%s: unexpected data after the end: expected %d bytes%s (%s), found more",
            source, expectedTotal, gzip ? " after decompression" : "", what));
      }
    } catch (IOException e) {
      throw failure(source, e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw failure(source, e);
    }
  }

  private static DataException failure(String source, IOException e) {
    // the library's wording ("Corrupt GZIP trailer") in words of ours, never its class name
    String what = e instanceof ZipException ? "corrupt gzip data"
        + (e.getMessage() == null ? "" : " (" + e.getMessage().toLowerCase(java.util.Locale.ROOT) + ")")
        : e instanceof EOFException ? "truncated gzip data: the stream ends early"
        : "cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e);
    return new DataException(source + ": " + what, e);
  }
}
