package dev.bpnet.dsl.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Model;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.Npz;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generated forward-only class ({@code <Model>Model}) against the trainer it is generated
 * beside: on the same (trained) parameters its {@code predict} gives the trainer's {@code predict}
 * bit for bit, for a dense and a convolutional model, one with dropout and batch and layer
 * norm (identity and running statistics at prediction) and a chain of convolutions that share
 * their blocked copies, in float32 and float64, at several batch
 * sizes, and from 8 threads at once with mixed batch sizes; {@code load} reads params.npz and
 * run directories (best.npz under keep = best) and refuses another model's parameters naming each problem.
 */
class ModelClassTest {
  static final String CONV = """
      model TinyConv {
        input x: [1, 6, 6]
        label y: [3]
        c1 = relu(conv2d(x, 2, kernel = 3, padding = same))
        p1 = max_pool(c1, 2)
        c2 = tanh(conv2d(p1, 3, kernel = 2, stride = 2, padding = 1, bias = no))
        logits = dense(flatten(avg_pool(c2, 2)), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 alpha = 0.8 third = exact }
      }
      """;

  /** Dropout (the identity at prediction) and batch norm (running statistics at prediction). */
  static final String NORM = """
      model TinyNorm {
        input x: [1, 6, 6]
        label y: [3]
        c1 = relu(batch_norm(conv2d(x, 2, kernel = 3, padding = same)))
        h = tanh(layer_norm(dense(flatten(c1), 8)))
        logits = dense(dropout(batch_norm(h), 0.3), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 alpha = 0.8 third = exact }
      }
      """;

  /**
   * Convolutions of 16 channels one after another: in float32 each reads the previous one's output
   * from its copy in oneDNN's blocked layout ({@code reuse} in the model class's allocation too).
   */
  static final String CHAIN = """
      model TinyChain {
        input x: [3, 8, 8]
        label y: [3]
        c1 = relu(conv2d(x, 16, kernel = 3, padding = same))
        c2 = relu(conv2d(c1, 16, kernel = 3, padding = same))
        c3 = relu(conv2d(c2, 16, kernel = 3, stride = 2, padding = same))
        logits = dense(global_avg_pool(c3), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 2 }
      }
      """;

  static TrainingGraph graph(String kind) {
    return kind.equals("dense") ? BpNetCompiler.differentiate(GoldenSourceTest.tiny(3, "paper"))
        : FileCompiler.model(new SourceFile("tiny-" + kind + ".bpnet",
            switch (kind) {
              case "conv" -> CONV;
              case "chain" -> CHAIN;
              default -> NORM;
            }), null);
  }

  static INDArray batch(TrainingGraph tg, String leaf, long b, DataType dt, long seed) {
    long[] dims = tg.program().inputs().stream().filter(l -> l.name().equals(leaf)).findFirst()
        .or(() -> tg.program().labels().stream().filter(l -> l.name().equals(leaf)).findFirst()).orElseThrow()
        .shape().dims().stream().mapToLong(Integer::longValue).toArray();
    dims[0] = b;
    Nd4j.getRandom().setSeed(seed);
    INDArray a = Nd4j.randn(dt, dims);
    if (leaf.equals("y")) {  // one-hot labels
      INDArray y = Nd4j.zeros(dt, dims);
      for (long i = 0; i < b; i++) {
        y.putScalar(new long[] {i, (i * 7 + seed) % dims[1]}, 1.0);
      }
      return y;
    }
    return a;
  }

  /** A trainer moved away from its initialisation by a few steps, so the parameters are trained ones. */
  static Trainer trained(TrainingGraph tg, DataType dt) {
    Trainer t = TrainerLoader.instantiate(tg, dt, 11);
    for (int s = 0; s < 3; s++) {
      t.step(Map.of("x", batch(tg, "x", 8, dt, s), "y", batch(tg, "y", 8, dt, s)));
    }
    return t;
  }

