package dev.bpnet.runtime;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The CPU thread count of ND4J's native code. libnd4j sizes its own thread pool once, when it
 * loads, from {@code OMP_NUM_THREADS} (all physical cores when unset), so the count is best set
 * in the environment before the JVM starts, as the {@code bpnet} script does for
 * {@code --threads}. {@link #setThreads} also applies it at run time, as far as the libraries
 * allow: OpenMP's count, OpenBLAS's and libnd4j's outer loops follow; libnd4j's pool keeps
 * its start size as an upper bound.
 *
 * <p>With more than one thread, set {@code OMP_WAIT_POLICY=passive} in the environment too (the
 * {@code bpnet} script does): by default libgomp's idle workers spin after every parallel region
 * while OpenBLAS's threads spin after every gemm, and on a machine with no spare cores they take
 * turns on the same cores. Measured on 2 free cores, the MNIST MLP's 2-thread steps were 2 to 4.6
 * times slower than 1-thread ones that way, and 0.67 to 0.90 times as long with passive workers.
 * libgomp reads the policy as it loads, so it cannot be changed from Java; see
 * {@link #idleWorkersSpin}.
 */
public final class Backend {
  private Backend() {}

  /**
   * The most threads {@link #setThreads} accepts. A fixed number, not a multiple of the cores, so
   * that a command line valid on one machine is valid on all: far above any core count that
   * helps, and far below the counts (32768 and up) at which libnd4j's thread pool crashes the JVM.
   * The {@code bpnet} script exports only counts up to this one as {@code OMP_NUM_THREADS}.
   */
  public static final int MAX_THREADS = 1024;

  /** Uses {@code n} threads (1 to {@link #MAX_THREADS}) in OpenMP, OpenBLAS and libnd4j's outer loops. */
  public static void setThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new IllegalArgumentException("the thread count must be from 1 to " + MAX_THREADS + ", got " + n);
    }
    Nd4j.getEnvironment();  // loads the backend: NativeOpsHolder needs its properties
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
  }

  /**
   * Whether, in the environment {@code env} the JVM started with, OpenMP's idle workers spin:
   * true unless {@code OMP_WAIT_POLICY} is {@code passive} or {@code GOMP_SPINCOUNT} is 0 (either
   * makes them sleep at once). It matters only with more than one thread.
   */
  public static boolean idleWorkersSpin(java.util.Map<String, String> env) {
    String policy = env.getOrDefault("OMP_WAIT_POLICY", "").strip();
    String spin = env.getOrDefault("GOMP_SPINCOUNT", "").strip();
    return !policy.equalsIgnoreCase("passive") && !spin.equals("0");
  }

  /** The threads OpenMP regions and BLAS calls use now. */
  public static int threads() {
    Nd4j.getEnvironment();
    return Math.min(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
        Nd4j.factory().blas().getMaxThreads());
  }
}
