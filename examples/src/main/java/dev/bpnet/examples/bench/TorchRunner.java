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
 * PyTorch timings from bench/torch_mlp.py, run as a child process with the same thread count,
 * repeats and block length as the Java contenders. Its {@code 2pass} is plain backprop, its
 * {@code 3pass} the exact double backward ({@code create_graph=True}), reported as
 * {@code 3pass-exact}. PyTorch has no counterpart of bpnet's paper mode.
 */
final class TorchRunner {
  /** One mode's timing; {@code version} is torch.__version__. */
  record Result(String mode, String version, int steps, double ms, double cpuMs, double[] runsMs) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchOptions opts;
  private final String threads;

  TorchRunner(BenchOptions opts, String threads) {
    this.opts = opts;
    this.threads = threads;
  }

  /** Null when the script and the interpreter exist, else why PyTorch is not measured. */
  String unavailable() {
    if (!Files.isRegularFile(opts.torchScript())) {
      return "PyTorch not measured: " + opts.torchScript() + " not found";
    }
    if (!Files.isExecutable(Path.of(opts.python()))) {
      return "PyTorch not measured: no Python interpreter at " + opts.python();
    }
    return null;
  }

  /** Thrown when torch cannot be imported: the note the harness prints instead of PyTorch's rows. */
  static final class NoTorchException extends Exception {
    private static final long serialVersionUID = 1L;

    NoTorchException(String message) {
      super(message);
    }
  }

  /** PyTorch's rows for one network and batch; the import of torch is checked by running the script. */
  List<Result> run(int[] sizes, int batch, List<String> modes) throws IOException, InterruptedException, NoTorchException {
    List<String> torchModes = new ArrayList<>();
    if (modes.contains("2pass")) {
      torchModes.add("2pass");
    }
    if (modes.contains("3pass-exact")) {
      torchModes.add("3pass");
    }
    List<Result> out = new ArrayList<>();
    if (torchModes.isEmpty()) {
      return out;
    }
    int warmup = 10;
    ProcessBuilder pb = new ProcessBuilder(opts.python(), opts.torchScript().toString(),
        "--sizes", String.join(",", BenchOptions.name(sizes).split("-")), "--batch", Integer.toString(batch),
        "--threads", threads.equals("unset") ? "1" : threads, "--modes", String.join(",", torchModes),
        "--repeats", Integer.toString(opts.repeats()), "--warmup", Integer.toString(warmup),
        "--block-seconds", Double.toString(opts.blockSeconds()));
    Process p = pb.start();
    // drained on its own thread so that neither pipe can fill up and block the script
    var stderr = new java.util.concurrent.CompletableFuture<String>();
    Thread drain = new Thread(() -> {
      try {
        stderr.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        stderr.complete("");
      }
    });
    drain.start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.startsWith("{")) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        double[] runs = new double[n.get("runs_ms").size()];
        for (int i = 0; i < runs.length; i++) {
          runs[i] = n.get("runs_ms").get(i).asDouble();
        }
        String mode = n.get("mode").asText().equals("3pass") ? "3pass-exact" : "2pass";
        out.add(new Result(mode, n.get("impl").asText().replace("pytorch-", ""), n.get("steps").asInt(),
            n.get("ms_per_step").asDouble(), n.get("cpu_ms_per_step").asDouble(), runs));
      }
    }
    if (p.waitFor() != 0) {
      drain.join();
      String err = stderr.getNow("");
      if (err.contains("No module named 'torch'")) {
        throw new NoTorchException("PyTorch not measured: " + opts.python()
            + " cannot import torch (apt-get install -y python3-torch libopenblas0-pthread to include it)");
      }
      throw new IOException(opts.torchScript() + " exited with status " + p.exitValue() + ": " + err.strip());
    }
    drain.join();
    System.err.print(stderr.getNow(""));
    return out;
  }
}
