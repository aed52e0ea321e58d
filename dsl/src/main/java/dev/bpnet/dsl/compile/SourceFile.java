package dev.bpnet.dsl.compile;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** A .bpnet file's name (as positions show it) and text, read as strict UTF-8. */
public record SourceFile(String name, String text) {
  /** The largest model file read: models are written by hand (the largest example is 3 KB). */
  public static final long MAX_BYTES = 16L << 20;

  /** Reads a file; a missing, unreadable or binary file is a diagnostic, not an exception. */
  public static SourceFile read(Path path) {
    String name = path.toString();
    byte[] bytes;
    try {
      // a device or a pipe (/dev/zero, a FIFO) would be read forever or block
      if (Files.exists(path) && !Files.isDirectory(path) && !Files.isRegularFile(path)) {
        throw fail(ErrorCode.E14, name, "not a regular file (a device, pipe or socket); name a .bpnet file");
      }
      if (Files.isRegularFile(path) && Files.size(path) > MAX_BYTES) {
        throw fail(ErrorCode.E14, name, String.format(java.util.Locale.ROOT,
            "%,d bytes, over the %,d a model file may have", Files.size(path), MAX_BYTES));
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw fail(ErrorCode.E14, name, "no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw fail(ErrorCode.E14, name, "permission denied");
    } catch (java.nio.file.FileSystemException e) {
      // its message repeats the path; the reason is the OS's words ("Is a directory")
      throw fail(ErrorCode.E14, name, e.getReason() == null ? "input/output error" : e.getReason());
    } catch (IOException e) {
      throw fail(ErrorCode.E14, name, e.getMessage() == null ? "input/output error" : e.getMessage());
    }
    for (byte b : bytes) {
      if (b == 0) {
        throw fail(ErrorCode.E16, name, "a NUL byte");
      }
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
      return new SourceFile(name, text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (CharacterCodingException e) {
      throw fail(ErrorCode.E16, name, "bytes that are not UTF-8");
    }
  }

  private static CompileException fail(ErrorCode code, String name, String why) {
    String msg = code == ErrorCode.E14 ? code.format(name, why) : code.format(why);
    return new CompileException(List.of(new Diagnostic(code, new Pos(name, 1, 1, 0), msg)));
  }
}
