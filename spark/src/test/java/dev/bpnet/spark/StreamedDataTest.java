package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Csv;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training data read by the executors (.npz shards, CSV files, Parquet), each partition holding
 * its own examples: a step on a global batch assembled from the partitions equals the
 * single-machine step on the same batch (the loop's shuffle over the same examples), for L, l_x,
 * g2, g3, outputs, predictions and the updated parameters, in float64; bad paths, columns and
 * cells are clear errors.
 */
class StreamedDataTest {
  static JavaSparkContext sc;
  static final int[] SIZES = {23, 17, 24};
  @TempDir static Path dir;
  /** The examples as written: features [64, 6], class indices. */
  static double[][] x;
  static int[] y;

  @BeforeAll
  static void start() {
    sc = Spark.local("local[2]");
    Map<String, INDArray> b = Models.batch(64, 77);
    x = b.get("x").toDoubleMatrix();
    y = b.get("y").argMax(1).toIntVector();
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void npzShardsStepAsOneMachine() throws Exception {
    Path shards = npzShards("npz", SIZES);
    Files.writeString(shards.resolve("README.txt"), "not a shard");
    StreamedData d = StreamedData.npz(sc, shards.toString(), 3, DataType.DOUBLE);
    assertEquals(3, d.partitions());
    checkOrderAndSteps(d, true, "npz");
  }

  /** The examples, in order, in .npz files of {@code sizes} examples in directory {@code name}. */
  private static Path npzShards(String name, int[] sizes) throws java.io.IOException {
    Path shards = Files.createDirectories(dir.resolve(name));
    int from = 0;
    for (int f = 0; f < sizes.length; f++) {
      long[] labels = new long[sizes[f]];
      for (int i = 0; i < sizes[f]; i++) {
        labels[i] = y[from + i];
      }
      Npz.write(shards.resolve("part-" + f + ".npz"), Map.of("x", Nd4j.create(java.util.Arrays.copyOfRange(x, from,
          from + sizes[f])), "y", Nd4j.createFromArray(labels)));
      from += sizes[f];
    }
    return shards;
  }

  /**
   * Local SGD on data on the executors, against the algorithm written out here on single-machine
   * trainers, one per .npz shard (30, 2 and 32 examples; the model with learning rules, fixed and
   * updated feedback matrices and Adam; batches of 8 in the loop's shuffle, rounds of 3 steps, two
   * epochs of rounds of 3, 3 and 2): in each step every shard's trainer steps on the examples of
   * the batch that its file holds, or, holding none, applies Adam's update with a zero direction;
   * the step's loss and l_x are the shards' weighted by their share of the batch; after each
   * round parameters and Adam's m and v are averaged, weighted by each shard's share of the
   * round's examples, and every trainer starts the next round from the average.
   */
  @Test
  void localSgdOnShardsAveragesAsWrittenOut() throws Exception {
    int[] sizes = {30, 2, 32};
    StreamedData d = StreamedData.npz(sc, npzShards("npz-local-sgd", sizes).toString(), 3, DataType.DOUBLE);
    TrainerRecipe recipe = Models.recipe("Rules");
    int k = 3;
    Batches indexed = new Batches(d.indexed(), 8, 13);
    SparkTrainer spark = new SparkTrainer(sc, recipe, recipe.newTrainer(), 1).streaming(d).averaging(indexed, k);
    List<Trainer> shards = new ArrayList<>();
    for (int p = 0; p < sizes.length; p++) {
      shards.add(recipe.newTrainer());
    }
    INDArray features = Nd4j.create(x);
    INDArray labels = d.indexed().labels();
    double worst = 0;
    int empty = 0;
    for (int e = 0; e < 2; e++) {
      spark.startEpoch(e);
      for (Trainer t : shards) {
        t.startEpoch(e);
      }
      List<Batch> epoch = new ArrayList<>();
      indexed.epoch(e).forEach(epoch::add);
      for (int r = 0; r < epoch.size(); r += k) {
        double[] share = new double[sizes.length];
        double roundSize = 0;
        for (Batch b : epoch.subList(r, Math.min(r + k, epoch.size()))) {
          int[] index = b.features().castTo(DataType.INT).data().asInt();
          roundSize += index.length;
          double loss = 0;
          double lx = 0;
          INDArray output = Nd4j.zeros(DataType.DOUBLE, index.length, 3);
          for (int p = 0, from = 0; p < sizes.length; from += sizes[p++]) {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < index.length; i++) {
              if (index[i] >= from && index[i] < from + sizes[p]) {
                mine.add(i);
              }
            }
            share[p] += mine.size();
            Trainer t = shards.get(p);
            if (mine.isEmpty()) {
              zeroUpdate(t, Map.of("x", features.getRows(0, 1), "y", labels.getRows(0, 1)));
              empty++;
              continue;
            }
            int[] rows = mine.stream().mapToInt(i -> index[i]).toArray();
            StepResult s = t.step(Map.of("x", features.getRows(rows), "y", labels.getRows(rows)));
            loss += mine.size() / (double) index.length * s.loss();
            lx += mine.size() / (double) index.length * s.inputLoss();
            for (int j = 0; j < mine.size(); j++) {
              output.putRow(mine.get(j), t.lastOutput().getRow(j));
            }
          }
          StepResult got = spark.step(Map.of("x", b.features(), "y", b.labels()));
          worst = Math.max(worst, Math.max(Models.relative(got.loss(), loss), Models.relative(got.inputLoss(), lx)));
          worst = Math.max(worst, Models.relative(spark.lastOutput(), output));
        }
        for (int p = 0; p < share.length; p++) {
          share[p] /= roundSize;
        }
        average(shards, share);
      }
      worst = Math.max(worst, SynchronousStepTest.worst(spark.parameters(), shards.get(0).parameters(), "parameters"));
    }
    System.out.printf("local SGD on 3 .npz shards (30, 2, 32 examples), rounds of 3 steps, %d steps of a shard without"
        + " examples: max relative difference %.3g%n", empty, worst);
    assertTrue(empty > 0, "the 2-example shard should miss some batches");
    assertTrue(worst < 1e-12, "max relative difference " + worst);
    d.release();
  }

  /**
   * The optimizer's update with zero directions: the trainer's own step on {@code anyFeeds} (so that
   * the optimizer gets what a step updates, in its order) with an optimizer that zeroes the
   * directions before handing them on; the trainer's generator state put back.
   */
  private static void zeroUpdate(Trainer t, Map<String, INDArray> anyFeeds) throws Exception {
    dev.bpnet.runtime.Optimizer own = t.optimizer();
    java.lang.reflect.Method set = t.getClass().getMethod("setOptimizer", dev.bpnet.runtime.Optimizer.class);
    Map<String, INDArray> generator = t.state();
    set.invoke(t, new dev.bpnet.runtime.Optimizer() {
      @Override
      public void update(List<INDArray> params, List<INDArray> directions) {
        List<INDArray> zeros = new ArrayList<>();
        for (INDArray d : directions) {
          zeros.add(Nd4j.zeros(d.dataType(), d.shape()));
        }
        own.update(params, zeros);
      }

      @Override
      public double learningRate() {
        return own.learningRate();
      }
    });
    t.step(anyFeeds);
    set.invoke(t, own);
    t.restoreState(generator);
  }

  /** Sets every trainer to the average of their parameters and floating-point optimizer state, weighted by {@code w}. */
  private static void average(List<Trainer> ts, double[] w) {
    Map<String, INDArray> params = new java.util.LinkedHashMap<>();
    Map<String, INDArray> state = new java.util.LinkedHashMap<>();
    Map<String, INDArray> exact = null;
    for (int p = 0; p < ts.size(); p++) {
      if (w[p] == 0) {
        continue;  // held none of the round's examples
      }
      double wp = w[p];
      ts.get(p).parameters().forEach((n, v) -> params.merge(n, v.mul(wp), INDArray::add));
      Map<String, INDArray> s = ts.get(p).optimizer().state();
      Map<String, INDArray> counts = new java.util.LinkedHashMap<>();
      s.forEach((n, v) -> {
        if (v.dataType().isFPType()) {
          state.merge(n, v.mul(wp), INDArray::add);
        } else {
          counts.put(n, v);
        }
      });
      if (exact != null) {
        assertEquals(exact, counts, "counts of shard " + p);
      }
      exact = counts;
    }
    state.putAll(exact);
    for (Trainer t : ts) {
      t.parameters().forEach((n, v) -> v.assign(params.get(n)));
      t.optimizer().restoreState(state);
    }
  }

  @Test
  void csvFilesStepAsOneMachine() throws Exception {
    Path files = Files.createDirectories(dir.resolve("csv"));
    int from = 0;
    for (int f = 0; f < SIZES.length; f++) {
      StringBuilder s = new StringBuilder(f == 1 ? "label,a,b,c,d,e,f\n" : "");  // one with a header: auto-detected
      for (int i = from; i < from + SIZES[f]; i++) {
        s.append(y[i]);
        for (double v : x[i]) {
          s.append(',').append(v);
        }
        s.append('\n');
      }
      Files.writeString(files.resolve("part-" + f + ".csv"), s);
      from += SIZES[f];
    }
    StreamedData d = StreamedData.csv(sc, files.toString(), Csv.Options.DEFAULT, 3, DataType.DOUBLE);
    assertEquals(3, d.partitions());
    checkOrderAndSteps(d, true, "csv");
    Files.writeString(files.resolve("part-1.csv"), "label,a,b,c,d,e,f\n1,0,0,0,0,0,0\n2,0,0,x,0,0,0\n");
    DataException e = assertThrows(DataException.class,
        () -> StreamedData.csv(sc, files.toString(), Csv.Options.DEFAULT, 3, DataType.DOUBLE));
    assertTrue(e.getMessage().matches(".*part-1\\.csv:3:7: 'x' in column 3 \\(c\\) is not a number"), e.getMessage());
  }

  /**
   * One CSV file of the 64 examples (a header, CRLF ends on some lines, a blank line, a line of
   * 1,400 bytes) read in parts of 400 bytes, so that a part holds no line start: the partitions' examples,
   * in order, are the file's rows, each once; the steps are one machine's; a bad cell in a later
   * part is reported at its line of the file.
   */
  @Test
  void oneCsvFileInPartsStepsAsOneMachine() throws Exception {
    StringBuilder s = new StringBuilder("label,a,b,c,d,e,f\n");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (i == 40) {
        s.append("\n");
      }
      StringBuilder line = new StringBuilder().append(y[i]);
      for (double v : x[i]) {
        // row 10's numbers with 200 leading zeros (the same values): a line longer than two parts
        line.append(',').append(i == 10 ? Double.toString(v).replaceFirst("^(-?)", "$1" + "0".repeat(200)) : v);
      }
      lines.add(line.toString());
      s.append(line).append(i % 3 == 0 ? "\r\n" : "\n");
    }
    Path file = Files.createDirectories(dir.resolve("one-csv")).resolve("one.csv");
    Files.writeString(file, s);
    StreamedData d = StreamedData.csv(sc, file.toString(), Csv.Options.DEFAULT, 3, DataType.DOUBLE, 400);
    long[] starts = d.starts();
    int empty = 0;
    for (int p = 0; p < d.partitions(); p++) {
      empty += starts[p + 1] == starts[p] ? 1 : 0;
    }
    System.out.printf("one CSV file of %,d bytes in %d parts of 400 bytes, %d without a line start%n", Files.size(file),
        d.partitions(), empty);
    assertEquals((Files.size(file) - "label,a,b,c,d,e,f\n".length() + 399) / 400, d.partitions());
    assertTrue(empty > 0, "a line longer than two parts: a part holds no line start");
    assertTrue(d.description().contains("(1 file in " + d.partitions() + " parts)"), d.description());
    checkOrderAndSteps(d, true, "one CSV file in parts");
    // row 55 is on line 58 of the file (the header, and the blank line before row 40)
    String bad = lines.get(55).replaceFirst("^([^,]*,[^,]*,[^,]*),[^,]*", "$1,x");
    Files.writeString(file, s.toString().replace(lines.get(55), bad));
    int col = bad.indexOf(",x") + 2;
    DataException e = assertThrows(DataException.class,
        () -> StreamedData.csv(sc, file.toString(), Csv.Options.DEFAULT, 3, DataType.DOUBLE, 400));
    assertTrue(e.getMessage().endsWith("one.csv:58:" + col + ": 'x' in column 3 is not a number"), e.getMessage());
  }

  @Test
  void parquetStepsAsOneMachine() {
    SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      rows.add(RowFactory.create(java.util.Arrays.stream(x[i]).boxed().toList(), y[i]));
    }
    StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("digit", DataTypes.IntegerType);
    String path = dir.resolve("parquet").toString();
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(path);
    String before = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", "1024");  // tiny files: one partition each, not packed into one
    try {
      StreamedData d = StreamedData.parquet(sc, path, "pixels", "digit", 3, DataType.DOUBLE);
      assertTrue(d.partitions() >= 3, d.partitions() + " partitions");
      checkOrderAndSteps(d, false, "parquet");
      DataException e = assertThrows(DataException.class,
          () -> StreamedData.parquet(sc, path, "features", "digit", 3, DataType.DOUBLE));
      assertTrue(e.getMessage().endsWith(": no column 'features' (columns: pixels, digit); name the features and label"
          + " columns: parquet:PATH#features=NAME,label=NAME"), e.getMessage());
      e = assertThrows(DataException.class, () -> StreamedData.parquet(sc, path, "digit", "pixels", 3, DataType.DOUBLE));
      assertTrue(e.getMessage().endsWith("column 'digit' is int, expected an array of numbers (the example's features)"),
          e.getMessage());
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", before);
    }
  }

  @Test
  void missingPathsAreClearErrors() {
    String none = dir.resolve("none").toString();
    DataException e = assertThrows(DataException.class, () -> StreamedData.npz(sc, none, 3, DataType.DOUBLE));
    assertEquals(none + ": no such file or directory", e.getMessage());
    e = assertThrows(DataException.class, () -> StreamedData.csv(sc, dir.toString(), Csv.Options.DEFAULT, 3,
        DataType.DOUBLE));
    assertEquals(dir + ": no .csv files there", e.getMessage());
    e = assertThrows(DataException.class, () -> StreamedData.parquet(sc, none, "x", "y", 3, DataType.DOUBLE));
    assertTrue(e.getMessage().startsWith(none + ": cannot read as Parquet: "), e.getMessage());
  }

  /**
   * The examples in the streamed order are those written ({@code inWrittenOrder}: in the same
   * order), and the two steps of an epoch (batches of 32) through the
   * loop's shuffle of the driver's indices equal the single-machine steps on the gathered examples.
   */
  private static void checkOrderAndSteps(StreamedData d, boolean inWrittenOrder, String what) {
    Dataset all = d.collect(DataType.DOUBLE);
    assertEquals(64, d.size());
    assertEquals(6, d.featureCount());
    Map<String, Integer> label = new HashMap<>();
    for (int i = 0; i < x.length; i++) {
      label.put(java.util.Arrays.toString(x[i]), y[i]);
    }
    double[][] got = all.features().toDoubleMatrix();
    int[] gotLabels = all.labels().argMax(1).toIntVector();
    for (int i = 0; i < got.length; i++) {
      if (inWrittenOrder) {
        assertEquals(java.util.Arrays.toString(x[i]), java.util.Arrays.toString(got[i]), what + " example " + i);
      }
      assertEquals(label.get(java.util.Arrays.toString(got[i])), gotLabels[i], what + " label of example " + i);
    }
    assertEquals(0, d.indexed().labels().sub(all.labels()).amaxNumber().doubleValue(), "the driver's labels");
    TrainerRecipe recipe = Models.recipe("Exact");
    Trainer single = recipe.newTrainer();
    SparkTrainer spark = new SparkTrainer(sc, recipe, recipe.newTrainer(), 1).streaming(d);
    Batches indexed = new Batches(d.indexed(), 32, 11);
    Batches real = new Batches(all, 32, 11);
    double worst = 0;
    for (int e = 0; e < 1; e++) {
      spark.startEpoch(e);
      single.startEpoch(e);
      Iterator<Batch> a = indexed.epoch(e).iterator();
      for (Batch r : real.epoch(e)) {
        Batch i = a.next();
        Map<String, INDArray> feeds = Map.of("x", i.features(), "y", i.labels());
        Map<String, INDArray> want = Map.of("x", r.features(), "y", r.labels());
        Gradients gw = single.gradients(want);
        Gradients gg = spark.gradients(feeds);
        worst = Math.max(worst, Math.max(Models.relative(gg.loss(), gw.loss()), Models.relative(gg.inputLoss(), gw.inputLoss())));
        worst = Math.max(worst, SynchronousStepTest.worst(gg.pass2(), gw.pass2(), "g2"));
        worst = Math.max(worst, SynchronousStepTest.worst(gg.pass3(), gw.pass3(), "g3"));
        worst = Math.max(worst, Models.relative(spark.lastOutput(), single.lastOutput()));
        worst = Math.max(worst, Models.relative(spark.predict(Map.of("x", i.features())), single.predict(Map.of("x",
            r.features()))));
        StepResult sw = single.step(want);
        StepResult sg = spark.step(feeds);
        worst = Math.max(worst, Math.max(Models.relative(sg.loss(), sw.loss()), Models.relative(sg.inputLoss(), sw.inputLoss())));
        worst = Math.max(worst, SynchronousStepTest.worst(spark.parameters(), single.parameters(), "parameters"));
      }
    }
    System.out.printf("%s, %d partitions: 2 steps on streamed data, max relative difference %.3g; sent %,d bytes,"
        + " received %,d%n", what, d.partitions(), worst, spark.bytesSent(), spark.bytesReceived());
    assertTrue(worst < 1e-12, what + ": max relative difference " + worst);
    d.release();
  }
}
