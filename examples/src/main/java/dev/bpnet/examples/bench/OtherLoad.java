package dev.bpnet.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How much of the CPUs other processes used while the harness measured: the machine's busy time
 * (/proc/stat, steal time included, so another virtual machine on the same cores counts) minus
 * this JVM's and its child processes' CPU time, in cores. The load average cannot say this: it
 * counts the harness's own threads. A run is quiet when others used at most
 * {@link #QUIET_CORES} cores on average, in a short sample before it and during it.
 */
final class OtherLoad {
  /** The most other processes may use, in cores, for a run to count as taken on a quiet machine. */
  static final double QUIET_CORES = 0.10;

  /** A reading: machine busy seconds, this JVM's CPU seconds, wall seconds. */
  record Snapshot(double busySeconds, double ownSeconds, double wallSeconds) {
    static Snapshot now() {
      return new Snapshot(machineBusySeconds(), jvmCpuSeconds(), System.nanoTime() / 1e9);
    }

    /** Cores other processes used on average since {@code before}; children's CPU seconds taken out. */
    double othersSince(Snapshot before, double childSeconds) {
      double wall = wallSeconds - before.wallSeconds;
      double others = (busySeconds - before.busySeconds) - (ownSeconds - before.ownSeconds) - childSeconds;
      return wall <= 0 ? 0 : Math.max(0, others / wall);
    }
  }

  /** Others' cores over a {@code seconds} sample taken now, while the harness itself idles. */
  static double sample(double seconds) throws InterruptedException {
    Snapshot a = Snapshot.now();
    Thread.sleep((long) (seconds * 1000));
    return Snapshot.now().othersSince(a, 0);
  }

  /** "0.03 cores" */
  static String cores(double c) {
    return String.format(Locale.ROOT, "%.2f cores", c);
  }

  private OtherLoad() {}

  /** user + nice + system + irq + softirq + steal of the "cpu" line, in seconds (USER_HZ = 100). */
  private static double machineBusySeconds() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double jvmCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }
}
