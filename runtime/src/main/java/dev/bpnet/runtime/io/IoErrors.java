package dev.bpnet.runtime.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.zip.ZipException;

/**
 * What an I/O failure means, in words, for a message that already names the file: users read
 * these, so no exception class names ({@code java.nio.file.NoSuchFileException}) and no library
 * text that points at its own documentation. Every "cannot read/write FILE: ..." message of the
 * runtime and the CLI goes through {@link #describe}.
 */
public final class IoErrors {
  private IoErrors() {}

  /** "no such file or directory", "permission denied", "corrupt compressed data (...)", ... */
  public static String describe(Throwable e) {
    if (e instanceof NoSuchFileException x) {
      return "no such file or directory" + other(x);
    }
    if (e instanceof AccessDeniedException x) {
      return "permission denied" + other(x);
    }
    if (e instanceof FileAlreadyExistsException x) {
      return "a file of that name is in the way" + other(x);
    }
    if (e instanceof NotDirectoryException x) {
      return "a path component is a file, not a directory" + other(x);
    }
    if (e instanceof DirectoryNotEmptyException x) {
      return "the directory is not empty" + other(x);
    }
    if (e instanceof FileSystemLoopException) {
      return "symbolic links form a loop";
    }
    if (e instanceof FileSystemException x) {
      // the OS reason ("Not a directory", "Is a directory", "No space left on device")
      String reason = x.getReason();
      return (reason == null ? "file system error" : lower(reason)) + other(x);
    }
    if (e instanceof EOFException) {
      return "the data ends early (the file is truncated)";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (e instanceof ZipException) {
      String m = e.getMessage();
      return "corrupt compressed data" + (m == null ? "" : " (" + lower(clean(m)) + ")");
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e instanceof IOException ? "input/output error" : "unexpected failure";
    }
    return clean(m);
  }

  /** The second file of a two-file failure (a rename), if there is one. */
  private static String other(FileSystemException x) {
    return x.getOtherFile() == null ? "" : " (" + x.getOtherFile() + ")";
  }

  /**
   * A library's message without what does not belong in ours: class names such as
   * {@code com.google.gson.stream.MalformedJsonException:} and "See https://..." pointers.
   */
  public static String clean(String m) {
    String s = m.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(?:Exception|Error):\\s*", "");
    s = s.replaceAll("\\s*\\n?\\s*See https?://\\S+", "");
    s = s.replaceAll("https?://\\S+", "");
    return s.replace('\n', ' ').strip();
  }

  private static String lower(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
