package dev.bpnet.examples.bench;

import java.util.List;

/**
 * One (implementation, network, batch, mode) of a run: measured, or skipped with a reason.
 *
 * @param gemm for generated trainers, its gemm calls timed alone; null otherwise
 * @param allocBytesPerStep INDArray bytes a warmed-up step allocates; null where not counted
 * @param profile with {@code --profile}, the generated step's statements timed alone; else empty
 */
record Row(String impl, String version, String mode, int[] sizes, int batch, String skipped,
    int steps, double wallMs, double cpuMs, double[] runsMs, Gemm gemm, Double allocBytesPerStep,
    List<StatementProfile.Entry> profile) {

  /** Whether {@link #ms} is CPU time; set once per run from {@code --clock}. */
  static volatile boolean cpuClock;

  /** ms per step by the run's clock: what the table and the ratios use. */
  double ms() {
    return cpuClock ? cpuMs : wallMs;
  }

  /** The step's gemm calls run alone: median ms per step (wall, CPU), call count, m x k x n shapes. */
  record Gemm(double wallMs, double cpuMs, int calls, List<String> shapes) {
    double ms() {
      return cpuClock ? cpuMs : wallMs;
    }
  }

  static Row measured(String impl, String version, String mode, int[] sizes, int batch, Timing.Result t,
      Gemm gemm, Double alloc, List<StatementProfile.Entry> profile) {
    return new Row(impl, version, mode, sizes, batch, null, t.stepsPerBlock(), t.wallMsPerStep(), t.cpuMsPerStep(),
        t.wallMs(), gemm, alloc, profile);
  }

  static Row skipped(String impl, String mode, int[] sizes, int batch, String why) {
    return new Row(impl, null, mode, sizes, batch, why, 0, Double.NaN, Double.NaN, new double[0], null, null, List.of());
  }

  String network() {
    return BenchOptions.name(sizes);
  }

  boolean ok() {
    return skipped == null;
  }

  boolean is(String impl, String network, int batch, String mode) {
    return this.impl.equals(impl) && network().equals(network) && this.batch == batch && this.mode.equals(mode);
  }
}
