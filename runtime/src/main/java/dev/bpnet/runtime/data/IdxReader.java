package dev.bpnet.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the IDX format of MNIST and its relatives (Fashion-MNIST, EMNIST): a big-endian header
 * (magic number, then one 32-bit size per dimension) followed by unsigned bytes.
 *
 * <p>Files may be gzip-compressed or raw; compression is detected from the first two bytes
 * (1f 8b), not from the file name. Anything malformed is reported as a {@link DataException}
 * naming the source and the problem, since a half-read data set would train silently on garbage.
 */
public final class IdxReader {

  /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /** Reads an image file (magic 2051, dims N x rows x cols). */
  public static IdxImages readImages(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return readImages(in, file.toString());
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /**
   * Reads an image file from a stream (for example a classpath resource), to its end. The
   * stream is not closed; {@code source} names it in error messages.
   */
  public static IdxImages readImages(InputStream in, String source) {
    try (IdxInput idx = IdxInput.open(in, source)) {
      int[] dims = header(idx, IMAGES_MAGIC, LABELS_MAGIC, "image");
      long total = 16 + (long) dims[0] * dims[1] * dims[2];
      String layout = String.format("16-byte header + %d images of %d x %d bytes",
          dims[0], dims[1], dims[2]);
      if (total - 16 > Integer.MAX_VALUE - 8) {
        throw new DataException(source + ": too large: " + layout + " exceeds 2^31 bytes");
      }
      byte[] pixels = idx.readExactly((int) (total - 16), total, layout);
      idx.expectEnd(total, layout);
      return new IdxImages(source, dims[0], dims[1], dims[2], pixels);
    }
  }

  /** Reads a label file (magic 2049, dims N), checking each label is in 0..classes-1. */
  public static IdxLabels readLabels(Path file, int classes) {
    try (InputStream in = Files.newInputStream(file)) {
      return readLabels(in, file.toString(), classes);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /**
   * Reads a label file from a stream, to its end, checking each label is in 0..classes-1. The
   * stream is not closed; {@code source} names it in error messages.
   */
  public static IdxLabels readLabels(InputStream in, String source, int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1: " + classes);
    }
    try (IdxInput idx = IdxInput.open(in, source)) {
      int count = header(idx, LABELS_MAGIC, IMAGES_MAGIC, "label")[0];
      long total = 8 + (long) count;
      String layout = String.format("8-byte header + %d labels of 1 byte", count);
      byte[] bytes = idx.readExactly(count, total, layout);
      idx.expectEnd(total, layout);
      int[] values = new int[count];
      for (int i = 0; i < count; i++) {
        values[i] = bytes[i] & 0xFF;
      }
      Labels.check(values, classes, source);
      return new IdxLabels(source, classes, values);
    }
  }

  /** Reads and checks the magic number and the dimension sizes that follow it. */
  private static int[] header(IdxInput idx, int magic, int otherMagic, String kind) {
    int rank = magic & 0xFF;
    long headerBytes = 4L + 4L * rank;
    String layout = "the " + headerBytes + "-byte header of an IDX " + kind + " file";
    int found = idx.readInt(headerBytes, layout);
    if (found != magic) {
      String hint = found == otherMagic
          ? " (this is an IDX " + (kind.equals("image") ? "label" : "image") + " file)"
          : "";
      throw new DataException(String.format(
          "%s: wrong magic number %d (0x%08x): expected %d (0x%08x) for an IDX %s file%s",
          idx.source(), found, found, magic, magic, kind, hint));
    }
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = idx.readInt(headerBytes, layout);
      if (dims[i] < 0) {
        throw new DataException(String.format("%s: dimension %d of the header is %d, too large",
            idx.source(), i, Integer.toUnsignedLong(dims[i])));
      }
    }
    return dims;
  }
}
