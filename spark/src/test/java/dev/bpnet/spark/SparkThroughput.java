package dev.bpnet.spark;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Examples per second of the MNIST MLP (examples/mnist/mnist.bpnet: 784-512-10, three passes,
 * paper mode, float32) on one JVM and on Spark, and the bytes a step sends. Not a test: run by
 * hand (README, Training on Spark), on a quiet machine, with OMP_NUM_THREADS=1.
 *
 * <pre>java -cp ... dev.bpnet.spark.SparkThroughput MODE BATCH STEPS REPEATS</pre>
 * MODE: single, sync (with MASTER in -Dmaster, default local[2]) or average:K.
 */
public final class SparkThroughput {
  private SparkThroughput() {}

  public static void main(String[] args) {
    String mode = args[0];
    int batch = Integer.parseInt(args[1]);
    int steps = Integer.parseInt(args[2]);
    int repeats = Integer.parseInt(args[3]);
    String master = System.getProperty("master", "local[2]");
    TrainingGraph tg = FileCompiler.model(SourceFile.read(Path.of("examples/mnist/mnist.bpnet")), "MnistThreePass");
    DataType dt = TrainerLoader.dataType(tg.program().train().dtype());
    long seed = tg.program().train().seed();
    Random r = new Random(1);
    int n = batch * (steps + 2);
    float[][] x = new float[n][784];
    float[][] y = new float[n][10];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 784; j++) {
        x[i][j] = r.nextFloat();
      }
      y[i][r.nextInt(10)] = 1;
    }
    Batches batches = new Batches(Dataset.of(Nd4j.create(x).castTo(dt), Nd4j.create(y).castTo(dt)), batch, 1);
    Trainer local = TrainerLoader.instantiate(tg, dt, seed);
    JavaSparkContext sc = null;
    SparkTrainer spark = null;
    Trainer t = local;
    if (!mode.equals("single")) {
      sc = Spark.local(master);
      spark = new SparkTrainer(sc, TrainerRecipe.of(tg, dt, seed), local, sc.defaultParallelism());
      if (mode.startsWith("average:")) {
        spark.averaging(batches, Integer.parseInt(mode.substring("average:".length())));
      }
      t = spark;
    }
    double[] rates = new double[repeats];
    long sent = 0;
    long received = 0;
    int timed = 0;
    for (int rep = 0; rep < repeats + 1; rep++) {  // the first repeat warms up
      t.startEpoch(rep);
      Iterator<Batch> it = batches.epoch(rep).iterator();
      long s0 = spark == null ? 0 : spark.bytesSent();
      long r0 = spark == null ? 0 : spark.bytesReceived();
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        Batch b = it.next();
        t.step(Map.of("x", b.features(), "y", b.labels()));
      }
      double sec = (System.nanoTime() - t0) / 1e9;
      if (rep > 0) {
        rates[rep - 1] = steps * (double) batch / sec;
        if (spark != null) {
          sent += spark.bytesSent() - s0;
          received += spark.bytesReceived() - r0;
          timed += steps;
        }
      }
    }
    Arrays.sort(rates);
    // compute alone: the gradients of one shard on one thread, what each executor does per step
    int parts = spark == null ? 1 : sc.defaultParallelism();
    Trainer alone = TrainerLoader.instantiate(tg, dt, seed);
    Map<String, INDArray> shard = Map.of("x", Nd4j.create(Arrays.copyOf(x, batch / parts)).castTo(dt),
        "y", Nd4j.create(Arrays.copyOf(y, batch / parts)).castTo(dt));
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 3 + steps; i++) {
      long t0 = System.nanoTime();
      alone.gradients(shard);
      times.add(System.nanoTime() - t0);
    }
    times.sort(null);
    System.out.printf("%s %s batch %d: median %.0f examples/s (min %.0f, max %.0f over %d repeats of %d steps);"
        + " step %.1f ms; one shard's gradients alone %.1f ms; sent %.2f MB, received %.2f MB per step%n",
        mode, spark == null ? "one JVM" : master, batch, rates[repeats / 2], rates[0], rates[repeats - 1], repeats, steps,
        1000.0 * batch / rates[repeats / 2], times.get(times.size() / 2) / 1e6,
        timed == 0 ? 0 : sent / 1e6 / timed, timed == 0 ? 0 : received / 1e6 / timed);
    if (sc != null) {
      // where the rest goes: an empty job's round trip, and Java serialisation of the parameters as shipped
      List<Long> empty = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        long t0 = System.nanoTime();
        sc.parallelize(List.of(1, 2), 2).map(v -> v).collect();
        empty.add(System.nanoTime() - t0);
      }
      empty.sort(null);
      List<Long> ser = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        java.util.Map<String, Tensor> values = new java.util.LinkedHashMap<>();
        local.parameters().forEach((k, v) -> values.put(k, Tensor.of(v)));
        byte[] bytes = org.apache.commons.lang3.SerializationUtils.serialize(new java.util.HashMap<>(values));
        org.apache.commons.lang3.SerializationUtils.deserialize(bytes);
        ser.add(System.nanoTime() - t0);
      }
      ser.sort(null);
      System.out.printf("an empty 2-task job %.1f ms; parameters to float64 tensors, serialised and read back %.1f ms%n",
          empty.get(empty.size() / 2) / 1e6, ser.get(ser.size() / 2) / 1e6);
      sc.stop();
    }
  }
}
