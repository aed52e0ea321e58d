package dev.bpnet.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The outcome of a run, in two forms: {@code results.jsonl} (one JSON object per line: the
 * machine, one per (implementation, network, batch, mode), one per example compile, one per
 * target) and {@code results.md} (the same as Markdown tables, ready for BENCHMARKS.md).
 * Ratios are to the generated trainer (bpnet) of the same network, batch and mode.
 */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Everything one run produced; {@code clock} is "wall" or "cpu" (what ms/step means);
   * {@code othersBefore}/{@code othersDuring}: cores other processes used ({@link OtherLoad}).
   */
  record Run(Map<String, String> machine, String clock, String loadBefore, String loadAfter, double othersBefore,
      double othersDuring, String command, List<Row> rows, List<CompileTiming.Result> compile,
      List<Targets.Target> targets, List<String> notes) {
    /** Whether other processes left the machine to the run, before and during it. */
    boolean quiet() {
      return othersBefore <= OtherLoad.QUIET_CORES && othersDuring <= OtherLoad.QUIET_CORES;
    }
  }

  private Report() {}

  static List<String> jsonLines(Run run) throws JsonProcessingException {
    List<String> out = new ArrayList<>();
    ObjectNode m = JSON.createObjectNode().put("kind", "machine");
    run.machine().forEach(m::put);
    m.put("load_before", run.loadBefore()).put("load_after", run.loadAfter()).put("command", run.command())
        .put("others_cores_before", run.othersBefore()).put("others_cores_during", run.othersDuring())
        .put("quiet", run.quiet());
    out.add(JSON.writeValueAsString(m));
    for (Row r : run.rows()) {
      ObjectNode n = JSON.createObjectNode().put("kind", "step").put("impl", r.impl());
      if (r.version() != null) {
        n.put("version", r.version());
      }
      n.put("network", r.network()).put("batch", r.batch()).put("mode", r.mode()).put("dtype", "float32")
          .put("threads", run.machine().get("omp_num_threads"));
      n.putArray("sizes").addAll(java.util.Arrays.stream(r.sizes()).mapToObj(JSON.getNodeFactory()::numberNode).toList());
      if (!r.ok()) {
        n.put("status", "skipped").put("reason", r.skipped());
        out.add(JSON.writeValueAsString(n));
        continue;
      }
      n.put("status", "ok").put("ms_per_step", r.ms()).put("clock", run.clock())
          .put("wall_ms_per_step", r.wallMs()).put("cpu_ms_per_step", r.cpuMs()).put("steps_per_block", r.steps());
      var runs = n.putArray("runs_ms");
      for (double v : r.runsMs()) {
        runs.add(v);
      }
      vsBpnet(run.rows(), r).ifPresent(v -> n.put("vs_bpnet", v));
      if (r.gemm() != null) {
        n.put("gemm_ms", r.gemm().ms()).put("gemm_calls", r.gemm().calls()).put("step_over_gemm", r.ms() / r.gemm().ms())
            .put("gemm_share", r.gemm().ms() / r.ms());
        var shapes = n.putArray("gemm_shapes_mkn");
        r.gemm().shapes().forEach(shapes::add);
      }
      if (r.allocBytesPerStep() != null) {
        n.put("alloc_bytes_per_step", r.allocBytesPerStep());
      }
      if (!r.profile().isEmpty()) {
        var p = n.putArray("statement_cpu_us");
        r.profile().forEach(e -> p.addObject().put("statement", e.statement()).put("us", e.us()));
      }
      out.add(JSON.writeValueAsString(n));
    }
    for (CompileTiming.Result c : run.compile()) {
      ObjectNode n = JSON.createObjectNode().put("kind", "compile").put("file", c.file()).put("model", c.model())
          .put("ms", c.ms());
      var runs = n.putArray("runs_ms");
      for (double v : c.runsMs()) {
        runs.add(v);
      }
      out.add(JSON.writeValueAsString(n));
    }
    for (Targets.Target t : run.targets()) {
      out.add(JSON.writeValueAsString(JSON.createObjectNode().put("kind", "target").put("target", t.what())
          .put("measured", t.measured()).put("limit", t.limit()).put("met", t.met())));
    }
    for (String note : run.notes()) {
      out.add(JSON.writeValueAsString(JSON.createObjectNode().put("kind", "note").put("text", note)));
    }
    return out;
  }

  static String markdown(Run run) {
    StringBuilder b = new StringBuilder();
    b.append("Machine: ").append(run.machine().get("cpu")).append(", ").append(run.machine().get("logical_cpus"))
        .append(" logical CPUs, ").append(run.machine().get("memory")).append("; JDK ").append(run.machine().get("jdk"))
        .append("; ND4J ").append(run.machine().get("nd4j")).append(" (nd4j-native ")
        .append(run.machine().get("nd4j_native")).append("), OpenBLAS ").append(run.machine().get("openblas"));
    run.rows().stream().filter(r -> r.impl().equals("pytorch") && r.version() != null).findFirst()
        .ifPresent(r -> b.append("; PyTorch ").append(r.version()).append(" (allocator: ")
            .append(run.machine().get("torch_malloc")).append(")"));
    b.append("; OMP_NUM_THREADS=").append(run.machine().get("omp_num_threads"))
        .append(", OPENBLAS_CORETYPE=").append(run.machine().get("openblas_coretype"))
        .append("; load average ").append(run.loadBefore()).append(" before, ").append(run.loadAfter()).append(" after.\n\n");
    b.append("Other processes used ").append(OtherLoad.cores(run.othersBefore())).append(" before the run and ")
        .append(OtherLoad.cores(run.othersDuring())).append(" during it: ")
        .append(run.quiet() ? "a quiet machine." : "**a loaded machine: these figures are not benchmarks.**")
        .append("\n\n");
    b.append("Command: `").append(run.command()).append("`; ms/step is the median ")
        .append(run.clock().equals("cpu") ? "CPU time of the stepping thread (process CPU time for PyTorch)" : "wall-clock time")
        .append(" per step over the timed blocks.\n\n");
    b.append("| network | batch | mode | implementation | ms/step | × bpnet | gemms alone (calls) | step / gemms | INDArray B/step |\n");
    b.append("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Row r : run.rows()) {
      if (!r.ok()) {
        continue;
      }
      b.append("| ").append(r.network()).append(" | ").append(r.batch()).append(" | ").append(r.mode()).append(" | ")
          .append(r.impl()).append(" | ").append(f(r.ms(), 3)).append(" | ")
          .append(vsBpnet(run.rows(), r).map(v -> f(v, 2)).orElse("")).append(" | ")
          .append(r.gemm() == null ? "" : f(r.gemm().ms(), 3) + " (" + r.gemm().calls() + ")").append(" | ")
          .append(r.gemm() == null ? "" : f(r.ms() / r.gemm().ms(), 2)).append(" | ")
          .append(r.allocBytesPerStep() == null ? "" : f(r.allocBytesPerStep(), 0)).append(" |\n");
    }
    if (!run.targets().isEmpty()) {
      b.append("\nTargets (").append(Targets.NETWORK).append(", batch ").append(Targets.BATCH).append("):\n\n");
      b.append("| target | measured | limit | met |\n| --- | ---: | ---: | --- |\n");
      for (Targets.Target t : run.targets()) {
        b.append("| ").append(t.what()).append(" | ").append(f(t.measured(), 3)).append(" | ").append(f(t.limit(), 2))
            .append(" | ").append(t.met() ? "yes" : "**no**").append(" |\n");
      }
    }
    if (!run.compile().isEmpty()) {
      b.append("\nWarm compile, .bpnet file -> loaded trainer class:\n\n| example | model | ms |\n| --- | --- | ---: |\n");
      for (CompileTiming.Result c : run.compile()) {
        b.append("| ").append(c.file()).append(" | ").append(c.model()).append(" | ").append(f(c.ms(), 0)).append(" |\n");
      }
    }
    for (Row r : run.rows()) {
      if (r.profile().isEmpty()) {
        continue;
      }
      double total = r.profile().stream().mapToDouble(StatementProfile.Entry::us).sum();
      b.append("\nStatements of the generated ").append(r.mode()).append(" step alone, ").append(r.network())
          .append(", batch ").append(r.batch()).append(" (CPU µs per call; sum ").append(f(total / 1000, 3))
          .append(" ms of a ").append(f(r.cpuMs(), 3)).append(" ms step):\n\n| statement | µs |\n| --- | ---: |\n");
      r.profile().forEach(e -> b.append("| `").append(e.statement()).append("` | ").append(f(e.us(), 1)).append(" |\n"));
    }
    List<String> skipped = run.rows().stream().filter(r -> !r.ok())
        .map(r -> r.impl() + " " + r.mode() + ": " + r.skipped()).distinct().toList();
    if (!run.notes().isEmpty() || !skipped.isEmpty()) {
      b.append("\nNot measured:\n\n");
      run.notes().forEach(n -> b.append("- ").append(n).append('\n'));
      skipped.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }

  static void write(Run run, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("results.jsonl"), jsonLines(run), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.md"), markdown(run), StandardCharsets.UTF_8);
  }

  /** A quiet run's Markdown, written to {@code file} (the harness refuses a loaded run before this). */
  static void record(Run run, Path file) throws IOException {
    if (!run.quiet()) {
      throw new IllegalStateException("a run on a loaded machine is not recorded");
    }
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, markdown(run), StandardCharsets.UTF_8);
  }

  /** This row's time over the generated trainer's of the same network, batch and mode. */
  static Optional<Double> vsBpnet(List<Row> rows, Row r) {
    return rows.stream().filter(o -> o.ok() && o.is("bpnet", r.network(), r.batch(), r.mode())).findFirst()
        .map(o -> r.ms() / o.ms());
  }

  private static String f(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}
