package dev.bpnet.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * PyTorch's steps from bench/torch_mlp.py (or bench/torch_conv.py), run as a child process with the same thread count,
 * whose timed blocks the harness interleaves with the Java contenders' ({@link Timing}): the
 * script is started with {@code --serve} and runs a block of N steps of a mode when asked, so
 * that drift in machine load hits PyTorch as it hits the others. (Run after the Java
 * contenders, as it once was, a PyTorch figure taken while something else ran was recorded 4
 * times too slow.) Its {@code 2pass} is plain backprop, its {@code 3pass} the exact double
 * backward ({@code create_graph=True}), reported as {@code 3pass-exact}. PyTorch has no
 * counterpart of bpnet's paper mode. Its allocator is fixed ({@link #FIXED_MALLOC}) unless
 * {@code --torch-malloc glibc} asks for glibc's defaults.
 */
final class TorchRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * glibc's allocator settings for PyTorch's process under {@code --torch-malloc fixed} (the
   * default): blocks up to 32 MiB come from the heap, and up to 256 MiB of freed heap stays
   * mapped. With glibc's own, adaptive thresholds, whether a step's large tensors are mapped afresh
   * (and page-faulted in, at every step) depends on the allocation history: measured here,
   * 784-512-10 at batch 128 took 2.3 ms (2-pass) and 7.3-7.7 ms (exact) per step with these
   * settings, and anywhere from 3.4 to 14 ms and 11 to 43 ms without them. The JVM contenders
   * allocate nothing per step, so they have no such variance.
   */
  static final java.util.Map<String, String> FIXED_MALLOC = java.util.Map.of(
      "MALLOC_MMAP_THRESHOLD_", "33554432", "MALLOC_TRIM_THRESHOLD_", "268435456");

  private final String python;
  private final Path script;
  private final String threads;
  private final boolean fixedMalloc;

  /**
   * @param script bench/torch_mlp.py or bench/torch_conv.py
   * @param threads OMP_NUM_THREADS of the harness ("unset": 1)
   * @param fixedMalloc whether PyTorch runs with {@link #FIXED_MALLOC}
   */
  TorchRunner(String python, Path script, String threads, boolean fixedMalloc) {
    this.python = python;
    this.script = script;
    this.threads = threads;
    this.fixedMalloc = fixedMalloc;
  }

  /** Null when the script and the interpreter exist, else why PyTorch is not measured. */
  String unavailable() {
    if (!Files.isRegularFile(script)) {
      return "PyTorch not measured: " + script + " not found";
    }
    if (!Files.isExecutable(Path.of(python))) {
      return "PyTorch not measured: no Python interpreter at " + python;
    }
    return null;
  }

  /** How PyTorch's allocator was set, for the report. */
  String malloc() {
    return malloc(fixedMalloc);
  }

  /** How PyTorch's allocator is set with or without {@link #FIXED_MALLOC}. */
  static String malloc(boolean fixed) {
    return fixed ? "glibc, thresholds fixed: " + FIXED_MALLOC : "glibc's adaptive defaults";
  }

  /** Thrown when torch cannot be imported: the note the harness prints instead of PyTorch's rows. */
  static final class NoTorchException extends Exception {
    private static final long serialVersionUID = 1L;

    NoTorchException(String message) {
      super(message);
    }
  }

  /**
   * One running script for one network and batch: its contenders (one per mode PyTorch has) and
   * torch's version. Close it to end the process.
   */
  final class Session implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final java.io.PrintWriter in;
    private final java.util.concurrent.CompletableFuture<String> stderr;
    private final String version;
    private final List<Timing.Contender> contenders = new ArrayList<>();

    private Session(Process process, java.util.concurrent.CompletableFuture<String> stderr, List<String> modes)
        throws IOException, NoTorchException {
      this.process = process;
      this.stderr = stderr;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new java.io.PrintWriter(new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      JsonNode ready = reply();
      this.version = ready.get("impl").asText().replace("pytorch-", "");
      for (String mode : modes) {
        String torchMode = mode.equals("3pass-exact") ? "3pass" : mode;
        double[] last = new double[2];
        contenders.add(new Timing.Contender("pytorch", mode, new Timing.SelfTimed() {
          @Override
          public void run(int steps) {
            in.println(torchMode + " " + steps);
            try {
              JsonNode n = reply();
              last[0] = n.get("wall_ms").asDouble();
              last[1] = n.get("cpu_ms").asDouble();
            } catch (IOException | NoTorchException e) {
              throw new IllegalStateException(e.getMessage(), e);
            }
          }

          @Override
          public double[] last() {
            return last;
          }
        }));
      }
    }

    /** The next JSON line the script prints; its error output if it ended instead. */
    private JsonNode reply() throws IOException, NoTorchException {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("{")) {
          return JSON.readTree(line);
        }
      }
      String err;
      try {
        process.waitFor();
        err = stderr.get();
      } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
        Thread.currentThread().interrupt();
        err = "";
      }
      if (err.contains("No module named 'torch'")) {
        throw new NoTorchException("PyTorch not measured: " + python
            + " cannot import torch (apt-get install -y python3-torch libopenblas0-pthread to include it)");
      }
      throw new IOException(script + " exited with status " + process.exitValue() + ": " + err.strip());
    }

    String version() {
      return version;
    }

    List<Timing.Contender> contenders() {
      return contenders;
    }

    /** The script's CPU time so far, in ms (other processes' share of the machine leaves it out). */
    double cpuMs() {
      return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(0.0);
    }

    @Override
    public void close() {
      in.println("quit");
      in.close();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /**
   * Starts the script with {@code args} (its network and batch) for the modes PyTorch has among
   * {@code modes}; null when it has none. Throws {@link NoTorchException} when torch cannot be
   * imported.
   */
  Session start(List<String> args, List<String> modes) throws IOException, NoTorchException {
    List<String> torchModes = modes.stream().filter(m -> m.equals("2pass") || m.equals("3pass-exact")).toList();
    if (torchModes.isEmpty()) {
      return null;
    }
    List<String> command = new ArrayList<>(List.of(python, script.toString()));
    command.addAll(args);
    command.addAll(List.of("--threads", threads.equals("unset") ? "1" : threads, "--serve"));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (fixedMalloc) {
      pb.environment().putAll(FIXED_MALLOC);
    }
    Process p = pb.start();
    // drained on its own thread so that the error pipe cannot fill up and block the script
    var stderr = new java.util.concurrent.CompletableFuture<String>();
    Thread drain = new Thread(() -> {
      try {
        stderr.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        stderr.complete("");
      }
    });
    drain.setDaemon(true);
    drain.start();
    return new Session(p, stderr, torchModes);
  }
}
