package dev.bpnet.runtime.io;

import dev.bpnet.runtime.data.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes NumPy's .npz archives: a zip holding one {@code <name>.npy} entry per named
 * array, as {@code np.savez} (entries stored) and {@code np.savez_compressed} (deflated) write
 * them. Names may contain '/', e.g. {@code grad2/h.W}; like NumPy, they are kept as given.
 *
 * <p>This is the format for sets of named arrays (parameters, gradients, reference values) that
 * Python must be able to open with a plain {@code np.load}.
 */
public final class Npz {

  private static final String SUFFIX = ".npy";

  private Npz() {}

  /**
   * Reads every array in {@code file}, in the archive's order, keyed by entry name without the
   * {@code .npy} suffix. Every entry must be an .npy file.
   */
  public static Map<String, INDArray> read(Path file) {
    checkMagic(file);
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
        ZipEntry e = it.nextElement();
        String entry = file + ", entry '" + e.getName() + "'";
        if (e.isDirectory()) {
          continue;
        }
        if (!e.getName().endsWith(SUFFIX)) {
          throw new DataException(entry + ": not an .npy entry (an .npz holds only "
              + "<name>.npy entries)");
        }
        String name = e.getName().substring(0, e.getName().length() - SUFFIX.length());
        if (arrays.containsKey(name)) {
          throw new DataException(entry + ": duplicate entry");
        }
        arrays.put(name, readEntry(zip, e, entry));
      }
    } catch (ZipException e) {
      throw new DataException(file + ": not a zip archive, or a damaged one (an .npz must be a "
          + "zip of .npy entries): " + IoErrors.describe(e), e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
    return arrays;
  }

  /**
   * One entry's array, its CRC-32 checked as {@code np.load} checks it: java.util.zip verifies
   * nothing for stored entries (the kind {@code np.savez} writes), so a flipped bit in the data
   * would otherwise be read as a different number. A parse error in a damaged entry is reported as
   * the damage it follows from.
   */
  private static INDArray readEntry(ZipFile zip, ZipEntry e, String entry) throws IOException {
    CRC32 crc = new CRC32();
    try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), crc)) {
      INDArray a;
      try {
        a = Npy.read(in, entry);
      } catch (DataException x) {
        in.transferTo(OutputStream.nullOutputStream());
        if (damaged(e, crc)) {
          throw new DataException(entry + ": the entry is damaged (its CRC-32 does not match "
              + "its contents)", x);
        }
        throw x;
      }
      if (damaged(e, crc)) {
        throw new DataException(entry + ": the entry is damaged (its CRC-32 does not match its "
            + "contents)");
      }
      return a;
    } catch (ZipException x) {
      throw new DataException(entry + ": corrupt or truncated zip entry: " + IoErrors.describe(x), x);
    }
  }

  /** Whether the checksum of what was read differs from the archive's record of it. */
  private static boolean damaged(ZipEntry e, CRC32 crc) {
    return e.getCrc() != -1 && e.getCrc() != crc.getValue();
  }

  /** Writes {@code arrays} atomically as an .npz with stored entries, as {@code np.savez}. */
  public static void write(Path file, Map<String, INDArray> arrays) {
    write(file, arrays, false);
  }

  /**
   * Writes {@code arrays} to {@code file} as an .npz, entries in map order, deflated if {@code
   * compressed} (as {@code np.savez_compressed}). Atomic: the content goes to a temporary file
   * in the same directory, which is fsynced and then moved over {@code file}, so a crash leaves
   * either the old file or the complete new one.
   */
  public static void write(Path file, Map<String, INDArray> arrays, boolean compressed) {
    Objects.requireNonNull(arrays, "arrays");
    arrays.forEach((name, array) -> {
      if (name == null || name.isEmpty() || array == null) {
        throw new IllegalArgumentException(file + ": null or empty name, or null array: " + name);
      }
    });
    AtomicFiles.write(file, out -> {
      ZipOutputStream zip = new ZipOutputStream(out);
      for (Map.Entry<String, INDArray> a : arrays.entrySet()) {
        ZipEntry e = new ZipEntry(a.getKey() + SUFFIX);
        byte[] npy = Npy.toBytes(a.getValue(), file + ", entry '" + e.getName() + "'");
        if (!compressed) {
          CRC32 crc = new CRC32();
          crc.update(npy);
          e.setMethod(ZipEntry.STORED);
          e.setSize(npy.length);
          e.setCompressedSize(npy.length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(npy);
        zip.closeEntry();
      }
      zip.finish();
    });
  }

  /** Fails early, and clearly, on a missing file or on an .npy given where an .npz belongs. */
  private static void checkMagic(Path file) {
    byte[] start;
    try (InputStream in = Files.newInputStream(file)) {
      start = in.readNBytes(8);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
    if (!Magic.isZip(start)) {
      throw new DataException(file + ": not a zip archive (an .npz must be a zip of .npy "
          + "entries): expected \"PK\", " + Magic.found(start, 8)
          + (Magic.isNpy(start) ? "; this is an .npy file: read it with Npy.read" : ""));
    }
  }
}
