package dev.bpnet.examples.bench;

import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ms per training step of generated trainers (2-pass, 3-pass paper, 3-pass exact) next to
 * the hand-tuned ND4J reference, in one JVM, interleaved round by round so that drift in
 * machine load hits every implementation alike. Prints a table and one JSON line per row.
 *
 * <p>Usage: {@code OMP_NUM_THREADS=1 java ... StepBenchmark [--sizes 784,512,10] [--batch 128]
 * [--steps 100] [--repeats 5]}. Set the thread count through OMP_NUM_THREADS before the JVM
 * starts; oversubscribing two cores distorts every figure.
 */
public final class StepBenchmark {
  private StepBenchmark() {}

  interface Step {
    void run();
  }

  public static void main(String[] args) {
    int[] sizes = {784, 512, 10};
    int batch = 128;
    int steps = 100;
    int repeats = 5;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Random r = new Random(0);
    INDArray x = Nd4j.rand(DataType.FLOAT, batch, sizes[0]);
    INDArray y = Nd4j.zeros(DataType.FLOAT, batch, sizes[sizes.length - 1]);
    for (int i = 0; i < batch; i++) {
      y.putScalar(i, r.nextInt(sizes[sizes.length - 1]), 1.0);
    }
    Map<String, INDArray> feeds = Map.of("x", x, "y", y);
    List<String> names = new ArrayList<>();
    List<Step> impls = new ArrayList<>();
    HandTunedMlp hand = new HandTunedMlp(sizes, DataType.FLOAT, 1);
    names.add("hand-tuned-nd4j 2pass");
    impls.add(() -> hand.step(x, y, 0.01));
    for (String mode : List.of("2pass", "3pass-paper", "3pass-exact")) {
      Trainer t = load(sizes, mode);
      names.add("bpnet " + mode);
      impls.add(() -> t.step(feeds));
    }
    double[][] runs = new double[impls.size()][repeats];
    for (Step s : impls) {
      for (int i = 0; i < 10; i++) {
        s.run();
      }
    }
    for (int rep = 0; rep < repeats; rep++) {
      for (int k = 0; k < impls.size(); k++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          impls.get(k).run();
        }
        runs[k][rep] = (System.nanoTime() - t0) / 1e6 / steps;
      }
    }
    String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
    double base = median(runs[1]);
    System.out.printf("%-24s %10s %14s%n", "implementation", "ms/step", "vs bpnet 2pass");
    for (int k = 0; k < impls.size(); k++) {
      double m = median(runs[k]);
      System.out.printf("%-24s %10.3f %14.2f%n", names.get(k), m, m / base);
    }
    for (int k = 0; k < impls.size(); k++) {
      System.out.printf("{\"impl\": \"%s\", \"sizes\": %s, \"batch\": %d, \"threads\": \"%s\", \"ms_per_step\": %.4f, \"runs\": %s}%n",
          names.get(k), Arrays.toString(sizes), batch, threads, median(runs[k]), Arrays.toString(runs[k]));
    }
  }

  static Trainer load(int[] sizes, String mode) {
    ModelBuilder b = ModelBuilder.model("BenchMlp").input("x", sizes[0]).label("y", sizes[sizes.length - 1]);
    Expr h = E.ref("x");
    for (int i = 1; i < sizes.length - 1; i++) {
      b.let("h" + i, E.relu(E.dense(h, sizes[i])));
      h = E.ref("h" + i);
    }
    b.let("logits", E.dense(h, sizes[sizes.length - 1]));
    b.loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")));
    ModelDecl m = b.train(t -> t.withPasses(mode.equals("2pass") ? 2 : 3).withAlpha(mode.equals("2pass") ? 1.0 : 0.8)
        .withThird(mode.endsWith("exact") ? "exact" : "paper")
        .withOptimizer("sgd", Map.of("lr", 0.01))).build();
    return BpNetCompiler.load(m);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
