package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduce/ scripts (REPRODUCTIONS.md), run as a user runs them, with $BPNET a wrapper that
 * starts this build's CLI: every script's sweeps compile (its --check setting: bpnet sweep
 * --dry-run of each, so no model file, model name or grid value rots), every model file there is
 * used by a script, and the cheapest script's --quick setting runs end to end and writes its
 * summaries (their figures are the runs', checked by SweepTest, not here).
 */
class ReproduceScriptsTest {
  private static final Path REPRODUCE = Path.of("../reproduce");

  @TempDir
  Path tmp;

  record Ran(int code, String output) {}

  private Ran run(Path script, String... options) throws Exception {
    Path bpnet = tmp.resolve("bpnet");
    if (!Files.exists(bpnet)) {
      String java = ProcessHandle.current().info().command().orElse("java");
      Files.writeString(bpnet, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path")
          + "' " + Main.class.getName() + " \"$@\"\n");
      bpnet.toFile().setExecutable(true);
    }
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(options));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("BPNET", bpnet.toString());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    return new Ran(p.waitFor(), out);
  }

  private static List<Path> scripts() throws Exception {
    try (var s = Files.list(REPRODUCE)) {
      return s.filter(p -> p.toString().endsWith(".sh") && !p.getFileName().toString().equals("lib.sh")).sorted().toList();
    }
  }

  @Test
  void everyScriptsSweepsCompileAndEveryModelFileIsUsed() throws Exception {
    List<Path> scripts = scripts();
    assertTrue(scripts.size() >= 6, "a script per paper result: " + scripts);
    StringBuilder all = new StringBuilder();
    for (Path script : scripts) {
      Ran r = run(script, "--check", "--out", tmp.resolve("check").toString());
      assertEquals(0, r.code(), script + ":\n" + r.output());
      long sweeps = r.output().lines().filter(l -> l.startsWith("== ")).count();
      long compiled = r.output().lines().filter(l -> l.startsWith("dry run: every combination compiles")).count();
      assertTrue(sweeps > 0 && sweeps == compiled, script + ": every sweep compiles:\n" + r.output());
      all.append(Files.readString(script));
    }
    assertTrue(!Files.exists(tmp.resolve("check")) || Files.walk(tmp.resolve("check")).noneMatch(p -> p.endsWith("runs")),
        "--check trains nothing");
    try (var s = Files.list(REPRODUCE)) {
      for (Path model : s.filter(p -> p.toString().endsWith(".bpnet")).toList()) {
        assertTrue(all.toString().contains(model.getFileName().toString()), model + " is used by no script");
      }
    }
  }

  @Test
  void theLinearBackpropScriptsQuickSettingWritesItsSummaries() throws Exception {
    Path out = tmp.resolve("seed002");
    Ran r = run(REPRODUCE.resolve("seed002_linear.sh"), "--quick", "--out", out.toString());
    assertEquals(0, r.code(), r.output());
    for (String[] sweep : new String[][] {{"tanh", "CubicLinearBackprop", "CubicBackprop"},
        {"relu", "CubicLinearBackpropRelu", "CubicBackpropRelu"}}) {
      Path dir = out.resolve(sweep[0]);
      String md = Files.readString(dir.resolve("summary.md"));
      assertTrue(md.startsWith("| model | runs | final train_loss |") && md.contains("test_mse"), md);
      for (int m = 1; m < 3; m++) {
        assertTrue(md.contains("| `" + sweep[m] + "` | 2 |"), sweep[m] + ", two seeds:\n" + md);
      }
      assertEquals(3, Files.readAllLines(dir.resolve("summary.csv")).size(), "a header and a row per model");
      assertNotNull(javax.imageio.ImageIO.read(dir.resolve("summary.png").toFile()), "the bands' PNG");
    }
  }
}