  static double[] bits(INDArray a) {
    return a.castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"dense, FLOAT", "dense, DOUBLE", "conv, FLOAT", "conv, DOUBLE", "norm, FLOAT", "norm, DOUBLE",
      "chain, FLOAT", "chain, DOUBLE"})
  void predictsTheTrainersBitsFromManyThreads(String kind, DataType dt) throws Exception {
    if (kind.equals("chain")) {
      String source = ModelGenerator.generate(graph(kind), "dev.bpnet.generated").toString();
      assertTrue(source.contains("c2Op.reuse(c1Op);"), "the model class shares copies");
    }
    TrainingGraph tg = graph(kind);
    Trainer trainer = trained(tg, dt);
    Model model = TrainerLoader.model(tg, trainer.parameters(), dt);
    assertEquals(dt, model.dataType());
    assertEquals(trainer.inputNames(), model.inputNames());
    long[] sizes = {1, 5, 17, 8, 64, 3};
    List<INDArray> inputs = new ArrayList<>();
    List<double[]> expected = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      INDArray x = batch(tg, "x", sizes[i], dt, 100 + i);
      inputs.add(x);
      // the trainer's own buffers change size with every call here: its predict, serially
      expected.add(bits(trainer.predict(Map.of("x", x))));
      assertArrayEquals(expected.get(i), bits(model.predict(Map.of("x", x))), kind + " " + dt + " batch " + sizes[i]);
    }
    // training the trainer further does not move the model: it holds copies
    trainer.step(Map.of("x", batch(tg, "x", 8, dt, 9), "y", batch(tg, "y", 8, dt, 9)));
    assertArrayEquals(expected.get(0), bits(model.predict(Map.of("x", inputs.get(0)))));

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        tasks.add(() -> {
          int checked = 0;
          for (int k = 0; k < 40; k++) {
            int i = (thread + k * 5) % sizes.length;  // every thread meets every batch size, in its own order
            double[] got = bits(model.predict(Map.of("x", inputs.get(i))));
            if (!java.util.Arrays.equals(expected.get(i), got)) {
              throw new AssertionError("thread " + thread + ", call " + k + ", batch " + sizes[i] + ": differs");
            }
            checked++;
          }
          return checked;
        });
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        total += f.get();
      }
      assertEquals(8 * 40, total);
    } finally {
      pool.shutdown();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"dense", "conv"})
  void loadsParamsFilesAndRunDirectories(String kind, @TempDir Path dir) throws Exception {
    TrainingGraph tg = graph(kind);
    Trainer trainer = trained(tg, DataType.FLOAT);
    Class<? extends Model> cls = TrainerLoader.compileModel(tg);
    assertEquals(Names.modelClass(tg.program().name()), cls.getSimpleName());
    INDArray x = batch(tg, "x", 4, DataType.FLOAT, 5);
    double[] want = bits(trainer.predict(Map.of("x", x)));

    Path run = Files.createDirectories(dir.resolve("run"));
    Npz.write(run.resolve("params.npz"), trainer.parameters());
    Model fromFile = load(cls, run.resolve("params.npz"));
    assertArrayEquals(want, bits(fromFile.predict(Map.of("x", x))));
    assertArrayEquals(want, bits(load(cls, run).predict(Map.of("x", x))), "a run directory without best.npz: params.npz");

    // best.npz is what a run directory means when its run kept the best epoch (keep = best), not otherwise
    Trainer other = TrainerLoader.instantiate(tg, DataType.FLOAT, 99);
    Npz.write(run.resolve("best.npz"), other.parameters());
    assertArrayEquals(want, bits(load(cls, run).predict(Map.of("x", x))), "keep = last: params.npz");
    Files.writeString(run.resolve("run.json"), "{\"options\": {\"keep\": \"best\"}}");
    assertArrayEquals(bits(other.predict(Map.of("x", x))), bits(load(cls, run).predict(Map.of("x", x))));

    // another model's parameters: every problem named
    Map<String, INDArray> wrong = new LinkedHashMap<>(trainer.parameters());
    String first = wrong.keySet().iterator().next();
    wrong.put(first, Nd4j.zeros(DataType.FLOAT, 2, 2));
    wrong.put("stray.W", Nd4j.zeros(DataType.FLOAT, 1));
    Path bad = dir.resolve("bad.npz");
    Npz.write(bad, wrong);
    DataException e = assertThrows(DataException.class, () -> load(cls, bad));
    assertTrue(e.getMessage().contains("parameter '" + first + "' has shape [2, 2]"), e.getMessage());
    assertTrue(e.getMessage().contains("'stray.W'"), e.getMessage());
    wrong.remove("stray.W");
    wrong.remove(first);
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> TrainerLoader.model(tg, wrong, DataType.FLOAT));
    assertTrue(missing.getMessage().contains("has no parameter '" + first + "'"), missing.getMessage());
    assertFalse(fromFile.parameters().isEmpty());
  }

  private static Model load(Class<? extends Model> cls, Path p) throws Exception {
    try {
      return (Model) cls.getMethod("load", Path.class).invoke(null, p);
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }
}
