package dev.bpnet.runtime.io;

import static dev.bpnet.runtime.io.NpyBytes.assertMessage;
import static dev.bpnet.runtime.io.NpyBytes.floats;
import static dev.bpnet.runtime.io.NpyBytes.npy;
import static dev.bpnet.runtime.io.NpyBytes.write;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.runtime.data.DataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Every way an .npy can be wrong is reported with the file's name and what is wrong. */
class NpyErrorsTest {

  private static final String F4_2X3 =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  @TempDir Path dir;

  private DataException fails(byte[] bytes) {
    Path f = write(dir.resolve("bad.npy"), bytes);
    DataException e = assertThrows(DataException.class, () -> Npy.read(f));
    assertMessage(e, f.toString());
    return e;
  }

  private DataException failsWithHeader(String dict) {
    return fails(npy(dict, floats(1, 2, 3, 4, 5, 6)));
  }

  @Test
  void badMagic() {
    assertMessage(fails("hello, world".getBytes(StandardCharsets.US_ASCII)),
        "not an .npy file (bad magic)", "\\x93NUMPY", "68 65 6c 6c", "\"hello, w\"");
    assertMessage(fails(new byte[0]), "bad magic", "empty file");
    assertMessage(fails(new byte[] {(byte) 0x93, 'N', 'U'}), "bad magic", "only 3 bytes");
  }

  @Test
  void zipGivenAsNpySaysToUseNpz() {
    Path z = dir.resolve("a.npz");
    Npz.write(z, java.util.Map.of("x", Nd4j.scalar(1f)));
    DataException e = assertThrows(DataException.class, () -> Npy.read(z));
    assertMessage(e, z.toString(), "bad magic", "zip archive", "Npz.read");
  }

  @Test
  void unsupportedVersion() {
    byte[] f = npy(F4_2X3, floats(1, 2, 3, 4, 5, 6));
    f[6] = 4;
    assertMessage(fails(f), "unsupported .npy format version 4.0", "1.0, 2.0, 3.0");
  }

  @Test
  void unsupportedDtypeNamesItAndTheSupportedOnes() {
    for (String descr : new String[] {">f4", "<f2", "<c16", "|i1", "<U3", "=f8"}) {
      assertMessage(failsWithHeader(F4_2X3.replace("<f4", descr)),
          "unsupported dtype '" + descr + "'", "supported: '<f4' (FLOAT), '<f8' (DOUBLE)",
          "'<i4' (INT)", "'<i8' (LONG)", "'|u1' (UBYTE)", "'|b1' (BOOL)");
    }
    assertMessage(failsWithHeader(F4_2X3.replace("'<f4'", "[('a', '<f4'), ('b', '<i4')]")),
        "unsupported dtype", "structured", "supported: '<f4'");
  }

  @Test
  void truncatedDataSaysExpectedAndFound() {
    assertMessage(fails(npy(F4_2X3, floats(1, 2, 3, 4, 5))), "truncated",
        "expected 24 bytes", "shape (2, 3) of '<f4'", "found 20");
    byte[] whole = npy(F4_2X3, floats(1, 2, 3, 4, 5, 6));
    assertMessage(fails(Arrays.copyOf(whole, 100)), "truncated", "expected 118 bytes of the header",
        "found 90");
    assertMessage(fails(Arrays.copyOf(whole, 9)), "truncated", "header length", "found 1");
    assertMessage(fails(Arrays.copyOf(whole, 7)), "truncated", "format version", "found 1");
  }

  @Test
  void trailingBytesAreReported() {
    byte[] f = npy(F4_2X3, floats(1, 2, 3, 4, 5, 6, 7));
    assertMessage(fails(f), "4 unexpected bytes after the data", "expected 152");
  }

  @Test
  void malformedHeaders() {
    String[][] cases = {
        {"{'descr': '<f4', 'fortran_order': False}", "keys are [descr, fortran_order]"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", "expected exactly"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", "'fortran_order' is not True"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "'shape' is not a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': 6}", "'shape' is not a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "non-negative integers"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': ('2', 3)}", "non-negative integers"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "unexpected end of header"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", "expected ','"},
        {"{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}", "expected ':'"},
        {"{'descr': '<f4', 'fortran_order': Nope, 'shape': (2, 3)}", "unexpected 'Nope'"},
        {"{'descr': '<f4', 'descr': '<f4', 'shape': (2, 3)}", "duplicate key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", "expected ',' or ')'"},
        {"['descr', '<f4']", "expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", "unexpected text after"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            "too large"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'a': 'x", "unterminated"},
    };
    for (String[] c : cases) {
      assertMessage(failsWithHeader(c[0]), "malformed .npy header", c[1], "header was: ");
    }
  }

  @Test
  void hugeShapesAreRejectedBeforeReading() {
    String dict = F4_2X3.replace("(2, 3)", "(4294967296, 4294967296)");
    assertMessage(failsWithHeader(dict), "too large to read", "(4294967296, 4294967296)");
  }

  @Test
  void unsupportedTypeOnWriteLeavesNoFile() {
    Path f = dir.resolve("h.npy");
    DataException e = assertThrows(DataException.class,
        () -> Npy.write(f, Nd4j.create(DataType.HALF, 2)));
    assertMessage(e, f.toString(), "cannot write an array of type HALF", "supported: '<f4'");
    assertFalse(Files.exists(f));
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope.npy");
    assertMessage(assertThrows(DataException.class, () -> Npy.read(f)), f.toString(),
        "no such file");
  }
}
