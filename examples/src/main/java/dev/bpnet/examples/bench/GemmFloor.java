package dev.bpnet.examples.bench;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gemm calls of a generated step, run alone: every {@code Nd4j.gemm(a, b, c, ...)} statement
 * of the generated source, with the trainer's own {@code a} and {@code b} arrays (read from its
 * fields after a step allocated them) and a private copy of {@code c}, so that the trainer is
 * left untouched. Every gemm statement of a generated trainer runs once per step (predict only
 * reruns the forward pass), so one {@link #run} is the step's gemm work.
 */
final class GemmFloor {
  private static final Pattern GEMM = Pattern.compile("Nd4j\\.gemm\\(([^;]*)\\);");

  /** One call: c = alpha op(a) op(b) + beta c. */
  record Call(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double alpha, double beta) {
    String shape() {
      long m = c.size(0);
      long n = c.size(1);
      long k = transA ? a.size(0) : a.size(1);
      return m + "x" + k + "x" + n;
    }
  }

  private final List<Call> calls;

  private GemmFloor(List<Call> calls) {
    this.calls = List.copyOf(calls);
  }

  /** The gemm calls of {@code javaSource}, bound to {@code trainer}'s arrays (allocated). */
  static GemmFloor of(String javaSource, Object trainer) {
    List<Call> calls = new ArrayList<>();
    Matcher m = GEMM.matcher(javaSource);
    while (m.find()) {
      String[] args = m.group(1).split(",\\s*");
      if (args.length != 7) {
        throw new IllegalStateException("unexpected gemm call in generated code: " + m.group());
      }
      calls.add(new Call(field(trainer, args[0]), field(trainer, args[1]), field(trainer, args[2]).dup(),
          Boolean.parseBoolean(args[3]), Boolean.parseBoolean(args[4]), number(args[5]), number(args[6])));
    }
    if (calls.isEmpty()) {
      throw new IllegalStateException("no gemm call found in the generated source");
    }
    return new GemmFloor(calls);
  }

  int count() {
    return calls.size();
  }

  /** m x k x n of each call, in source order. */
  List<String> shapes() {
    return calls.stream().map(Call::shape).toList();
  }

  /** Runs every gemm call {@code steps} times, in the generated order. */
  void run(int steps) {
    for (int s = 0; s < steps; s++) {
      for (Call c : calls) {
        Nd4j.gemm(c.a, c.b, c.c, c.transA, c.transB, c.alpha, c.beta);
      }
    }
  }

  private static INDArray field(Object trainer, String name) {
    try {
      Field f = trainer.getClass().getDeclaredField(name.trim());
      f.setAccessible(true);
      Object v = f.get(trainer);
      if (!(v instanceof INDArray a)) {
        throw new IllegalStateException("field " + name + " of the generated trainer is not an allocated INDArray");
      }
      return a;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("gemm operand '" + name + "' is not a field of the generated trainer", e);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read field " + name, e);
    }
  }

  /** A literal such as 1.0 or (-0.5); timing does not depend on the value, so 1.0 otherwise. */
  private static double number(String s) {
    try {
      return Double.parseDouble(s.replace("(", "").replace(")", "").trim());
    } catch (NumberFormatException e) {
      return 1.0;
    }
  }
}
