package dev.bpnet.runtime.io;

import dev.bpnet.runtime.data.DataException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes one array in NumPy's .npy format, so that parameters, gradients and test
 * data can be exchanged with Python (and checked against it) without any Python at run time.
 *
 * <p>Reads format versions 1.0, 2.0 and 3.0; element types {@code <f4 <f8 <i4 <i8 |u1 |b1},
 * which become ND4J FLOAT, DOUBLE, INT, LONG, UBYTE and BOOL arrays; any rank (0-d scalars
 * included) in C or Fortran order, always returned in C order. Writes version 1.0, C order, the
 * same six types, byte for byte as NumPy 1.24 does. Everything wrong with a file is a {@link
 * DataException} naming it.
 */
public final class Npy {

  /** Largest element data held in one Java array (and hence one .npy read or written). */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  /** Headers longer than this are rejected as corrupt (NumPy's own default limit is 10000). */
  private static final int MAX_HEADER = 1 << 20;

  private Npy() {}

  /** Reads the array in {@code file}. */
  public static INDArray read(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, file.toString());
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /**
   * Reads one array from {@code in}, which must hold exactly one .npy file and nothing after
   * it; {@code source} names it in error messages. The stream is not closed.
   */
  public static INDArray read(InputStream in, String source) {
    try {
      byte[] magic = in.readNBytes(8);
      if (!Magic.isNpy(magic)) {
        throw new DataException(source + ": not an .npy file (bad magic): expected "
            + Magic.NPY_TEXT + ", " + Magic.found(magic, 8)
            + (Magic.isZip(magic) ? "; this is a zip archive: read .npz files with Npz.read" : ""));
      }
      if (magic.length < 8) {
        throw new DataException(String.format("%s: truncated .npy file: expected 2 bytes of the "
            + "format version after the magic, found %d", source, magic.length - 6));
      }
      int major = magic[6] & 0xFF;
      if (major < 1 || major > 3 || magic[7] != 0) {
        throw new DataException(String.format("%s: unsupported .npy format version %d.%d "
            + "(supported: 1.0, 2.0, 3.0)", source, major, magic[7] & 0xFF));
      }
      int lengthBytes = major == 1 ? 2 : 4;
      byte[] len = readFully(in, lengthBytes, source, "the header length");
      long headerLength = major == 1
          ? ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF
          : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
      if (headerLength > MAX_HEADER) {
        throw new DataException(String.format("%s: malformed .npy header: its length %d exceeds "
            + "the limit of %d bytes", source, headerLength, MAX_HEADER));
      }
      byte[] text = readFully(in, (int) headerLength, source, "the header");
      NpyHeader h = NpyHeader.parse(
          new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1),
          source);
      long count = h.count();
      if (count < 0 || count > MAX_BYTES / h.dtype().size) {
        throw new DataException(String.format("%s: array of shape %s of '%s' is too large to read "
            + "(limit %d bytes of data)", source, h.shapeText(), h.dtype().descr, MAX_BYTES));
      }
      String what = "the data of shape " + h.shapeText() + " of '" + h.dtype().descr + "'";
      byte[] data = readFully(in, (int) count * h.dtype().size, source, what);
      long extra = in.transferTo(OutputStream.nullOutputStream());
      if (extra > 0) {
        throw new DataException(String.format("%s: %d unexpected bytes after %s (file has %d "
            + "bytes, expected %d)", source, extra, what, 8 + lengthBytes + headerLength
            + data.length + extra, 8 + lengthBytes + headerLength + data.length));
      }
      if (!h.fortranOrder() || h.shape().length < 2) {
        return h.dtype().decode(data, (int) count, h.shape());
      }
      // Fortran order is C order of the reversed shape; transpose back and copy to C order.
      long[] reversed = new long[h.shape().length];
      int[] axes = new int[reversed.length];
      for (int i = 0; i < reversed.length; i++) {
        reversed[i] = h.shape()[reversed.length - 1 - i];
        axes[i] = reversed.length - 1 - i;
      }
      return h.dtype().decode(data, (int) count, reversed).permute(axes).dup('c');
    } catch (IOException e) {
      throw new DataException(source + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /** Writes {@code array} to {@code file} atomically (see {@link Npz#write}). */
  public static void write(Path file, INDArray array) {
    byte[] bytes = toBytes(array, file.toString());
    AtomicFiles.write(file, out -> out.write(bytes));
  }

  /** The complete .npy file for {@code array}: header and C-order data. */
  public static byte[] toBytes(INDArray array) {
    return toBytes(array, "array");
  }

  /** As {@link #toBytes(INDArray)}, naming {@code target} in error messages. */
  static byte[] toBytes(INDArray array, String target) {
    Objects.requireNonNull(array, "array");
    NpyDtype dtype = NpyDtype.of(array.dataType());
    if (dtype == null) {
      throw new DataException(String.format("%s: cannot write an array of type %s as .npy; "
          + "supported: %s", target, array.dataType(), NpyDtype.supported()));
    }
    NpyHeader h = new NpyHeader(dtype, false, array.shape());
    if (array.length() > MAX_BYTES / dtype.size) {
      throw new DataException(String.format("%s: array of shape %s of %s is too large to write "
          + "(limit %d bytes of data)", target, h.shapeText(), array.dataType(), MAX_BYTES));
    }
    byte[] header = h.encode();
    byte[] data = dtype.encode(array, (int) array.length());
    byte[] all = Arrays.copyOf(header, header.length + data.length);
    System.arraycopy(data, 0, all, header.length, data.length);
    return all;
  }

  /** Reads exactly {@code n} bytes or reports how many of them the input still had. */
  private static byte[] readFully(InputStream in, int n, String source, String what)
      throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new DataException(String.format("%s: truncated .npy file: expected %d bytes of %s, "
          + "found %d", source, n, what, b.length));
    }
    return b;
  }
}
