package dev.bpnet.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a generated step's time goes, statement by statement: every {@code Nd4j.exec(op)} of
 * the generated source is re-executed alone on the trainer's own bound op objects (gemm calls
 * come from {@link GemmFloor}), and its median CPU time per call is reported. JFR cannot do this:
 * its native samples stop at {@code Nd4j.gemm}/{@code Nd4j.exec} and never reach the trainer's
 * lines. Re-executing an op on its own buffers is harmless: every buffer is recomputed by the
 * next step before it is read.
 */
final class StatementProfile {
  private static final Pattern STATEMENT = Pattern.compile("Nd4j\\.(gemm|exec)\\(([^;]*)\\);");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** One statement of the generated source and its median CPU time alone. */
  record Entry(String statement, double us) {}

  private StatementProfile() {}

  static List<Entry> of(String javaSource, Object trainer, int repeats) {
    List<String> names = new ArrayList<>();
    List<Runnable> runs = new ArrayList<>();
    Matcher m = STATEMENT.matcher(javaSource);
    while (m.find()) {
      if (m.group(1).equals("gemm")) {
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
