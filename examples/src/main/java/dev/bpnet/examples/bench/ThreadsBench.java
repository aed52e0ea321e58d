package dev.bpnet.examples.bench;

import dev.bpnet.runtime.Backend;
import dev.bpnet.runtime.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bench/run.sh --threads-compare}: the generated trainer's step (2-pass, 3-pass paper,
 * 3-pass exact) and the hand-tuned ND4J step with 1 thread against N threads, interleaved in one
 * JVM so that load drift hits both alike. The JVM starts with OMP_NUM_THREADS = N (libnd4j sizes
 * its pool then) and each block first sets its own count with {@link Backend#setThreads}. The
 * ratio N threads / 1 thread is the figure: at most 1 means the extra threads never cost time.
 *
 * <p>Usage: {@code bench/run.sh --threads-compare [--threads N] [--sizes 784-512-10]
 * [--batch 128,512] [--repeats 9] [--block-seconds 0.3] [--out DIR]}.
 */
public final class ThreadsBench {
  private static final double LR = 0.01;
  private static final long SEED = 1;
  private static final List<String> MODES = List.of("2pass", "3pass-paper", "3pass-exact");

  private ThreadsBench() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: failed: " + dev.bpnet.runtime.io.IoErrors.describe(e));
      System.exit(3);
    }
  }

  private static void run(String[] args) throws IOException {
    String sizesText = "784-512-10";
    List<Integer> batches = List.of(128, 512);
    int repeats = 9;
    double block = 0.3;
    Path out = Path.of("runs", "bench-threads-" + System.currentTimeMillis());
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        usage(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--sizes" -> sizesText = v;
        case "--batch" -> batches = java.util.Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
        case "--repeats" -> repeats = Integer.parseInt(v);
        case "--block-seconds" -> block = Double.parseDouble(v);
        case "--out" -> out = Path.of(v);
        default -> usage("unknown option " + args[i]);
      }
      i++;
    }
    int n = Backend.threads();
    if (n < 2) {
      usage("start it with --threads N, N >= 2 (OMP_NUM_THREADS was " + System.getenv("OMP_NUM_THREADS") + ")");
    }
    int[] sizes = java.util.Arrays.stream(sizesText.split("-")).mapToInt(Integer::parseInt).toArray();
    String loadBefore = Machine.loadAverage();
    StringBuilder md = new StringBuilder();
    md.append("Machine: ").append(String.join(", ", Machine.describe(Integer.toString(n)).entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).toList())).append(".\n");
    md.append("OMP_WAIT_POLICY=").append(System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset"))
        .append(", GOMP_SPINCOUNT=").append(System.getenv().getOrDefault("GOMP_SPINCOUNT", "unset"))
        .append("; load average ").append(loadBefore).append(" before");
    List<String> lines = new ArrayList<>();
    for (int batch : batches) {
      Map<String, INDArray> feeds = Bench.feeds(sizes, batch);
      INDArray x = feeds.get("x");
      INDArray y = feeds.get("y");
      List<Timing.Contender> contenders = new ArrayList<>();
      for (int threads : new int[] {1, n}) {
        for (String mode : MODES) {
          Trainer t = GeneratedMlp.compile(sizes, mode, LR, SEED).trainer();
          contenders.add(new Timing.Contender("bpnet", mode + "@" + threads, steps -> {
            Backend.setThreads(threads);
            for (int k = 0; k < steps; k++) {
              t.step(feeds);
            }
          }));
        }
        HandTunedMlp h = new HandTunedMlp(sizes, DataType.FLOAT, SEED);
        contenders.add(new Timing.Contender("hand-tuned", "2pass@" + threads, steps -> {
          Backend.setThreads(threads);
          for (int k = 0; k < steps; k++) {
            h.step(x, y, LR);
          }
        }));
      }
      System.err.printf("bench: %s batch %d, 1 against %d threads%n", sizesText, batch, n);
      List<Timing.Result> res = Timing.interleaved(contenders, repeats, block, 1.0);
      for (Timing.Result one : res) {
        if (!one.contender().mode().endsWith("@1")) {
          continue;
        }
        String key = one.contender().mode().substring(0, one.contender().mode().length() - 2);
        Timing.Result many = res.stream().filter(o -> o.contender().impl().equals(one.contender().impl())
            && o.contender().mode().equals(key + "@" + n)).findFirst().orElseThrow();
        double ratio = many.wallMsPerStep() / one.wallMsPerStep();
        lines.add(String.format("| %s | %d | %s | %s | %.3f | %.3f | %.2f | %s |", sizesText, batch,
            key, one.contender().impl(), one.wallMsPerStep(), many.wallMsPerStep(), ratio,
            ratio <= 1.0 ? "yes" : "**no**"));
      }
    }
    Backend.setThreads(n);
    md.append(", ").append(Machine.loadAverage()).append(" after.\n\n");
    md.append("Wall-clock ms per step, median of ").append(repeats).append(" interleaved blocks of about ")
        .append(block).append(" s, float32.\n\n");
    md.append("| network | batch | mode | implementation | 1 thread | ").append(n).append(" threads | ")
        .append(n).append(" / 1 | not slower |\n| --- | ---: | --- | --- | ---: | ---: | ---: | --- |\n");
    lines.forEach(l -> md.append(l).append('\n'));
    System.out.print(md);
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.md"), md);
    System.out.println("\nwrote " + out.resolve("results.md"));
  }

  private static void usage(String why) {
    System.err.println("bench: " + why);
    System.err.println("usage: bench/run.sh --threads-compare --threads N [--sizes 784-512-10] [--batch 128,512]"
        + " [--repeats 9] [--block-seconds 0.3] [--out DIR]");
    System.exit(2);
  }
}
