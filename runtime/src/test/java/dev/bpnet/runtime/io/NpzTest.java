package dev.bpnet.runtime.io;

import static dev.bpnet.runtime.io.NpyBytes.assertMessage;
import static dev.bpnet.runtime.io.NpyBytes.npy;
import static dev.bpnet.runtime.io.NpyBytes.write;
import static dev.bpnet.runtime.io.NpyRoundTripTest.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.data.DataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Archives of named arrays: round trips, entry layout, atomic replacement and errors. */
class NpzTest {

  @TempDir Path dir;

  private static Map<String, INDArray> arrays() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("zeta", sample(DataType.FLOAT, 2, 3));
    m.put("grad2/h.W", sample(DataType.DOUBLE, 3, 2, 2));
    m.put("alpha", sample(DataType.LONG));
    m.put("a/b/c.npy", sample(DataType.INT, 4));
    m.put("pix", sample(DataType.UBYTE, 2, 2));
    m.put("mask", sample(DataType.BOOL, 3));
    return m;
  }

  @Test
  void roundTripsStoredAndCompressedInMapOrder() throws IOException {
    for (boolean compressed : new boolean[] {false, true}) {
      Path f = dir.resolve(compressed ? "c.npz" : "s.npz");
      Map<String, INDArray> in = arrays();
      Npz.write(f, in, compressed);
      Map<String, INDArray> out = Npz.read(f);
      assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
      in.forEach((k, v) -> NpyRoundTripTest.assertSame(v, out.get(k)));
      try (ZipFile zip = new ZipFile(f.toFile())) {
        List<? extends ZipEntry> entries = Collections.list(zip.entries());
        assertEquals(List.of("zeta.npy", "grad2/h.W.npy", "alpha.npy", "a/b/c.npy.npy", "pix.npy",
            "mask.npy"), entries.stream().map(ZipEntry::getName).toList());
        for (ZipEntry e : entries) {
          assertEquals(compressed ? ZipEntry.DEFLATED : ZipEntry.STORED, e.getMethod());
          String key = e.getName().substring(0, e.getName().length() - 4);
          assertArrayEquals(Npy.toBytes(in.get(key)), zip.getInputStream(e).readAllBytes());
        }
      }
    }
  }

  @Test
  void defaultIsStoredLikeSavez() throws IOException {
    Path f = dir.resolve("d.npz");
    Npz.write(f, Map.of("x", Nd4j.scalar(2.0)));
    try (ZipFile zip = new ZipFile(f.toFile())) {
      assertEquals(ZipEntry.STORED, zip.getEntry("x.npy").getMethod());
    }
    assertEquals(2.0, Npz.read(f).get("x").getDouble(0));
  }

  @Test
  void emptyArchiveRoundTrips() {
    Path f = dir.resolve("e.npz");
    Npz.write(f, Map.of());
    assertTrue(Npz.read(f).isEmpty());
  }

  @Test
  void replacesExistingFileAndLeavesNoTemporaries() throws IOException {
    Path f = dir.resolve("ckpt.npz");
    Npz.write(f, Map.of("old", Nd4j.scalar(1f)));
    Npz.write(f, Map.of("new", Nd4j.scalar(2f)));
    assertEquals(List.of("new"), List.copyOf(Npz.read(f).keySet()));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList());
    }
  }

  @Test
  void failedWriteLeavesOldFileIntact() throws IOException {
    Path f = dir.resolve("ckpt.npz");
    Npz.write(f, Map.of("old", Nd4j.scalar(1f)));
    byte[] before = Files.readAllBytes(f);
    Map<String, INDArray> bad = new LinkedHashMap<>();
    bad.put("ok", Nd4j.scalar(3f));
    bad.put("half", Nd4j.create(DataType.HALF, 2));
    DataException e = assertThrows(DataException.class, () -> Npz.write(f, bad));
    assertMessage(e, f.toString(), "entry 'half.npy'", "cannot write an array of type HALF");
    assertArrayEquals(before, Files.readAllBytes(f));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void notAZipSaysSo() {
    Path f = write(dir.resolve("t.npz"), "just text".getBytes());
    assertMessage(assertThrows(DataException.class, () -> Npz.read(f)), f.toString(),
        "not a zip archive", "\"just tex\"");
    Path n = write(dir.resolve("a.npy"), Npy.toBytes(Nd4j.scalar(1f)));
    assertMessage(assertThrows(DataException.class, () -> Npz.read(n)), n.toString(),
        "not a zip archive", "this is an .npy file", "Npy.read");
    Path m = dir.resolve("missing.npz");
    assertMessage(assertThrows(DataException.class, () -> Npz.read(m)), m.toString(),
        "no such file");
  }

  @Test
  void truncatedArchiveNamesTheFile() throws IOException {
    Path f = dir.resolve("t.npz");
    Npz.write(f, arrays(), true);
    byte[] whole = Files.readAllBytes(f);
    write(f, Arrays.copyOf(whole, whole.length / 2));
    assertMessage(assertThrows(DataException.class, () -> Npz.read(f)), f.toString(),
        "not a zip archive, or a damaged one");
  }

  @Test
  void badEntriesAreNamed() throws IOException {
    Path f = zip("bad.npz", "good.npy", Npy.toBytes(Nd4j.scalar(1f)),
        "grad2/h.W.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
            NpyBytes.floats(1)));
    assertMessage(assertThrows(DataException.class, () -> Npz.read(f)), f.toString(),
        "entry 'grad2/h.W.npy'", "truncated", "expected 8 bytes", "found 4");
    Path g = zip("other.npz", "readme.txt", "hi".getBytes());
    assertMessage(assertThrows(DataException.class, () -> Npz.read(g)), g.toString(),
        "entry 'readme.txt'", "not an .npy entry");
    Path h = zip("magic.npz", "x.npy", "hi there".getBytes());
    assertMessage(assertThrows(DataException.class, () -> Npz.read(h)), h.toString(),
        "entry 'x.npy'", "bad magic");
  }

  @Test
  void flippedBytesInAStoredEntryAreRefusedByItsCrc() throws IOException {
    INDArray w = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3});
    byte[] npy = Npy.toBytes(w);
    Path f = storedZip("ok.npz", "b.npy", Npy.toBytes(Nd4j.scalar(1f)), "w.npy", npy);
    byte[] whole = Files.readAllBytes(f);
    int at = indexOf(whole, npy);
    assertTrue(at > 0);
    NpyRoundTripTest.assertSame(w, Npz.read(f).get("w"));
    // in the data: still a well-formed .npy, only a number changed
    byte[] data = whole.clone();
    data[at + npy.length - 3] ^= 0x40;
    write(f, data);
    assertMessage(assertThrows(DataException.class, () -> Npz.read(f)), f.toString(),
        "entry 'w.npy'", "damaged", "CRC-32");
    // in the header: the parse error follows from the damage, which is what is reported
    byte[] header = whole.clone();
    header[at + 12] ^= 0x01;
    write(f, header);
    DataException e = assertThrows(DataException.class, () -> Npz.read(f));
    assertMessage(e, f.toString(), "entry 'w.npy'", "damaged", "CRC-32");
    assertTrue(!e.getMessage().contains("Exception"), e.getMessage());
  }

  private static int indexOf(byte[] in, byte[] part) {
    for (int i = 0; i + part.length <= in.length; i++) {
      if (Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    return -1;
  }

  /** A zip of the given name/content pairs, written without the code under test. */
  private Path zip(String name, Object... entries) throws IOException {
    return zip(name, ZipEntry.DEFLATED, entries);
  }

  /** As above with stored entries, as np.savez writes them. */
  private Path storedZip(String name, Object... entries) throws IOException {
    return zip(name, ZipEntry.STORED, entries);
  }

  private Path zip(String name, int method, Object[] entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (int i = 0; i < entries.length; i += 2) {
        ZipEntry e = new ZipEntry((String) entries[i]);
        if (method == ZipEntry.STORED) {
          byte[] content = (byte[]) entries[i + 1];
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(content);
          e.setMethod(ZipEntry.STORED);
          e.setSize(content.length);
          e.setCompressedSize(content.length);
          e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write((byte[]) entries[i + 1]);
        z.closeEntry();
      }
    }
    return write(dir.resolve(name), bytes.toByteArray());
  }
}
