package dev.bpnet.examples.bench;

import dev.bpnet.runtime.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark of issue 7 (run it with {@code bench/run.sh}): ms per SGD step of the generated
 * trainer (2-pass, 3-pass paper, 3-pass exact), the hand-tuned ND4J reference
 * ({@link HandTunedMlp}), DL4J SameDiff's {@code fit} and PyTorch (bench/torch_mlp.py), side by
 * side in one invocation, float32, with the thread count the caller pinned through
 * OMP_NUM_THREADS. For each network and batch size the Java contenders are timed interleaved
 * (see {@link Timing}), PyTorch's blocks among them ({@link TorchRunner}). Also measured:
 * each generated step's gemm calls alone ({@link GemmFloor}), the INDArray bytes a warmed-up
 * step allocates ({@link AllocationCount}) and the warm compile time of every example model
 * ({@link CompileTiming}). Prints a table and the JSON lines and writes both to {@code --out}.
 *
 * <p>Other processes' use of the CPUs before and during the run is measured ({@link OtherLoad})
 * and printed with the results; {@code --record FILE} also writes the Markdown table to FILE (a
 * recorded run, the source of BENCHMARKS.md's figures), but only when the machine was quiet.
 *
 * <p>Exit codes: 0 done, 2 usage error, 3 a failure while measuring, 4 not recorded: the machine
 * was not quiet.
 */
public final class Bench {
  private static final double LR = 0.01;
  static final long SEED = 1;

  private Bench() {}

  public static void main(String[] args) {
    BenchOptions opts;
    try {
      opts = BenchOptions.parse(args);
    } catch (BenchOptions.UsageException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    try {
      Report.Run run = run(opts, String.join(" ", args));
      System.out.println(Report.markdown(run));
      Report.jsonLines(run).forEach(System.out::println);
      Report.write(run, opts.out());
      System.out.println("\nwrote " + opts.out().resolve("results.jsonl") + " and " + opts.out().resolve("results.md"));
      if (opts.record() != null) {
        if (!run.quiet()) {
          System.err.println("bench: not recorded in " + opts.record() + ": other processes used "
              + OtherLoad.cores(run.othersBefore()) + " before and " + OtherLoad.cores(run.othersDuring())
              + " during the run (a recorded run allows " + OtherLoad.cores(OtherLoad.QUIET_CORES)
              + "); the results above are kept in " + opts.out() + " and are not benchmarks");
          System.exit(4);
        }
        Report.record(run, opts.record());
        System.out.println("recorded in " + opts.record());
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: failed: " + dev.bpnet.runtime.io.IoErrors.describe(e));
      System.exit(3);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(3);
    }
  }

  static Report.Run run(BenchOptions opts, String argLine) throws IOException, InterruptedException {
    String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
    String loadBefore = Machine.loadAverage();
    double othersBefore = OtherLoad.sample(opts.quietSampleSeconds());
    OtherLoad.Snapshot start = OtherLoad.Snapshot.now();
    double childSeconds = 0;
    List<String> notes = new ArrayList<>();
    TorchRunner torch = null;
    if (opts.impls().contains("pytorch")) {
      torch = new TorchRunner(opts.python(), opts.torchScript(), threads, opts.torchMalloc().equals("fixed"));
      String why = torch.unavailable();
      if (why != null) {
        notes.add(why);
        torch = null;
      }
    }
    String sameDiffExact = opts.impls().contains("samediff") && opts.modes().contains("3pass-exact")
        ? SameDiffMlp.doubleBackwardUnsupported() : null;
    List<Row> rows = new ArrayList<>();
    for (int[] sizes : opts.networks()) {
      for (int batch : opts.batches()) {
        System.err.printf("bench: %s batch %d%n", BenchOptions.name(sizes), batch);
        TorchRunner.Session session = null;
        if (torch != null) {
          try {
            session = torch.start(List.of("--sizes", String.join(",", BenchOptions.name(sizes).split("-")),
                "--batch", Integer.toString(batch)), opts.modes());
          } catch (TorchRunner.NoTorchException e) {
            notes.add(e.getMessage());
            torch = null;
          }
        }
        try {
          rows.addAll(group(opts, sizes, batch, sameDiffExact, session));
        } finally {
          if (session != null) {
            childSeconds += session.cpuMs() / 1000;
            session.close();
          }
        }
        if (torch != null && opts.modes().contains("3pass-paper")) {
          rows.add(Row.skipped("pytorch", "3pass-paper", sizes, batch, "paper mode is bpnet's ABP; PyTorch has no built-in counterpart"));
        }
      }
    }
    List<CompileTiming.Result> compile = opts.examples() == null ? List.of()
        : CompileTiming.measure(opts.examples(), opts.compileRepeats());
    double othersDuring = OtherLoad.Snapshot.now().othersSince(start, childSeconds);
    java.util.Map<String, String> machine = new java.util.LinkedHashMap<>(Machine.describe(threads));
    machine.put("torch_malloc", TorchRunner.malloc(opts.torchMalloc().equals("fixed")));
    return new Report.Run(machine, opts.cpuClock() ? "cpu" : "wall", loadBefore, Machine.loadAverage(),
        othersBefore, othersDuring, "bench/run.sh " + argLine, rows, compile, Targets.check(rows, compile), notes);
  }

  /** The benchmark batch: uniform inputs {@code x}, one-hot labels {@code y} drawn from {@link #SEED}. */
  static Map<String, INDArray> feeds(int[] sizes, int batch) {
    INDArray x = Nd4j.rand(DataType.FLOAT, batch, sizes[0]);
    INDArray y = Nd4j.zeros(DataType.FLOAT, batch, sizes[sizes.length - 1]);
    Random r = new Random(SEED);
    for (int i = 0; i < batch; i++) {
      y.putScalar(i, r.nextInt(sizes[sizes.length - 1]), 1.0);
    }
    return Map.of("x", x, "y", y);
  }

  /** Every Java contender on one network and batch size, timed interleaved. */
  private static List<Row> group(BenchOptions opts, int[] sizes, int batch, String sameDiffExact,
      TorchRunner.Session torch) {
    Map<String, INDArray> feeds = feeds(sizes, batch);
    INDArray x = feeds.get("x");
    INDArray y = feeds.get("y");
    List<Timing.Contender> contenders = new ArrayList<>();
    List<Row> skipped = new ArrayList<>();
    HandTunedMlp hand = null;
    if (opts.impls().contains("hand-tuned")) {
      for (String mode : opts.modes()) {
        if (mode.equals("2pass")) {
          HandTunedMlp h = hand = new HandTunedMlp(sizes, DataType.FLOAT, SEED);
          contenders.add(new Timing.Contender("hand-tuned", mode, n -> {
            for (int i = 0; i < n; i++) {
              h.step(x, y, LR);
            }
          }));
        } else {
          skipped.add(Row.skipped("hand-tuned", mode, sizes, batch, "the hand-tuned reference is a 2-pass trainer"));
        }
      }
    }
    Map<String, Trainer> trainers = new HashMap<>();
    Map<String, GemmFloor> floors = new HashMap<>();
    Map<String, String> sources = new HashMap<>();
    for (String impl : List.of("bpnet", BenchOptions.UNFUSED)) {
      if (!opts.impls().contains(impl)) {
        continue;
      }
      for (String mode : opts.modes()) {
        GeneratedMlp g = GeneratedMlp.compile(sizes, mode, LR, SEED, impl.equals("bpnet"));
        Trainer t = g.trainer();
        t.step(feeds);  // allocates the buffers the gemm floor reads
        trainers.put(impl + " " + mode, t);
        sources.put(impl + " " + mode, g.java());
        contenders.add(new Timing.Contender(impl, mode, n -> {
          for (int i = 0; i < n; i++) {
            t.step(feeds);
          }
        }));
        GemmFloor floor = GemmFloor.of(g.java(), t);
        contenders.add(new Timing.Contender(impl + "-gemms", mode, floor::run));
        floors.put(impl + " " + mode, floor);
      }
    }
    if (opts.impls().contains("samediff")) {
      for (String mode : opts.modes()) {
        if (mode.equals("2pass")) {
          SameDiffMlp sd = new SameDiffMlp(sizes, x, y, LR, SEED);
          contenders.add(new Timing.Contender("samediff", mode, sd::steps));
        } else if (mode.equals("3pass-exact") && sameDiffExact != null) {
          skipped.add(Row.skipped("samediff", mode, sizes, batch, sameDiffExact));
        } else {
          skipped.add(Row.skipped("samediff", mode, sizes, batch,
              mode.equals("3pass-paper") ? "paper mode is bpnet's ABP; SameDiff has no built-in counterpart"
                  : "double backward not wired into the benchmark"));
        }
      }
    }
    if (torch != null) {
      contenders.addAll(torch.contenders());
    }
    List<Timing.Result> results = Timing.interleaved(contenders, opts.repeats(), opts.blockSeconds(), opts.warmupSeconds());
    List<Row> rows = new ArrayList<>();
    for (Timing.Result res : results) {
      Timing.Contender c = res.contender();
      switch (c.impl()) {
        case "bpnet-gemms", "bpnet-unfused-gemms" -> { }
        case "bpnet", "bpnet-unfused" -> {
          String key = c.impl() + " " + c.mode();
          Trainer t = trainers.get(key);
          Timing.Result gemm = results.stream().filter(o -> o.contender().impl().equals(c.impl() + "-gemms")
              && o.contender().mode().equals(c.mode())).findFirst().orElseThrow();
          GemmFloor floor = floors.get(key);
          double alloc = AllocationCount.bytesPerStep(c.impl() + "-" + c.mode(), () -> t.step(feeds), 3);
          List<StatementProfile.Entry> profile = opts.profile()
              ? StatementProfile.of(sources.get(key), t, opts.repeats()) : List.of();
          rows.add(Row.measured(c.impl(), null, c.mode(), sizes, batch, res, opts.cpuClock(),
              new Row.Gemm(gemm.ms(opts.cpuClock()), floor.count(), floor.shapes()), alloc, profile));
        }
        case "hand-tuned" -> {
          HandTunedMlp h = hand;
          double alloc = AllocationCount.bytesPerStep("hand-tuned", () -> h.step(x, y, LR), 3);
          rows.add(Row.measured("hand-tuned", null, c.mode(), sizes, batch, res, opts.cpuClock(), null, alloc, List.of()));
        }
        default -> rows.add(Row.measured(c.impl(), c.impl().equals("pytorch") ? torch.version() : null, c.mode(),
            sizes, batch, res, opts.cpuClock(), null, null, List.of()));
      }
    }
    rows.addAll(skipped);
    return rows;
  }
}
