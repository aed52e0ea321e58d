package dev.bpnet.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The benchmark harness end to end on a tiny configuration: every implementation runs (PyTorch
 * only where python3 can import torch), every mode of the generated trainer reports its gemm
 * calls and zero allocations, and every line of results.jsonl is JSON.
 */
class BenchHarnessTest {
  @Test
  void tinyRunWritesATableAndOneJsonLinePerRow(@TempDir Path dir) throws Exception {
    Path examples = Files.createDirectories(dir.resolve("models/tiny"));
    Files.writeString(examples.resolve("tiny.bpnet"), GeneratedMlp.bpnet(new int[] {6, 5, 3}, "2pass", 0.1));
    BenchOptions opts = BenchOptions.parse("--sizes", "12-8-3", "--batch", "4", "--repeats", "1",
        "--block-seconds", "0.002", "--warmup-seconds", "0.002", "--examples", dir.resolve("models").toString(),
        "--compile-repeats", "1", "--torch-script", "../bench/torch_mlp.py", "--out", dir.resolve("out").toString(),
        "--profile", "yes", "--quiet-sample-seconds", "0.05");
    Report.Run run = Bench.run(opts, "test");
    Report.write(run, opts.out());
    // Debian's python3-torch (what the harness looks for) installed: PyTorch must be measured;
    // otherwise it is left out with a note
    boolean torch = Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/torch"));
    assertEquals(!torch, run.notes().stream().anyMatch(n -> n.startsWith("PyTorch not measured")), run.notes().toString());

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(opts.out().resolve("results.jsonl"), StandardCharsets.UTF_8)) {
      lines.add(json.readTree(line));
    }
    Set<String> measured = new HashSet<>();
    for (JsonNode n : lines) {
      if (n.get("kind").asText().equals("step") && n.get("status").asText().equals("ok")) {
        measured.add(n.get("impl").asText() + " " + n.get("mode").asText());
        assertTrue(n.get("ms_per_step").asDouble() > 0, n.toString());
        assertEquals("12-8-3", n.get("network").asText());
      }
      if (n.get("impl") != null && n.get("impl").asText().equals("bpnet")) {
        assertEquals(0.0, n.get("alloc_bytes_per_step").asDouble(), n.toString());
        // 2 forward, 2 dW, 1 dh; the bias sums are BLAS gemv calls, not gemms
        assertTrue(n.get("gemm_calls").asInt() >= 5, n.toString());
      }
    }
    Set<String> expected = new HashSet<>(Set.of("bpnet 2pass", "bpnet 3pass-paper", "bpnet 3pass-exact",
        "hand-tuned 2pass", "samediff 2pass"));
    if (torch) {
      expected.addAll(Set.of("pytorch 2pass", "pytorch 3pass-exact"));
    }
    assertEquals(expected, measured);
    assertTrue(lines.stream().anyMatch(n -> n.get("kind").asText().equals("compile")
        && n.get("model").asText().equals("BenchMlp") && n.get("ms").asDouble() > 0));
    assertEquals("machine", lines.get(0).get("kind").asText());
    String md = Files.readString(opts.out().resolve("results.md"));
    assertTrue(md.contains("| 12-8-3 | 4 | 2pass | bpnet | "), md);
    // --profile times every statement kind of every mode, fused kernels and bound column sums included
    assertTrue(md.contains("`Kernels.negatedMeanDot(y, logP, l);`") && md.contains("`Kernels.logSoftmaxVjp(")
        && md.contains("BOp.run();`"), md);
  }

  /** bpnet-unfused (before/after timings of the fusions) is accepted but never run by default. */
  @Test
  void unfusedTrainerIsAnOptIn() throws Exception {
    assertTrue(BenchOptions.parse("--impl", "bpnet,bpnet-unfused").impls().contains("bpnet-unfused"));
    assertTrue(!BenchOptions.parse().impls().contains("bpnet-unfused"));
    String unfused = GeneratedMlp.compile(new int[] {6, 5, 3}, "2pass", 0.1, 3, false).java();
    String fused = GeneratedMlp.compile(new int[] {6, 5, 3}, "2pass", 0.1, 3, true).java();
    assertTrue(unfused.contains("onesRow") && !unfused.contains("Kernels.logSoftmaxVjp"), unfused);
    assertTrue(fused.contains("Kernels.logSoftmaxVjp") && !fused.contains("onesRow"), fused);
  }

  /** The contenders train the same network from the same start: one SGD step agrees. */
  @Test
  void everyJavaImplementationTakesTheSameStep() {
    int[] sizes = {7, 6, 5, 4};
    INDArray x = Nd4j.rand(DataType.FLOAT, 9, 7);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 9, 4);
    for (int i = 0; i < 9; i++) {
      y.putScalar(i, i % 4, 1.0);
    }
    HandTunedMlp hand = new HandTunedMlp(sizes, DataType.FLOAT, 3);
    SameDiffMlp sd = new SameDiffMlp(sizes, x, y, 0.1, 3);
    Trainer gen = GeneratedMlp.compile(sizes, "2pass", 0.1, 3).trainer();
    hand.step(x, y, 0.1);
    sd.steps(1);
    gen.step(Map.of("x", x, "y", y));
    for (int i = 0; i < 3; i++) {
      String layer = i == 2 ? "logits" : "h" + (i + 1);
      INDArray w = hand.weights()[i];
      assertTrue(w.equalsWithEps(sd.parameter("w" + i), 1e-5), "SameDiff w" + i);
      assertTrue(w.equalsWithEps(gen.parameters().get(layer + ".W"), 1e-5), "bpnet " + layer + ".W");
      assertTrue(hand.biases()[i].equalsWithEps(sd.parameter("b" + i), 1e-5), "SameDiff b" + i);
      assertTrue(hand.biases()[i].equalsWithEps(gen.parameters().get(layer + ".b"), 1e-5), "bpnet " + layer + ".b");
    }
  }

  /**
   * A run is recorded only when other processes left the machine alone: the Markdown of a quiet
   * run goes to the file, a loaded one is refused, and both say which they were.
   */
  @Test
  void onlyAQuietRunIsRecorded(@TempDir Path dir) throws Exception {
    Report.Run quiet = run(0.02, 0.05);
    Report.Run loaded = run(0.02, 0.6);
    assertTrue(quiet.quiet());
    assertTrue(!loaded.quiet() && !run(0.3, 0.01).quiet());
    Path file = dir.resolve("recorded/mlp.md");
    Report.record(quiet, file);
    assertTrue(Files.readString(file).contains("Other processes used 0.02 cores before the run and 0.05 cores during it: a quiet machine."),
        Files.readString(file));
    assertTrue(Report.markdown(loaded).contains("**a loaded machine: these figures are not benchmarks.**"));
    Path refused = dir.resolve("refused.md");
    assertThrows(IllegalStateException.class, () -> Report.record(loaded, refused));
    assertTrue(!Files.exists(refused));
  }

  /** The other processes' share is the machine's busy time less this JVM's and its children's. */
  @Test
  void otherLoadSubtractsTheHarnessItself() {
    OtherLoad.Snapshot a = new OtherLoad.Snapshot(100, 10, 1000);
    // 2 s of wall time: the machine was busy 3 s, this JVM 1.5 s, a child 1 s: others 0.5 s, 0.25 cores
    OtherLoad.Snapshot b = new OtherLoad.Snapshot(103, 11.5, 1002);
    assertEquals(0.25, b.othersSince(a, 1.0), 1e-12);
    assertEquals(0.0, b.othersSince(a, 2.0), 1e-12, "never negative");
    assertEquals("0.25 cores", OtherLoad.cores(0.25));
  }

  private static Report.Run run(double before, double during) {
    return new Report.Run(Map.of("cpu", "test"), "wall", "0 0 0", "0 0 0", before, during, "test", List.of(), List.of(),
        List.of(), List.of());
  }

  @Test
  void badOptionsSayWhatIsWrong() {
    var e = assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("--mode", "4pass"));
    assertEquals("--mode: unknown value '4pass'; expected one of 2pass, 3pass-paper, 3pass-exact", e.getMessage());
    e = assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("--sizes", "784"));
    assertTrue(e.getMessage().contains("at least an input and an output size"), e.getMessage());
    e = assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("--torch-malloc", "jemalloc"));
    assertEquals("--torch-malloc: unknown value 'jemalloc'; expected one of fixed, glibc", e.getMessage());
    e = assertThrows(BenchOptions.UsageException.class, () -> BenchOptions.parse("--batch"));
    assertEquals("option --batch needs a value", e.getMessage());
  }
}
