package dev.bpnet.runtime.io;

import dev.bpnet.runtime.data.DataException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The header dict of an .npy file: element type, memory order and shape.
 *
 * <p>Parsing checks everything NumPy checks (exactly the three keys, a tuple of non-negative
 * integers as the shape) so that a bad header fails here, with the file's name, rather than as
 * a wrong-sized read later.
 */
record NpyHeader(NpyDtype dtype, boolean fortranOrder, long[] shape) {

  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

  /** Room NumPy leaves in a header for the first axis to grow to 21 digits in place. */
  private static final int GROWTH_DIGITS = 21;

  /** Parses the header text (without preamble) of the file or entry named {@code source}. */
  static NpyHeader parse(String text, String source) {
    Map<String, Object> dict;
    try {
      dict = PyLiteral.parseDict(text);
    } catch (IllegalArgumentException e) {
      throw malformed(source, e.getMessage(), text);
    }
    if (!dict.keySet().equals(KEYS)) {
      throw malformed(source, "keys are " + dict.keySet() + ", expected exactly " + KEYS, text);
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new DataException(String.format("%s: unsupported dtype %s (a structured or non-string "
          + "descr); supported: %s", source, dict.get("descr"), NpyDtype.supported()));
    }
    NpyDtype dtype = NpyDtype.ofDescr(descr);
    if (dtype == null) {
      throw new DataException(String.format("%s: unsupported dtype '%s'; supported: %s",
          source, descr, NpyDtype.supported()));
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw malformed(source, "'fortran_order' is not True or False", text);
    }
    if (!(dict.get("shape") instanceof PyLiteral.Tuple tuple)) {
      throw malformed(source, "'shape' is not a tuple", text);
    }
    List<Object> dims = tuple.items();
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long d) || d < 0) {
        throw malformed(source, "'shape' is not a tuple of non-negative integers", text);
      }
      shape[i] = d;
    }
    return new NpyHeader(dtype, fortran, shape);
  }

  /** The number of elements, or -1 if it overflows a long. */
  long count() {
    long n = 1;
    for (long d : shape) {
      if (d != 0 && n > Long.MAX_VALUE / d) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  /** The shape as Python writes it: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
  String shapeText() {
    String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    return "(" + dims + (shape.length == 1 ? ",)" : ")");
  }

  /**
   * Preamble and header exactly as NumPy 1.24 writes them: version 1.0 (2.0 only if the header
   * exceeds 65535 bytes), the dict, growth room, spaces to a multiple of 64 bytes, newline.
   */
  byte[] encode() {
    String dict = String.format("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
        dtype.descr, fortranOrder ? "True" : "False", shapeText());
    if (shape.length > 0) {
      long growing = shape[fortranOrder ? shape.length - 1 : 0];
      dict += " ".repeat(GROWTH_DIGITS - Long.toString(growing).length());
    }
    int prefix = dict.length() + 1 + 10 <= 65535 ? 10 : 12;
    int pad = 64 - (prefix + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer out = ByteBuffer.allocate(prefix + header.length()).order(ByteOrder.LITTLE_ENDIAN);
    out.put(Magic.NPY).put((byte) (prefix == 10 ? 1 : 2)).put((byte) 0);
    if (prefix == 10) {
      out.putShort((short) header.length());
    } else {
      out.putInt(header.length());
    }
    return out.put(header.getBytes(StandardCharsets.ISO_8859_1)).array();
  }

  private static DataException malformed(String source, String what, String text) {
    String shown = text.strip();
    shown = shown.length() <= 200 ? shown : shown.substring(0, 200) + "...";
    return new DataException(String.format("%s: malformed .npy header: %s; header was: %s",
        source, what, shown));
  }
}
