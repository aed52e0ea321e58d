package dev.bpnet.examples.bench;

import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.optim.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bench/run.sh --update}: the optimizer's update alone, and a whole 2-pass step, of the
 * 784-512-10 MLP at batch 128 (float32), for each optimizer compiled from the language (the
 * trainer's own), the runtime's Java optimizer (element-wise ops, the bit-for-bit reference) and,
 * for SGD and Adam, the Java optimizers as they were before the built-ins moved to the language
 * (BLAS axpy; kept here only to measure against). Contenders alternate in rounds; medians.
 */
public final class UpdateBench {
  private UpdateBench() {}

  private static final int[] SIZES = {784, 512, 10};
  private static final int BATCH = 128;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    System.out.printf("update bench: %s, batch %d, float32, OMP_NUM_THREADS=%s, load %s%n",
        Arrays.toString(SIZES), BATCH, System.getenv("OMP_NUM_THREADS"), Machine.loadAverage());
    for (String spec : List.of("sgd(lr = 0.01)", "momentum(lr = 0.01)", "adam(lr = 0.001)")) {
      String name = spec.substring(0, spec.indexOf('('));
      Trainer compiled = trainer(spec);
      Trainer java = trainer(spec);
      set(java, Optimizers.create(name, Map.of("lr", compiled.optimizer().learningRate()), 1));
      Map<String, Trainer> contenders = new LinkedHashMap<>();
      contenders.put("compiled", compiled);
      contenders.put("java", java);
      if (!name.equals("momentum")) {
        Trainer blas = trainer(spec);
        set(blas, name.equals("sgd") ? new BlasSgd(0.01) : new BlasAdam(0.001));
        contenders.put("java-blas (before)", blas);
      }
      Map<String, INDArray> feeds = feeds();
      Map<String, List<Double>> update = new LinkedHashMap<>();
      Map<String, List<Double>> step = new LinkedHashMap<>();
      contenders.keySet().forEach(k -> {
        update.put(k, new ArrayList<>());
        step.put(k, new ArrayList<>());
      });
      contenders.values().forEach(t -> {
        for (int i = 0; i < 30; i++) {
          t.step(feeds);
        }
      });
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, Trainer> c : contenders.entrySet()) {
          Trainer t = c.getValue();
          List<INDArray> params = new ArrayList<>(t.parameters().values());
          List<INDArray> dirs = new ArrayList<>();
          params.forEach(p -> dirs.add(p.dup().muli(1e-6)));
          long s = System.nanoTime();
          for (int i = 0; i < 20; i++) {
            t.optimizer().update(params, dirs);
          }
          update.get(c.getKey()).add((System.nanoTime() - s) / 20e6);
          s = System.nanoTime();
          for (int i = 0; i < 20; i++) {
            t.step(feeds);
          }
          step.get(c.getKey()).add((System.nanoTime() - s) / 20e6);
        }
      }
      for (String k : contenders.keySet()) {
        System.out.printf("  %-9s %-19s update %.3f ms   step %.3f ms%n", name, k, median(update.get(k)), median(step.get(k)));
      }
    }
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  private static Trainer trainer(String optimizer) throws Exception {
    String src = "model UpdateBench {\n  input x: [784]\n  label y: [10]\n  h = relu(dense(x, 512))\n"
        + "  logits = dense(h, 10)\n  loss = softmax_cross_entropy(logits, y)\n  train { optimizer = " + optimizer
        + ", batch = " + BATCH + " }\n}\n";
    var tg = FileCompiler.model(new SourceFile("update-bench.bpnet", src), null);
    return InMemoryJavac.compile(FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE), Trainer.class)
        .getConstructor(DataType.class, long.class).newInstance(DataType.FLOAT, 1L);
  }

  private static void set(Trainer t, Optimizer o) throws ReflectiveOperationException {
    t.getClass().getMethod("setOptimizer", Optimizer.class).invoke(t, o);
  }

  private static Map<String, INDArray> feeds() {
    Random r = new Random(1);
    INDArray x = Nd4j.create(DataType.FLOAT, BATCH, 784);
    INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
    for (int i = 0; i < BATCH; i++) {
      for (int j = 0; j < 784; j++) {
        x.putScalar(i, j, r.nextDouble());
      }
      y.putScalar(i, r.nextInt(10), 1.0);
    }
    return Map.of("x", x, "y", y);
  }

  /** SGD as the runtime wrote it before: one BLAS axpy per parameter. */
  private record BlasSgd(double lr) implements Optimizer {
    public void update(List<INDArray> params, List<INDArray> directions) {
      for (int i = 0; i < params.size(); i++) {
        Nd4j.getBlasWrapper().level1().axpy(params.get(i).length(), -lr, directions.get(i), params.get(i));
      }
    }

    public double learningRate() {
      return lr;
    }
  }

  /** Adam as the runtime wrote it before: BLAS scal/axpy and ND4J ops, one scratch per parameter. */
  private static final class BlasAdam implements Optimizer {
    private final double lr;
    private final List<INDArray> m = new ArrayList<>();
    private final List<INDArray> v = new ArrayList<>();
    private final List<INDArray> s = new ArrayList<>();
    private long t;

    BlasAdam(double lr) {
      this.lr = lr;
    }

    public void update(List<INDArray> params, List<INDArray> directions) {
      t++;
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      Level1 blas = Nd4j.getBlasWrapper().level1();
      for (int i = 0; i < params.size(); i++) {
        INDArray p = params.get(i);
        if (m.size() <= i) {
          m.add(p.ulike().assign(0));
          v.add(p.ulike().assign(0));
          s.add(p.ulike());
        }
        INDArray g = directions.get(i);
        INDArray mi = m.get(i);
        INDArray vi = v.get(i);
        INDArray si = s.get(i);
        long n = p.length();
        blas.scal(n, 0.9, mi);
        blas.axpy(n, 0.1, g, mi);
        blas.scal(n, 0.999, vi);
        Nd4j.exec(new MulOp(g, g, si));
        blas.axpy(n, 0.001, si, vi);
        vi.div(c2, si);
        Nd4j.exec(new Sqrt(si, si));
        si.addi(1e-8);
        Nd4j.exec(new DivOp(mi, si, si));
        blas.axpy(n, -lr / c1, si, p);
      }
    }

    public double learningRate() {
      return lr;
    }
  }
}
