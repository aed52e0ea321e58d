package dev.bpnet.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a generated step's time goes, statement by statement: every {@code Nd4j.exec(op)} of
 * the generated source is re-executed alone on the trainer's own bound op objects (gemm calls
 * come from {@link GemmFloor}; {@code Kernels.f(a, b, ...)} calls on the trainer's arrays, with
 * 1.0 for a host-scalar argument, and bound kernels' {@code k.run()} likewise), and its median
 * CPU time per call is reported. JFR cannot do this:
 * its native samples stop at {@code Nd4j.gemm}/{@code Nd4j.exec} and never reach the trainer's
 * lines. Re-executing an op on its own buffers is harmless: every buffer is recomputed by the
 * next step before it is read.
 */
final class StatementProfile {
  private static final Pattern STATEMENT =
      Pattern.compile("Nd4j\\.(gemm|exec)\\(([^;]*)\\);|Kernels\\.(\\w+)\\(([^;]*)\\);|(\\w+)\\.run\\(\\);");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** One statement of the generated source and its median CPU time alone. */
  record Entry(String statement, double us) {}

  private StatementProfile() {}

  static List<Entry> of(String javaSource, Object trainer, int repeats) {
    List<String> names = new ArrayList<>();
    List<Runnable> runs = statements(javaSource, trainer, names);
    List<Entry> out = new ArrayList<>();
    for (int k = 0; k < runs.size(); k++) {
      Runnable r = runs.get(k);
      long t0 = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < 5; i++) {
        r.run();
      }
      double estimate = Math.max(1, THREADS.getCurrentThreadCpuTime() - t0) / 5.0;
      int n = (int) Math.max(3, Math.min(200, 20e6 / estimate));  // about 20 ms per repeat
      double[] us = new double[repeats];
      for (int rep = 0; rep < repeats; rep++) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          r.run();
        }
        us[rep] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / n;
      }
      out.add(new Entry(names.get(k), Timing.median(us)));
    }
    return out;
  }

  /**
   * The same statements run as the step runs them, one after another in the source's order (the
   * passes' order), each timed where it stands: with the caches as the statements before it left
   * them, so that the sum is about the step (less its feed and update), and a statement that
   * reads what an earlier one wrote long ago pays for it. Median of {@code rounds} rounds, after
   * three unmeasured ones.
   */
  static Sequence inSequence(String javaSource, Object trainer, int rounds) {
    List<String> names = new ArrayList<>();
    List<Runnable> runs = statements(javaSource, trainer, names);
    double[][] us = new double[runs.size()][rounds];
    double[] total = new double[rounds];
    for (int round = -3; round < rounds; round++) {
      long r0 = THREADS.getCurrentThreadCpuTime();
      for (int k = 0; k < runs.size(); k++) {
        long c0 = THREADS.getCurrentThreadCpuTime();
        runs.get(k).run();
        if (round >= 0) {
          us[k][round] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e3;
        }
      }
      if (round >= 0) {
        total[round] = (THREADS.getCurrentThreadCpuTime() - r0) / 1e3;
      }
    }
    List<Entry> out = new ArrayList<>();
    for (int k = 0; k < runs.size(); k++) {
      out.add(new Entry(names.get(k), Timing.median(us[k])));
    }
    return new Sequence(out, Timing.median(total));
  }

  /** The statements in sequence, each its median; and the median of the rounds' whole times. */
  record Sequence(List<Entry> entries, double roundUs) {}

  /** Each statement of the generated source that can be run alone, in the source's order; its text into {@code names}. */
  private static List<Runnable> statements(String javaSource, Object trainer, List<String> names) {
    List<Runnable> runs = new ArrayList<>();
    Matcher m = STATEMENT.matcher(javaSource);
    while (m.find()) {
      if (m.group(3) != null) {
        Runnable k = kernel(trainer, m.group(3), m.group(4));
        if (k == null) {
          continue;
        }
        runs.add(k);
      } else if (m.group(5) != null) {
        Runnable k = runnable(field(trainer, m.group(5)));
        if (k == null) {
          continue;
        }
        runs.add(k);
      } else if (m.group(1).equals("gemm")) {
        GemmFloor one = GemmFloor.of(m.group(), trainer);
        runs.add(() -> one.run(1));
      } else {
        Object op = field(trainer, m.group(2).trim());
        if (op instanceof CustomOp c) {
          runs.add(() -> Nd4j.exec(c));
        } else if (op instanceof Op o) {
          runs.add(() -> Nd4j.exec(o));
        } else {
          continue;
        }
      }
      names.add(m.group());
    }
    return runs;
  }

  /** A static Kernels call on the trainer's arrays (host scalars as 1.0), or null for other signatures. */
  private static Runnable kernel(Object trainer, String name, String args) {
    List<String> a = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < args.length(); i++) {
      char c = args.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        a.add(args.substring(start, i).trim());
        start = i + 1;
      }
    }
    a.add(args.substring(start).trim());
    for (java.lang.reflect.Method k : dev.bpnet.runtime.Kernels.class.getMethods()) {
      if (!k.getName().equals(name) || k.getParameterCount() != a.size()
          || !java.util.Arrays.stream(k.getParameterTypes()).allMatch(t -> t == double.class || t == INDArray.class)) {
        continue;
      }
      Object[] values = new Object[a.size()];
      for (int i = 0; i < a.size(); i++) {
        String arg = a.get(i);
        values[i] = k.getParameterTypes()[i] == double.class ? (Object) 1.0 : arg.equals("null") ? null : field(trainer, arg);
      }
      return () -> {
        try {
          k.invoke(null, values);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
    }
    return null;
  }

  /**
   * A bound op as a Runnable: itself, or its public {@code run()} (the runtime's convolution and
   * pooling ops have one without being Runnables); null for anything else.
   */
  private static Runnable runnable(Object op) {
    if (op instanceof Runnable r) {
      return r;
    }
    if (op == null) {
      return null;
    }
    java.lang.reflect.Method run;
    try {
      run = op.getClass().getMethod("run");
      run.setAccessible(true);  // ConvOp, which declares it, is package-private
    } catch (NoSuchMethodException e) {
      return null;
    }
    return () -> {
      try {
        run.invoke(op);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static Object field(Object trainer, String name) {
    try {
      Field f = trainer.getClass().getDeclaredField(name);
      f.setAccessible(true);
      return f.get(trainer);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("op '" + name + "' is not a readable field of the generated trainer", e);
    }
  }
}
