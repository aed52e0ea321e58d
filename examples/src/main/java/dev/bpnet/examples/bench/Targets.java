package dev.bpnet.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The targets of issue 7, checked on the rows of one run (one thread, 784-512-10, batch 128).
 * A target whose rows were not measured in the run is left out.
 */
final class Targets {
  static final String NETWORK = "784-512-10";
  static final int BATCH = 128;

  /** measured &lt;= limit; {@code what} says which ratio. */
  record Target(String what, double measured, double limit) {
    boolean met() {
      return measured <= limit;
    }
  }

  private Targets() {}

  static List<Target> check(List<Row> rows, List<CompileTiming.Result> compile) {
    List<Target> out = new ArrayList<>();
    ratio(rows, "bpnet", "2pass", "hand-tuned", "2pass").ifPresent(r ->
        out.add(new Target("bpnet 2-pass / hand-tuned ND4J 2-pass", r, 1.05)));
    ratio(rows, "bpnet", "2pass", "pytorch", "2pass").ifPresent(r ->
        out.add(new Target("bpnet 2-pass / PyTorch 2-pass", r, 1.0)));
    ratio(rows, "bpnet", "2pass", "samediff", "2pass").ifPresent(r ->
        out.add(new Target("bpnet 2-pass / SameDiff fit 2-pass", r, 0.6)));
    find(rows, "bpnet", "2pass").filter(r -> r.gemm() != null).ifPresent(r ->
        out.add(new Target("bpnet 2-pass step / its " + r.gemm().calls() + " gemm calls alone", r.ms() / r.gemm().ms(), 1.2)));
    ratio(rows, "bpnet", "3pass-exact", "pytorch", "3pass-exact").ifPresent(r ->
        out.add(new Target("bpnet 3-pass exact / PyTorch double backward", r, 0.9)));
    ratio(rows, "bpnet", "3pass-paper", "bpnet", "2pass").ifPresent(r ->
        out.add(new Target("bpnet 3-pass paper / bpnet 2-pass", r, 2.6)));
    rows.stream().filter(r -> r.impl().equals("bpnet") && r.allocBytesPerStep() != null)
        .mapToDouble(Row::allocBytesPerStep).max().ifPresent(b ->
            out.add(new Target("INDArray bytes allocated per bpnet step (every network, batch, mode)", b, 0)));
    compile.stream().mapToDouble(CompileTiming.Result::ms).max().ifPresent(ms ->
        out.add(new Target("slowest example .bpnet -> loaded trainer class, warm (s)", ms / 1000, 1.0)));
    return out;
  }

  private static Optional<Double> ratio(List<Row> rows, String impl, String mode, String otherImpl, String otherMode) {
    Optional<Row> a = find(rows, impl, mode);
    Optional<Row> b = find(rows, otherImpl, otherMode);
    return a.isPresent() && b.isPresent() ? Optional.of(a.get().ms() / b.get().ms()) : Optional.empty();
  }

  private static Optional<Row> find(List<Row> rows, String impl, String mode) {
    return rows.stream().filter(r -> r.ok() && r.is(impl, NETWORK, BATCH, mode)).findFirst();
  }
}
