package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Backend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
      for (String n : new String[] {"1025", "32768", "99999"}) {
        err = new StringWriter();
        assertEquals(Main.USAGE, Main.run(new String[] {"--threads", n, "params", model.toString()},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("--threads must be at most 1024, got " + n), err.toString());
      }
      assertEquals(1, Backend.threads(), "a refused count reaches no library");
    } finally {
      Backend.setThreads(before);
    }
  }

  /**
   * More than one thread warns on the commands that compute while OpenMP's idle workers spin
   * (they made 2-thread steps several times slower), and only there: {@code params} and
   * {@code check} stay quiet, and so does an environment with passive workers.
   */
  @Test
  void moreThanOneThreadWarnsWhereItComputes(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("m.bpnet");
    Files.writeString(model, CliEndToEndTest.TINY);
    int before = Backend.threads();
    try {
      StringWriter err = new StringWriter();
      assertEquals(0, Main.run(new String[] {"--threads", "2", "params", model.toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err)), err.toString());
      assertTrue(err.toString().isEmpty(), err.toString());
      String warning = Main.threadsWarning(2, "train", Map.of());
      assertTrue(warning != null && warning.startsWith("warning: 2 threads") && warning.contains("OMP_WAIT_POLICY=passive"),
          String.valueOf(warning));
      assertEquals(warning, Main.threadsWarning(2, "train", Map.of("OMP_WAIT_POLICY", "active")));
      assertEquals(warning, Main.threadsWarning(2, "train", Map.of("GOMP_SPINCOUNT", "300000")));
      assertEquals(null, Main.threadsWarning(2, "train", Map.of("OMP_WAIT_POLICY", "PASSIVE ")));
      assertEquals(null, Main.threadsWarning(2, "train", Map.of("GOMP_SPINCOUNT", "0")));
      assertEquals(null, Main.threadsWarning(1, "train", Map.of()));
      assertEquals(null, Main.threadsWarning(4, "check", Map.of()));
      err = new StringWriter();
      // printed before the command runs (this one then fails fast: no such file)
      Main.run(new String[] {"--threads", "2", "train", tmp.resolve("missing.bpnet").toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err));
      // this JVM's own environment decides (surefire sets no OMP_WAIT_POLICY; a caller may)
      if (Backend.idleWorkersSpin(System.getenv())) {
        assertTrue(err.toString().contains(warning), err.toString());
      } else {
        assertFalse(err.toString().contains("warning: 2 threads"), err.toString());
      }
    } finally {
      Backend.setThreads(before);
    }
  }

  /**
   * The bpnet script exports --threads N as OMP_NUM_THREADS, which libnd4j reads as it loads
   * (and crashes on at 32768): only N the CLI accepts may go there. Run on a copy of the script
   * whose build is up to date and whose {@code java} prints what it was given.
   */
  @Test
  void theScriptExportsOnlyCountsTheCliAccepts(@TempDir Path tmp) throws Exception {
    Path script = scriptWithJava(tmp, "echo \"$OMP_NUM_THREADS\"");
    Path bin = tmp.resolve("bin");
    String[][] cases = {{"--threads", "8", "8"}, {"--threads=1024", "", "1024"}, {"--threads", "1025", "1"},
        {"--threads=32768", "", "1"}, {"--threads", "99999999999999999999", "1"}, {"--threads", "08", "1"},
        {"--threads", "0", "1"}, {"--threads", "-3", "1"}};
    for (String[] c : cases) {
      java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(script.toString(), "check", "m.bpnet", c[0]));
      if (!c[1].isEmpty()) {
        cmd.add(c[1]);
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
      pb.environment().remove("OMP_NUM_THREADS");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      assertEquals(0, p.waitFor(), out);
      assertEquals(c[2], out, String.join(" ", cmd));
    }
  }

  /**
   * BPNET_CONV is read by the runtime when the first convolution binds, mid-training; a typo must
   * be a usage error from the script before anything runs, as BPNET_ND4J's is. Run on a copy of
   * the script whose build is up to date and whose {@code java} only says it ran.
   */
  @Test
  void theScriptRefusesAnUnknownConvolutionImplementation(@TempDir Path tmp) throws Exception {
    Path script = scriptWithJava(tmp, "echo ran");
    Path bin = tmp.resolve("bin");
    for (String conv : new String[] {"auto", "java", "native", "dnnl", "fast", "onednn"}) {
      ProcessBuilder pb = new ProcessBuilder(script.toString(), "check", "m.bpnet").redirectErrorStream(true);
      pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
      pb.environment().put("BPNET_CONV", conv);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      boolean known = !conv.equals("fast") && !conv.equals("onednn");
      assertEquals(known ? 0 : 2, p.waitFor(), conv + ": " + out);
      assertEquals(known ? "ran" : "bpnet: BPNET_CONV must be auto, java, native or dnnl; got '" + conv + "'", out, conv);
    }
  }

  /**
   * A copy of the bpnet script in tmp whose build is up to date (an empty classpath file newer
   * than every source) and, in tmp/bin (to go first on PATH), a {@code java} that runs {@code body}.
   */
  private static Path scriptWithJava(Path tmp, String body) throws java.io.IOException {
    Path script = tmp.resolve("bpnet");
    Files.copy(Path.of("../bpnet"), script);
    script.toFile().setExecutable(true);
    Files.createDirectories(tmp.resolve("cli/target/classes"));
    Files.writeString(tmp.resolve("cli/target/cli.cp"), "");
    Path fakeJava = Files.createDirectories(tmp.resolve("bin")).resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\n" + body + "\n");
    fakeJava.toFile().setExecutable(true);
    return script;
  }
}
