package dev.bpnet.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Side-by-side timing of several step functions in one JVM: each is warmed up, its block length
 * (steps per timed block) calibrated, then the blocks are interleaved round by round so that
 * drift in machine load hits every contender alike. Wall-clock and this thread's CPU time are
 * both kept; with one BLAS/OpenMP thread all the work runs on the calling thread.
 */
final class Timing {
  /** Runs {@code steps} steps. */
  interface Steps {
    void run(int steps);
  }

  /**
   * Steps run elsewhere (another process) that time themselves: after {@code run}, {@link #last}
   * is that block's wall-clock and CPU time in ms, which the harness takes in place of its own
   * clocks (the calling thread only waits). The warm-up still times the calls from here.
   */
  interface SelfTimed extends Steps {
    double[] last();
  }

  /** A step function to time; {@code impl} and {@code mode} name it in the results. */
  record Contender(String impl, String mode, Steps steps) {}

  /** Per-step medians of the timed blocks. */
  record Result(Contender contender, int stepsPerBlock, double[] wallMs, double[] cpuMs) {
    double wallMsPerStep() {
      return median(wallMs);
    }

    double cpuMsPerStep() {
      return median(cpuMs);
    }

    /** The median by the chosen clock. */
    double ms(boolean cpuClock) {
      return cpuClock ? cpuMsPerStep() : wallMsPerStep();
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Timing() {}

  static List<Result> interleaved(List<Contender> contenders, int repeats, double blockSeconds, double warmupSeconds) {
    int[] blockSteps = new int[contenders.size()];
    for (int k = 0; k < contenders.size(); k++) {
      blockSteps[k] = warmUp(contenders.get(k).steps(), blockSeconds, warmupSeconds);
    }
    double[][] wall = new double[contenders.size()][repeats];
    double[][] cpu = new double[contenders.size()][repeats];
    for (int r = 0; r < repeats; r++) {
      for (int k = 0; k < contenders.size(); k++) {
        int n = blockSteps[k];
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Steps s = contenders.get(k).steps();
        s.run(n);
        wall[k][r] = (System.nanoTime() - t0) / 1e6 / n;
        cpu[k][r] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6 / n;
        if (s instanceof SelfTimed st) {
          wall[k][r] = st.last()[0] / n;
          cpu[k][r] = st.last()[1] / n;
        }
      }
    }
    List<Result> out = new ArrayList<>();
    for (int k = 0; k < contenders.size(); k++) {
      out.add(new Result(contenders.get(k), blockSteps[k], wall[k], cpu[k]));
    }
    return out;
  }

  /** At least 5 steps and {@code warmupSeconds}; returns the steps per block of {@code blockSeconds}. */
  private static int warmUp(Steps s, double blockSeconds, double warmupSeconds) {
    s.run(2);  // first steps allocate and compile; not part of the estimate
    long start = System.nanoTime();
    int n = 0;
    while (n < 5 || System.nanoTime() - start < warmupSeconds * 1e9) {
      s.run(1);
      n++;
    }
    double perStep = (System.nanoTime() - start) / 1e9 / n;
    return (int) Math.max(3, Math.round(blockSeconds / perStep));
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
