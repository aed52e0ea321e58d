package dev.bpnet.examples.bench;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Buffers;
import dev.bpnet.runtime.Convolutions;
import dev.bpnet.runtime.Trainer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The convolutional benchmark of issue 13 ({@code bench/run.sh --conv}): ms per SGD step of the
 * generated trainer (2-pass, 3-pass paper, 3-pass exact) of a LeNet-5-style net on [1, 28, 28] and
 * seed 000's plain-20 on [3, 32, 32], float32, interleaved in one JVM (see {@link Timing}), with
 * DL4J SameDiff's 2-pass {@code fit} ({@link SameDiffConv}) and PyTorch's step on the same nets
 * (bench/torch_conv.py, its exact double backward for 3-pass)
 * among them ({@link TorchRunner}; its allocator fixed unless {@code --torch-malloc glibc}), and
 * other processes' use of the CPUs during the blocks ({@link OtherLoad}). Also timed interleaved: the step's
 * convolution ops alone (every Conv2d, Conv2dTranspose and Conv2dFilter of the trainer, run on
 * its own buffers) and a float32 sgemm of the size of the model's largest convolution gemm, so
 * that the convolutions' FLOP rate can be read against the machine's gemm rate.
 *
 * <p>Every figure is this thread's (PyTorch: its process's) CPU time per step, with wall time
 * beside it: with one BLAS thread the step's work runs on the calling thread, and on a shared
 * machine CPU time is inflated less by other processes than wall time is.
 *
 * <p>Usage: {@code [--models lenet,plain20] [--modes 2pass,3pass-paper,3pass-exact]
 * [--impl bpnet,samediff,pytorch] [--conv-impl auto,java,native,dnnl,dnnl-plain,dnnl-blocked] [--batch 128] [--repeats 5]
 * [--block-seconds 0.3] [--torch-malloc fixed|glibc] [--profile no|yes] [--out DIR]}. {@code --conv-impl} times each
 * mode's trainer once per setting of {@code Convolutions.use} in the same rounds (rows
 * {@code bpnet-auto}, {@code bpnet-java}, ...); {@code dnnl-plain} and {@code dnnl-blocked} are {@code dnnl}
 * with {@code -Dbpnet.dnnl.layout=plain} or {@code blocked} ({@code dnnl} alone: its auto rule);
 * a setting with {@code -unshared} (e.g. {@code auto-unshared}) binds every convolution to
 * reorder its own inputs, without the copies of earlier ones ({@code Convolutions.ConvOp#reuse}),
 * and one with {@code -unaligned} leaves the trainer's buffers where ND4J allocates them (16-byte
 * aligned) instead of on 64-byte boundaries ({@code Buffers}).
 * {@code --profile yes} adds, after the timing, where each bpnet step's time goes: every
 * statement of its generated source run alone on the trainer's own buffers, and run in sequence
 * as the step runs them, each timed where it stands ({@link StatementProfile}), in CPU µs per call.
 * Exit codes: 0 done, 2 usage error, 3 a failure while measuring.
 */
public final class ConvBench {
  private static final double LR = 0.01;
  private static final long SEED = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConvBench() {}

  /** One row of the table; {@code pytorchMs} the same mode's PyTorch figure, NaN if none. */
  private record Row(String model, String impl, String mode, double ms, double wallMs, double convGflop,
      double convsAloneMs, double allocBytes, String note) {}

  public static void main(String[] args) {
    Map<String, String> o = new LinkedHashMap<>(Map.of("--models", "lenet,plain20", "--modes",
        "2pass,3pass-paper,3pass-exact", "--impl", "bpnet,samediff,pytorch", "--batch", "128", "--repeats", "5",
        "--block-seconds", "0.3", "--warmup-seconds", "1.5", "--python", "/usr/bin/python3", "--torch-malloc", "fixed",
        "--out", "runs/conv-bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    o.put("--conv-impl", "");  // Map.of takes at most 10 pairs
    o.put("--profile", "no");
    for (int i = 0; i < args.length; i++) {
      if (!o.containsKey(args[i]) || i + 1 == args.length) {
        System.err.println("bench: unknown or incomplete option " + args[i] + "; options: " + o.keySet());
        System.exit(2);
      }
      o.put(args[i], args[++i]);
    }
    try {
      run(o);
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: failed: " + dev.bpnet.runtime.io.IoErrors.describe(e));
      System.exit(3);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(3);
    }
  }

  private static void run(Map<String, String> o) throws IOException, InterruptedException {
    List<String> modes = List.of(o.get("--modes").split(","));
    List<String> impls = List.of(o.get("--impl").split(","));
    int batch = Integer.parseInt(o.get("--batch"));
    int repeats = Integer.parseInt(o.get("--repeats"));
    double block = Double.parseDouble(o.get("--block-seconds"));
    double warm = Double.parseDouble(o.get("--warmup-seconds"));
    String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
    // --conv-impl auto,java: each mode's trainer once per setting of Convolutions.use, timed in
    // the same rounds (rows bpnet-auto, bpnet-java); empty: one trainer, the JVM's setting
    List<String> convImpls = o.get("--conv-impl").isEmpty() ? List.of("") : List.of(o.get("--conv-impl").split(","));
    StringBuilder md = new StringBuilder();
    List<String> jsonl = new ArrayList<>();
    md.append("machine: ").append(Machine.describe(threads)).append("\n");
    md.append("convolutions: ").append(Convolutions.oneDnn() ? "libnd4j with oneDNN" : "libnd4j without oneDNN")
        .append(Convolutions.dnnl() ? ", oneDNN direct loaded" : ", oneDNN direct not loaded")
        .append(", bpnet.conv = ").append(Convolutions.impl().name().toLowerCase(Locale.ROOT)).append("\n");
    md.append("uptime before: ").append(uptime()).append("\n\n");
    for (String model : o.get("--models").split(",")) {
      System.err.println("bench: " + model + " batch " + batch + "  (" + uptime() + ")");
      int[] shape = model.equals("lenet") ? new int[] {1, 28, 28} : new int[] {3, 32, 32};
      INDArray x = Nd4j.rand(DataType.FLOAT, batch, shape[0], shape[1], shape[2]);
      INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
      Random r = new Random(SEED);
      for (int i = 0; i < batch; i++) {
        y.putScalar(i, r.nextInt(10), 1.0);
      }
      Map<String, INDArray> feeds = Map.of("x", x, "y", y);
      List<Timing.Contender> contenders = new ArrayList<>();
      Map<String, Trainer> trainers = new LinkedHashMap<>();
      Map<String, String> javaSources = new LinkedHashMap<>();
      Map<String, List<Runnable>> convs = new LinkedHashMap<>();
      Map<String, Long> flops = new LinkedHashMap<>();
      long[] biggest = new long[3];
      if (impls.contains("bpnet")) {
        for (String mode : modes) {
          for (String ci : convImpls) {
            String impl = ci.isEmpty() ? "bpnet" : "bpnet-" + ci;
            String key = impl + " " + mode;
            Convolutions.Impl before = Convolutions.impl();
            String layout = System.getProperty("bpnet.dnnl.layout");
            // -unshared: every convolution reorders its own inputs (ConvOp.reuse off); -unaligned:
            // the buffers where ND4J puts them (Buffers' alignment off); both for before/after
            boolean unshared = ci.contains("-unshared");
            String setting = ci.replaceAll("-(unshared|unaligned)", "");
            if (!ci.isEmpty()) {
              // dnnl-plain, dnnl-blocked: oneDNN with -Dbpnet.dnnl.layout=plain or blocked (dnnl: auto)
              Convolutions.use(Convolutions.Impl.valueOf(setting.replaceAll("-(plain|blocked)$", "").toUpperCase(Locale.ROOT)));
              System.setProperty("bpnet.dnnl.layout", ConvOpProbe.layoutOf(setting));
            }
            JavaFile jf = generate(source(model, mode));
            javaSources.put(key, jf.toString());
            Trainer t = instantiate(jf);
            String share = System.getProperty(Convolutions.ConvOp.SHARE_PROPERTY);
            if (unshared) {
              System.setProperty(Convolutions.ConvOp.SHARE_PROPERTY, "false");
            }
            String align = System.getProperty(Buffers.ALIGN_PROPERTY);
            if (ci.contains("-unaligned")) {
              System.setProperty(Buffers.ALIGN_PROPERTY, "false");
            }
            t.step(feeds);  // allocates the buffers and binds the conv ops
            restore(Buffers.ALIGN_PROPERTY, align);
            restore(Convolutions.ConvOp.SHARE_PROPERTY, share);
            Convolutions.use(before);
            restore("bpnet.dnnl.layout", layout);
            trainers.put(key, t);
            List<Runnable> ops = new ArrayList<>();
            flops.put(key, convOps(t, ops, biggest));
            convs.put(key, ops);
            contenders.add(new Timing.Contender(impl, mode, n -> {
              for (int i = 0; i < n; i++) {
                t.step(feeds);
              }
            }));
            contenders.add(new Timing.Contender("convs " + impl, mode, n -> {
              for (int i = 0; i < n; i++) {
                ops.forEach(Runnable::run);
              }
            }));
          }
        }
      }
      if (impls.contains("samediff") && modes.contains("2pass")) {
        SameDiffConv sd = new SameDiffConv(model, x, y, LR);
        contenders.add(new Timing.Contender("samediff", "2pass", sd::steps));
      }
      // the machine's float32 gemm rate at the size of the model's largest convolution gemm
      int m = (int) Math.max(biggest[0], 16);
      int k = (int) Math.max(biggest[1], 144);
      int n = (int) Math.max(biggest[2], 1024);
      INDArray ga = Nd4j.rand(DataType.FLOAT, m, k);
      INDArray gb = Nd4j.rand(DataType.FLOAT, k, n);
      INDArray gc = Nd4j.create(DataType.FLOAT, m, n);
      contenders.add(new Timing.Contender("sgemm", m + "x" + k + "x" + n, steps -> {
        for (int i = 0; i < steps; i++) {
          Nd4j.gemm(ga, gb, gc, false, false, 1.0, 0.0);
        }
      }));
      TorchRunner.Session session = null;
      if (impls.contains("pytorch")) {
        TorchRunner torch = new TorchRunner(o.get("--python"), Path.of("bench/torch_conv.py"), threads,
            o.get("--torch-malloc").equals("fixed"));
        String why = torch.unavailable();
        try {
          session = why != null ? null : torch.start(List.of("--model", model, "--batch", Integer.toString(batch)), modes);
        } catch (TorchRunner.NoTorchException e) {
          why = e.getMessage();
        }
        if (session != null) {
          contenders.addAll(session.contenders());
          md.append("PyTorch's allocator: ").append(torch.malloc()).append("\n\n");
        } else {
          System.err.println("bench: " + why);
        }
      }
      String loadBefore = uptime();
      OtherLoad.Snapshot start = OtherLoad.Snapshot.now();
      List<Timing.Result> results;
      double childSeconds = 0;
      try {
        results = Timing.interleaved(contenders, repeats, block, warm);
      } finally {
        if (session != null) {
          childSeconds = session.cpuMs() / 1000;
          session.close();
        }
      }
      double others = OtherLoad.Snapshot.now().othersSince(start, childSeconds);
      String loadAfter = uptime() + "; other processes used " + OtherLoad.cores(others)
          + (others <= OtherLoad.QUIET_CORES ? " (quiet)" : " (**loaded: not a benchmark**)");
      double gemmRate = Double.NaN;
      List<Row> rows = new ArrayList<>();
      for (Timing.Result res : results) {
        Timing.Contender c = res.contender();
        if (c.impl().equals("sgemm")) {
          gemmRate = 2.0 * m * k * n / (res.cpuMsPerStep() * 1e6);
        }
      }
      for (Timing.Result res : results) {
        Timing.Contender c = res.contender();
        if (!c.impl().startsWith("bpnet")) {
          continue;
        }
        String key = c.impl() + " " + c.mode();
        double alone = results.stream().filter(q -> q.contender().impl().equals("convs " + c.impl())
            && q.contender().mode().equals(c.mode())).findFirst().orElseThrow().cpuMsPerStep();
        Trainer t = trainers.get(key);
        double alloc = AllocationCount.bytesPerStep("conv-" + key.replace(' ', '-'), () -> t.step(feeds), 3);
        rows.add(new Row(model, c.impl(), c.mode(), res.cpuMsPerStep(), res.wallMsPerStep(), flops.get(key) / 1e9,
            alone, alloc, ""));
      }
      for (Timing.Result res : results) {
        if (res.contender().impl().equals("samediff")) {
          rows.add(new Row(model, "samediff", res.contender().mode(), res.cpuMsPerStep(), res.wallMsPerStep(),
              Double.NaN, Double.NaN, Double.NaN, "fit"));
        }
      }
      if (session != null) {
        for (Timing.Result res : results) {
          if (res.contender().impl().equals("pytorch")) {
            String mode = res.contender().mode();
            rows.add(new Row(model, "pytorch-" + session.version(), mode, res.cpuMsPerStep(), res.wallMsPerStep(),
                Double.NaN, Double.NaN, Double.NaN, mode.equals("3pass-exact") ? "double backward" : ""));
          }
        }
      }
      String t = table(model, batch, rows, gemmRate, m + "x" + k + "x" + n, loadBefore, loadAfter);
      System.out.println(t);
      md.append(t).append("\n");
      if (o.get("--profile").equals("yes")) {
        for (Row row : rows) {
          if (row.impl().startsWith("bpnet")) {
            String p = profile(row, javaSources.get(row.impl() + " " + row.mode()),
                trainers.get(row.impl() + " " + row.mode()), repeats);
            System.out.println(p);
            md.append(p).append("\n");
          }
        }
      }
      for (Row row : rows) {
        jsonl.add(JSON.writeValueAsString(Map.of("model", row.model(), "impl", row.impl(), "mode", row.mode(),
            "batch", batch, "cpu_ms_per_step", row.ms(), "wall_ms_per_step", row.wallMs(), "conv_gflop", row.convGflop(),
            "convs_alone_ms", row.convsAloneMs(), "alloc_bytes_per_step", row.allocBytes(),
            "sgemm_gflops", gemmRate)));
      }
    }
    md.append("uptime after: ").append(uptime()).append("\n");
    jsonl.forEach(System.out::println);
    Path out = Path.of(o.get("--out"));
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.md"), md);
    Files.write(out.resolve("results.jsonl"), jsonl);
    System.out.println("\nwrote " + out.resolve("results.md") + " and " + out.resolve("results.jsonl"));
  }

  private static String table(String model, int batch, List<Row> rows, double gemmRate, String gemmShape,
      String loadBefore, String loadAfter) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "### %s, batch %d, float32 (load %s -> %s)%n%n", model, batch,
        loadBefore, loadAfter));
    b.append(String.format(Locale.ROOT, "sgemm %s alone: %.1f GFLOP/s%n%n", gemmShape, gemmRate));
    b.append("| impl | mode | CPU ms/step | wall ms/step | vs PyTorch | vs bpnet 2-pass | conv GFLOP/step | convs alone ms | conv GFLOP/s in step | convs alone GFLOP/s | % of sgemm | INDArray B/step |\n");
    b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Row r : rows) {
      double two = rows.stream().filter(q -> q.impl().equals(r.impl()) && q.mode().equals("2pass")).mapToDouble(Row::ms)
          .findFirst().orElse(Double.NaN);
      double torch = rows.stream().filter(q -> q.impl().startsWith("pytorch") && q.mode().equals(r.mode()))
          .mapToDouble(Row::ms).findFirst().orElse(Double.NaN);
      boolean bp = r.impl().startsWith("bpnet");
      double rateStep = r.convGflop() / (r.ms() / 1e3);
      double rateAlone = r.convGflop() / (r.convsAloneMs() / 1e3);
      b.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.impl(), r.mode(),
          r.ms(), r.wallMs(), bp ? num(r.ms() / torch, "%.2fx") : "", bp ? num(r.ms() / two, "%.2fx") : "",
          bp ? num(r.convGflop(), "%.3f") : "", bp ? num(r.convsAloneMs(), "%.2f") : "",
          bp ? num(rateStep, "%.1f") : "", bp ? num(rateAlone, "%.1f") : "",
          bp ? num(100 * rateAlone / gemmRate, "%.0f%%") : "", bp ? num(r.allocBytes(), "%.0f") : r.note()));
    }
    return b.toString();
  }

  /**
   * Where a step's time goes: each statement of the generated source alone, in the order of the
   * source, with the sum against the step's own time (the difference is what runs between the
   * statements, and each statement's cache misses in the step that running it alone hides).
   */
  private static String profile(Row row, String javaSource, Trainer t, int repeats) {
    List<StatementProfile.Entry> alone = StatementProfile.of(javaSource, t, repeats);
    StatementProfile.Sequence seq = StatementProfile.inSequence(javaSource, t, Math.max(5, 4 * repeats));
    List<StatementProfile.Entry> inStep = seq.entries();
    double sumAlone = alone.stream().mapToDouble(StatementProfile.Entry::us).sum();
    double sumInStep = inStep.stream().mapToDouble(StatementProfile.Entry::us).sum();
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "Statements of the %s %s step, %s (CPU µs per call; alone: sum %.3f ms; in sequence, as the step runs"
            + " them: sum %.3f ms, a whole sequence %.3f ms; the step: %.3f ms):%n%n"
            + "| statement | alone µs | in sequence µs |%n| --- | ---: | ---: |%n",
        row.impl(), row.mode(), row.model(), sumAlone / 1000, sumInStep / 1000, seq.roundUs() / 1000, row.ms()));
    for (int i = 0; i < alone.size(); i++) {
      b.append("| `").append(alone.get(i).statement()).append("` | ")
          .append(String.format(Locale.ROOT, "%.1f | %.1f", alone.get(i).us(), inStep.get(i).us())).append(" |\n");
    }
    return b.toString();
  }

  /** Sets a system property back to what it was (null: unset). */
  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  private static String num(double v, String f) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
  }

  /** The model text: the nets of bench/torch_conv.py, plain SGD, alpha = 0.8 with three passes. */
  static String source(String model, String mode) {
    StringBuilder b = new StringBuilder("model Bench").append(model.equals("lenet") ? "LeNet" : "Plain20").append(" {\n");
    if (model.equals("lenet")) {
      b.append("  input x: [1, 28, 28]\n  label y: [10]\n");
      b.append("  c1 = relu(conv2d(x, 6, kernel = 5, padding = same))\n  p1 = max_pool(c1, 2)\n");
      b.append("  c2 = relu(conv2d(p1, 16, kernel = 5))\n  p2 = max_pool(c2, 2)\n");
      b.append("  h1 = relu(dense(flatten(p2), 120))\n  h2 = relu(dense(h1, 84))\n  logits = dense(h2, 10)\n");
    } else if (model.equals("plain20")) {
      b.append("  input x: [3, 32, 32]\n  label y: [10]\n");
      b.append("  c1 = relu(conv2d(x, 16, kernel = 3, padding = same))\n");
      String prev = "c1";
      int[] filters = {16, 32, 64};
      for (int s = 0; s < 3; s++) {
        for (int i = 1; i <= 6; i++) {
          String name = "s" + (s + 1) + "_" + i;
          b.append("  ").append(name).append(" = relu(conv2d(").append(prev).append(", ").append(filters[s])
              .append(", kernel = 3").append(s > 0 && i == 1 ? ", stride = 2" : "").append(", padding = same))\n");
          prev = name;
        }
      }
      b.append("  logits = dense(global_avg_pool(").append(prev).append("), 10)\n");
    } else {
      throw new IllegalArgumentException("unknown model " + model + " (lenet, plain20)");
    }
    b.append("  loss = softmax_cross_entropy(logits, y)\n  train {\n    ");
    b.append(switch (mode) {
      case "2pass" -> "passes = 2";
      case "3pass-paper" -> "passes = 3   alpha = 0.8   third = paper";
      case "3pass-exact" -> "passes = 3   alpha = 0.8   third = exact";
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    });
    b.append("\n    optimizer = sgd(lr = ").append(LR).append(")\n    init = kaiming   seed = 1\n  }\n}\n");
    return b.toString();
  }

  private static JavaFile generate(String src) {
    TrainingGraph tg = FileCompiler.model(new SourceFile("bench.bpnet", src), null);
    return FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE);
  }

  private static Trainer instantiate(JavaFile jf) {
    Class<? extends Trainer> c = InMemoryJavac.compile(jf, Trainer.class);
    try {
      return c.getConstructor(DataType.class, long.class).newInstance(DataType.FLOAT, SEED);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + c.getName(), e);
    }
  }

  /**
   * The trainer's convolution ops (its fields of the three convolution types, bound by the step
   * that allocated them) into {@code ops}; returns their FLOPs per step and keeps the largest
   * forward gemm's m, k, n in {@code biggest}.
   */
  private static long convOps(Trainer t, List<Runnable> ops, long[] biggest) {
    long total = 0;
    for (Field f : t.getClass().getDeclaredFields()) {
      Object v;
      try {
        f.setAccessible(true);
        v = f.get(t);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("cannot read " + f.getName(), e);
      }
      if (v instanceof Convolutions.Conv2d c) {
        ops.add(c::run);
        total += c.flops();
        if (c.flops() > 2 * biggest[0] * biggest[1] * biggest[2]) {
          long[] mkn = c.gemmShape();
          System.arraycopy(mkn, 0, biggest, 0, 3);
        }
      } else if (v instanceof Convolutions.Conv2dTranspose c) {
        ops.add(c::run);
        total += c.flops();
      } else if (v instanceof Convolutions.Conv2dFilter c) {
        ops.add(c::run);
        total += c.flops();
      }
    }
    if (ops.isEmpty()) {
      throw new IllegalStateException("no convolution op among the trainer's fields");
    }
    return total;
  }

  private static String uptime() {
    return Machine.loadAverage();
  }
}
