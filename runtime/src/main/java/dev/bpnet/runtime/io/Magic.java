package dev.bpnet.runtime.io;

import java.util.Arrays;

/**
 * Recognises .npy and zip files by their first bytes, and describes what was found instead, so
 * that "not an .npy" and "not an .npz" errors can say what the file actually is (the most common
 * mistake being one format given where the other is expected).
 */
final class Magic {

  /** The six bytes every .npy file starts with. */
  static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** {@link #NPY} as NumPy's documentation writes it. */
  static final String NPY_TEXT = "\\x93NUMPY";

  /** A zip local file header; an empty zip starts with its end record instead. */
  private static final byte[][] ZIP = {{'P', 'K', 3, 4}, {'P', 'K', 5, 6}};

  private Magic() {}

  static boolean isNpy(byte[] start) {
    return start.length >= NPY.length && Arrays.equals(start, 0, NPY.length, NPY, 0, NPY.length);
  }

  static boolean isZip(byte[] start) {
    return start.length >= 4
        && Arrays.stream(ZIP).anyMatch(z -> Arrays.equals(start, 0, 4, z, 0, 4));
  }

  /**
   * "found ..." for an error message: the first bytes in hex and as text, saying so if the file
   * ended before the {@code wanted} bytes that were asked for.
   */
  static String found(byte[] start, int wanted) {
    if (start.length == 0) {
      return "found an empty file";
    }
    StringBuilder hex = new StringBuilder();
    StringBuilder text = new StringBuilder();
    for (byte b : start) {
      hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xFF));
      text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
    }
    String only = start.length < wanted ? "only " + start.length + " bytes: " : "";
    return "found " + only + hex + " (\"" + text + "\")";
  }
}
