package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxTestFiles.gzip;
import static dev.bpnet.runtime.data.IdxTestFiles.idx;
import static dev.bpnet.runtime.data.IdxTestFiles.images;
import static dev.bpnet.runtime.data.IdxTestFiles.labels;
import static dev.bpnet.runtime.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir Path dir;

  @Test
  void readsRawAndGzipImagesAlike() {
    byte[] raw = images(3, 2, 4);
    IdxImages a = IdxReader.readImages(write(dir.resolve("a-idx3-ubyte"), raw));
    IdxImages b = IdxReader.readImages(write(dir.resolve("b-idx3-ubyte.gz"), gzip(raw)));
    for (IdxImages im : new IdxImages[] {a, b}) {
      assertEquals(3, im.count());
      assertEquals(2, im.rows());
      assertEquals(4, im.cols());
      assertEquals(8, im.pixelsPerImage());
      assertEquals(23, im.pixel(2, 1, 3));
    }
    assertArrayEquals(a.pixels(), b.pixels());
  }

  @Test
  void detectsGzipByContentNotByName() {
    byte[] raw = images(1, 2, 2);
    IdxImages im = IdxReader.readImages(write(dir.resolve("looks-raw"), gzip(raw)));
    assertEquals(4, im.pixels().length);
    IdxImages im2 = IdxReader.readImages(write(dir.resolve("looks-zipped.gz"), raw));
    assertArrayEquals(im.pixels(), im2.pixels());
  }

  @Test
  void pixelsAreUnsigned() {
    byte[] file = idx(IdxReader.IMAGES_MAGIC, new int[] {1, 1, 2}, new byte[] {(byte) 255, 7});
    IdxImages im = IdxReader.readImages(new ByteArrayInputStream(file), "mem");
    assertEquals(255, im.pixel(0, 0, 0));
    assertEquals(7, im.pixel(0, 0, 1));
  }

  @Test
  void readsLabelsFromStreamWithoutClosingIt() {
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(gzip(labels(0, 9, 3))) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    IdxLabels l = IdxReader.readLabels(in, "mem", 10);
    assertArrayEquals(new int[] {0, 9, 3}, l.values());
    assertEquals(3, l.count());
    assertFalse(closed[0]);
  }

  @Test
  void wrongMagicNamesFileAndExpectedValue() {
    Path f = write(dir.resolve("imgs"), idx(0x0803_0000, new int[] {1, 1, 1}, new byte[1]));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
    assertContains(e, f.toString(), "wrong magic number", "expected 2051");
  }

  @Test
  void labelFileGivenAsImagesSaysSo() {
    Path f = write(dir.resolve("labels.gz"), gzip(labels(1, 2)));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
    assertContains(e, f.toString(), "wrong magic number 2049", "expected 2051", "label file");
    Path g = write(dir.resolve("images"), images(1, 1, 1));
    DataException e2 = assertThrows(DataException.class, () -> IdxReader.readLabels(g, 10));
    assertContains(e2, g.toString(), "wrong magic number 2051", "expected 2049", "image file");
  }

  @Test
  void truncatedPayloadGivesExpectedAndFoundBytes() {
    byte[] full = images(2, 3, 3);
    Path f = write(dir.resolve("short"), Arrays.copyOf(full, full.length - 5));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
    assertContains(e, f.toString(), "truncated", "expected 34 bytes", "found 29");
  }

  @Test
  void truncatedHeaderAndEmptyFile() {
    Path f = write(dir.resolve("hdr"), Arrays.copyOf(images(2, 3, 3), 10));
    assertContains(assertThrows(DataException.class, () -> IdxReader.readImages(f)),
        "truncated", "expected 16 bytes", "found 10");
    Path empty = write(dir.resolve("empty"), new byte[0]);
    assertContains(assertThrows(DataException.class, () -> IdxReader.readLabels(empty, 10)),
        empty.toString(), "truncated", "expected 8 bytes", "found 0");
  }

  @Test
  void truncatedGzipStreamIsReported() {
    byte[] zipped = gzip(images(50, 28, 28));
    Path f = write(dir.resolve("cut.gz"), Arrays.copyOf(zipped, zipped.length / 2));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(f));
    assertContains(e, f.toString(), "truncated", "expected 39216 bytes after decompression");
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] full = labels(1, 2, 3);
    Path f = write(dir.resolve("long"), Arrays.copyOf(full, full.length + 2));
    assertContains(assertThrows(DataException.class, () -> IdxReader.readLabels(f, 10)),
        f.toString(), "unexpected data after the end", "expected 11 bytes");
  }

  @Test
  void labelOutOfRangeNamesValueIndexAndClasses() {
    Path f = write(dir.resolve("labels"), labels(0, 4, 12, 9, 200));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(f, 10));
    assertContains(e, f.toString(), "label 12 at index 2", "10 classes", "0..9", "2 of 5");
    assertEquals(5, IdxReader.readLabels(f, 256).count());
  }

  @Test
  void missingFileIsADataException() {
    Path f = dir.resolve("nope");
    assertContains(assertThrows(DataException.class, () -> IdxReader.readImages(f)),
        f.toString(), "cannot read");
  }

  static void assertContains(Exception e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part),
          () -> "message lacks \"" + part + "\": " + e.getMessage());
    }
  }
}
