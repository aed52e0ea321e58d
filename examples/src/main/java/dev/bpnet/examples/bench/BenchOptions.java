package dev.bpnet.examples.bench;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one benchmark run measures. Parsed from the command line of {@link Bench}; every
 * option has a default so that no option at all gives the full matrix of issue 7.
 *
 * @param networks layer sizes, e.g. {@code [784, 512, 10]}
 * @param batches batch sizes
 * @param modes {@code 2pass}, {@code 3pass-paper}, {@code 3pass-exact}
 * @param impls implementations to run: {@code bpnet}, {@code hand-tuned}, {@code samediff}, {@code pytorch}
 * @param repeats timed blocks per implementation (the median is reported)
 * @param blockSeconds the length of one timed block; its step count is calibrated in the warm-up
 * @param warmupSeconds minimum warm-up per implementation (and at least 5 steps)
 * @param examples directory whose {@code *\/*.bpnet} files are compile-timed, or null to skip
 * @param compileRepeats timed compiles per example model after one warm-up round
 * @param python the Python interpreter that runs {@code torchScript}
 * @param torchScript bench/torch_mlp.py
 * @param record with {@code --record}, the file a quiet run's Markdown goes to (else null)
 * @param quietSampleSeconds how long other processes' CPU use is sampled before the run
 * @param torchMalloc {@code fixed} (PyTorch's allocator keeps its memory, see TorchRunner) or {@code glibc}
 * @param out where results.jsonl and results.md go
 * @param profile also time each statement of the generated steps alone ({@link StatementProfile})
 * @param cpuClock rank by the stepping thread's CPU time instead of wall-clock time (both are
 *     always recorded); CPU time is less disturbed when other processes share the cores
 */
record BenchOptions(List<int[]> networks, List<Integer> batches, List<String> modes, List<String> impls,
    int repeats, double blockSeconds, double warmupSeconds, Path examples, int compileRepeats,
    String python, Path torchScript, Path out, boolean cpuClock, boolean profile, Path record,
    double quietSampleSeconds, String torchMalloc) {

  static final List<String> ALL_MODES = List.of("2pass", "3pass-paper", "3pass-exact");
  static final List<String> ALL_IMPLS = List.of("bpnet", "hand-tuned", "samediff", "pytorch");
  /**
   * Also accepted by --impl, never run by default: the generated trainer without its emission
   * fusions (every IR node its own ND4J statement, as before them), for before/after timings.
   */
  static final String UNFUSED = "bpnet-unfused";

  static final String USAGE = """
      usage: bench/run.sh [--threads N] [options]
        --sizes 784-512-10,784-1024-1024-10   networks (layer sizes joined by '-')
        --batch 32,128,512                   batch sizes
        --mode 2pass,3pass-paper,3pass-exact modes
        --impl bpnet,hand-tuned,samediff,pytorch  (and bpnet-unfused: the generated step without fusions)
        --repeats 5                          timed blocks per implementation (median reported)
        --block-seconds 0.15                 length of one timed block
        --warmup-seconds 0.3                 minimum warm-up per implementation
        --examples examples | none           .bpnet files whose compile time is measured
        --compile-repeats 5
        --python /usr/bin/python3  --torch-script bench/torch_mlp.py
        --out runs/bench-<time>              results.jsonl and results.md
        --clock wall | cpu                   what ms/step and the ratios use (both are recorded)
        --profile yes                        also time each statement of the generated steps alone
        --record FILE                        also write results.md to FILE, only if the machine was quiet
                                             (other processes used at most 0.10 cores; else exit 4)
        --quiet-sample-seconds 3             how long other processes' CPU use is sampled before the run
        --torch-malloc fixed | glibc         PyTorch's allocator: fixed thresholds (no page faults per step)
                                             or glibc's adaptive defaults""";

  /** Thrown for a bad command line; the message says what was wrong. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static BenchOptions parse(String... args) throws UsageException {
    List<int[]> networks = List.of(new int[] {784, 512, 10}, new int[] {784, 1024, 1024, 10});
    List<Integer> batches = List.of(32, 128, 512);
    List<String> modes = ALL_MODES;
    List<String> impls = ALL_IMPLS;
    int repeats = 5;
    int compileRepeats = 5;
    double block = 0.15;
    double warmup = 0.3;
    Path examples = Path.of("examples");
    String python = "/usr/bin/python3";
    Path torch = Path.of("bench/torch_mlp.py");
    boolean cpuClock = false;
    boolean profile = false;
    Path record = null;
    double quietSample = 3;
    String torchMalloc = "fixed";
    Path out = Path.of("runs", "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    for (int i = 0; i < args.length; i++) {
      String opt = args[i];
      if (i + 1 >= args.length) {
        throw new UsageException("option " + opt + " needs a value");
      }
      String v = args[++i];
      switch (opt) {
        case "--sizes" -> networks = list(v, BenchOptions::network);
        case "--batch" -> batches = list(v, s -> positive(opt, s));
        case "--mode" -> modes = choices(opt, v, ALL_MODES);
        case "--impl" -> impls = choices(opt, v, java.util.stream.Stream.concat(ALL_IMPLS.stream(), java.util.stream.Stream.of(UNFUSED)).toList());
        case "--repeats" -> repeats = positive(opt, v);
        case "--block-seconds" -> block = seconds(opt, v);
        case "--warmup-seconds" -> warmup = seconds(opt, v);
        case "--examples" -> examples = v.equals("none") ? null : Path.of(v);
        case "--compile-repeats" -> compileRepeats = positive(opt, v);
        case "--python" -> python = v;
        case "--torch-script" -> torch = Path.of(v);
        case "--out" -> out = Path.of(v);
        case "--clock" -> cpuClock = choices(opt, v, List.of("wall", "cpu")).contains("cpu");
        case "--profile" -> profile = choices(opt, v, List.of("yes", "no")).contains("yes");
        case "--record" -> record = Path.of(v);
        case "--quiet-sample-seconds" -> quietSample = seconds(opt, v);
        case "--torch-malloc" -> torchMalloc = choices(opt, v, List.of("fixed", "glibc")).get(0);
        default -> throw new UsageException("unknown option " + opt);
      }
    }
    return new BenchOptions(networks, batches, modes, impls, repeats, block, warmup, examples,
        compileRepeats, python, torch, out, cpuClock, profile, record, quietSample, torchMalloc);
  }

  /** "784-512-10" for {@code [784, 512, 10]}. */
  static String name(int[] sizes) {
    return String.join("-", Arrays.stream(sizes).mapToObj(Integer::toString).toList());
  }

  private interface Parse<T> {
    T apply(String s) throws UsageException;
  }

  private static <T> List<T> list(String v, Parse<T> p) throws UsageException {
    List<T> out = new ArrayList<>();
    for (String s : v.split(",")) {
      out.add(p.apply(s.trim()));
    }
    return List.copyOf(out);
  }

  private static int[] network(String s) throws UsageException {
    String[] parts = s.split("-");
    if (parts.length < 2) {
      throw new UsageException("--sizes: '" + s + "' needs at least an input and an output size, e.g. 784-512-10");
    }
    int[] sizes = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      sizes[i] = positive("--sizes", parts[i]);
    }
    return sizes;
  }

  private static List<String> choices(String opt, String v, List<String> allowed) throws UsageException {
    List<String> out = list(v, s -> {
      if (!allowed.contains(s)) {
        throw new UsageException(opt + ": unknown value '" + s + "'; expected one of " + String.join(", ", allowed));
      }
      return s;
    });
    // measured in the canonical order whatever order was given
    return allowed.stream().filter(out::contains).toList();
  }

  private static int positive(String opt, String v) throws UsageException {
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(opt + ": expected a positive integer, got '" + v + "'");
  }

  private static double seconds(String opt, String v) throws UsageException {
    try {
      double d = Double.parseDouble(v);
      if (d > 0 && d < 600) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(opt + ": expected seconds (a number above 0), got '" + v + "'");
  }
}
