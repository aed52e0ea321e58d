package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Backend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --threads N} before or after any command; N below 1 is a usage error. */
class ThreadsOptionTest {
  @Test
  void threadsBeforeOrAfterTheCommand(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("m.bpnet");
    Files.writeString(model, CliEndToEndTest.TINY);
    int before = Backend.threads();
    try {
      StringWriter err = new StringWriter();
      assertEquals(0, Main.run(new String[] {"--threads", "2", "params", model.toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err)), err.toString());
      assertEquals(2, Backend.threads());
      assertEquals(0, Main.run(new String[] {"params", model.toString(), "--threads=1"},
          new PrintWriter(new StringWriter()), new PrintWriter(err)), err.toString());
      assertEquals(1, Backend.threads());
      err = new StringWriter();
      assertEquals(Main.USAGE, Main.run(new String[] {"params", "--threads", "0", model.toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err)));
      assertTrue(err.toString().contains("--threads must be at least 1, got 0"), err.toString());
    } finally {
      Backend.setThreads(before);
    }
  }
}
