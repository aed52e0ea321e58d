package dev.bpnet.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/** What the numbers were measured on: CPU, memory, JDK, library versions, load. */
final class Machine {
  private Machine() {}

  static Map<String, String> describe(String threads) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cpu", procField("/proc/cpuinfo", "model name"));
    m.put("logical_cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", procField("/proc/meminfo", "MemTotal"));
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
    m.put("nd4j", jar(Nd4j.class.getProtectionDomain().getCodeSource().getLocation().getPath(), "nd4j-api-"));
    m.put("openblas", Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(p -> Path.of(p).getFileName().toString())
        .filter(f -> f.startsWith("openblas-") && !f.contains("linux"))
        .map(f -> f.replace("openblas-", "").replace(".jar", "") + " (org.bytedeco openblas-javacpp)")
        .findFirst().orElse("unknown"));
    // which nd4j-native build (bench/run.sh --nd4j): oneDNN's gemm and conv ops, or OpenBLAS's gemm
    m.put("nd4j_native", Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(p -> Path.of(p).getFileName().toString())
        .filter(f -> f.startsWith("nd4j-native-") && f.contains("-linux-"))
        .map(f -> f.substring(f.indexOf("linux-")).replace(".jar", ""))
        .findFirst().orElse("unknown"));
    m.put("omp_num_threads", threads);
    // bench/run.sh --pin: the CPUs this process and PyTorch may run on
    m.put("cpus_allowed", procField("/proc/self/status", "Cpus_allowed_list"));
    // OpenBLAS's kernels: pinned by bench/run.sh as by the bpnet command, else chosen by CPU model
    m.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "OpenBLAS's choice"));
    return m;
  }

  /** The 1, 5 and 15 minute load averages (other processes compete for the cores). */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String jar(String path, String prefix) {
    String name = Path.of(path).getFileName().toString();
    return name.startsWith(prefix) ? name.substring(prefix.length()).replace(".jar", "") : name;
  }

  private static String procField(String file, String key) {
    try {
      return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
