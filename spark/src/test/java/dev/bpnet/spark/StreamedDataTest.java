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
    Path shards = Files.createDirectories(dir.resolve("npz"));
    int from = 0;
    for (int f = 0; f < SIZES.length; f++) {
      long[] labels = new long[SIZES[f]];
      for (int i = 0; i < SIZES[f]; i++) {
        labels[i] = y[from + i];
      }
      Npz.write(shards.resolve("part-" + f + ".npz"), Map.of("x", Nd4j.create(java.util.Arrays.copyOfRange(x, from,
          from + SIZES[f])), "y", Nd4j.createFromArray(labels)));
      from += SIZES[f];
    }
    Files.writeString(shards.resolve("README.txt"), "not a shard");
    StreamedData d = StreamedData.npz(sc, shards.toString(), 3, DataType.DOUBLE);
    assertEquals(3, d.partitions());
    checkOrderAndSteps(d, true, "npz");
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
