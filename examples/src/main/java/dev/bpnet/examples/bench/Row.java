package dev.bpnet.examples.bench;

import java.util.List;

/**
 * One (implementation, network, batch, mode) of a run: measured, or skipped with a reason.
 * {@code ms} is the median per step by the run's clock ({@code --clock}), which the table and
 * the ratios use; wall-clock and CPU medians are both kept.
 *
 * @param gemm for generated trainers, its gemm calls timed alone; null otherwise
 * @param allocBytesPerStep INDArray bytes a warmed-up step allocates; null where not counted
 * @param profile with {@code --profile}, the generated step's statements timed alone; else empty
 */
record Row(String impl, String version, String mode, int[] sizes, int batch, String skipped,
    int steps, double ms, double wallMs, double cpuMs, double[] runsMs, Gemm gemm, Double allocBytesPerStep,
    List<StatementProfile.Entry> profile) {

  /** The step's gemm calls run alone: median ms per step by the run's clock, call count, m x k x n shapes. */
  record Gemm(double ms, int calls, List<String> shapes) {}

  static Row measured(String impl, String version, String mode, int[] sizes, int batch, Timing.Result t,
      boolean cpuClock, Gemm gemm, Double alloc, List<StatementProfile.Entry> profile) {
    return new Row(impl, version, mode, sizes, batch, null, t.stepsPerBlock(), t.ms(cpuClock), t.wallMsPerStep(),
        t.cpuMsPerStep(), t.wallMs(), gemm, alloc, profile);
  }

  static Row skipped(String impl, String mode, int[] sizes, int batch, String why) {
    return new Row(impl, null, mode, sizes, batch, why, 0, Double.NaN, Double.NaN, Double.NaN, new double[0], null, null,
        List.of());
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
