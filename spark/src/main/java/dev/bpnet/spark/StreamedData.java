package dev.bpnet.spark;

import dev.bpnet.runtime.data.Csv;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Loaded;
import dev.bpnet.runtime.data.NumpyData;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training data that stays on the executors: read by Spark from a directory of .npz shards, CSV
 * files or Parquet, one block of examples per partition, each block read by the executor that
 * holds it and kept in its memory (recomputed from the files if Spark evicts it). The examples
 * have a global order, partition by partition (files sorted by name; Parquet in Spark's
 * partition order), and index i names example i. The driver holds only each example's index and
 * label ({@link #indexed()}): the training loop shuffles, batches, splits off validation examples
 * and scores as for any data set, and a {@link SparkTrainer} {@linkplain SparkTrainer#streaming
 * streaming} this data reads its feeds' input as those indices, each task computing on the rows
 * of the batch that its partition holds.
 */
public final class StreamedData {

  /** One partition's examples: features [rows, d] and labels [rows, k] in the model's dtype. */
  record Block(int partition, int rows, Tensor features, Tensor labels, boolean targets) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Block of(int partition, Dataset d, boolean targets) {
      return new Block(partition, d.size(), Tensor.of(d.features()), Tensor.of(d.labels()), targets);
    }
  }

  private final JavaRDD<Block> blocks;
  private final long[] starts;
  private final int features;
  private final Dataset indexed;
  private final boolean regression;
  private final String description;

  private StreamedData(JavaRDD<Block> blocks, long[] starts, int features, Dataset indexed, boolean regression,
      String description) {
    this.blocks = blocks;
    this.starts = starts;
    this.features = features;
    this.indexed = indexed;
    this.regression = regression;
    this.description = description;
  }

  /**
   * The .npz files in {@code dir} (a directory, a file, or a glob, on any file system Spark
   * reads), one partition each, in order of name: each holds {@code x} [n, ...] and {@code y} [n]
   * class indices or [n, k] targets, as {@code --data FILE.npz} reads one file.
   *
   * @param classes the model's label width: class indices become one-hot over it
   */
  public static StreamedData npz(JavaSparkContext sc, String dir, int classes, org.nd4j.linalg.api.buffer.DataType dtype) {
    String dt = dtype.name();
    List<Part> parts = files(sc, dir, ".npz").stream().map(Part::whole).toList();
    return perPart(sc, parts, "the .npz shards " + dir + " (" + parts.size() + " files)", dtype, (p, part, conf) -> {
      String f = part.file();
      Loaded l = local(f, conf, path -> NumpyData.readNpz(path, classes, org.nd4j.linalg.api.buffer.DataType.valueOf(dt)));
      if (l.test() != null) {
        throw new DataException(f + ": holds a test set (x_test, y_test); a streamed shard holds x and y");
      }
      return Block.of(p, l.train(), l.regression());
    });
  }

  /** As {@link #csv(JavaSparkContext, String, Csv.Options, int, org.nd4j.linalg.api.buffer.DataType, long)} in parts of the default size. */
  public static StreamedData csv(JavaSparkContext sc, String path, Csv.Options options, int classes,
      org.nd4j.linalg.api.buffer.DataType dtype) {
    return csv(sc, path, options, classes, dtype, 0);
  }

  /**
   * The CSV files {@code path} names (a file, a directory of {@code .csv} files, or a glob), in
   * order of name, each read by the runtime's CSV reader with {@code options} (header and label
   * column as {@code --data FILE.csv} takes them). A file of at most {@code partBytes} bytes is
   * one partition; a larger one is read in parts of about {@code partBytes} bytes, a partition
   * each, so that several executors read one file ({@link CsvPart}). {@code partBytes} 0 takes
   * Spark's rule for files: min({@code spark.sql.files.maxPartitionBytes}, 128 MB by default;
   * max({@code spark.sql.files.openCostInBytes}, 4 MB; all the files' bytes / default
   * parallelism)).
   */
  public static StreamedData csv(JavaSparkContext sc, String path, Csv.Options options, int classes,
      org.nd4j.linalg.api.buffer.DataType dtype, long partBytes) {
    String dt = dtype.name();
    List<String> files = files(sc, path, ".csv");
    List<Part> parts = CsvPart.parts(sc, files, options.header(), partBytes);
    String what = "the CSV files " + path + " (" + files.size() + (files.size() == 1 ? " file" : " files")
        + (parts.size() > files.size() ? " in "
        + parts.size() + " parts" : "") + ")";
    // Options is serializable: the reader carries the label columns and the header choice to the executors
    return perPart(sc, parts, what, dtype, (p, part, conf) -> {
      Csv.Table t = CsvPart.read(part, options, conf.value());
      return t == null ? new Block(p, 0, null, null, false)
          : Block.of(p, t.toDataset(classes, org.nd4j.linalg.api.buffer.DataType.valueOf(dt)), false);
    });
  }

  /**
   * What one partition reads: a whole file, or the lines of a file that start in bytes
   * [start, end) ({@link CsvPart}).
   */
  record Part(String file, long start, long end, boolean isWhole) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Part whole(String file) {
      return new Part(file, 0, -1, true);
    }
  }

  /** Reads one part, on the executor of its partition, into that partition's block. */
  private interface PartReader extends java.io.Serializable {
    Block read(int partition, Part part, SerializableConfiguration conf) throws IOException;
  }

  /** The parts, one partition each, in order, each read by {@code reader} where it lies. */
  private static StreamedData perPart(JavaSparkContext sc, List<Part> parts, String description,
      org.nd4j.linalg.api.buffer.DataType dtype, PartReader reader) {
    Broadcast<SerializableConfiguration> conf = sc.broadcast(new SerializableConfiguration(sc.hadoopConfiguration()));
    JavaRDD<Block> rdd = sc.parallelize(parts, parts.size()).mapPartitionsWithIndex((p, it) -> {
      List<Block> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(reader.read(p, it.next(), conf.value()));
      }
      return out.iterator();
    }, true);
    return of(rdd, parts.size(), description, dtype);
  }

  /**
   * Parquet (a file or a directory of part files, as Spark writes them) with a column of feature
   * arrays and a label column: class indices (integers, or whole floating-point numbers) or
   * arrays of regression targets. One block per Spark partition of the read.
   */
  public static StreamedData parquet(JavaSparkContext sc, String path, String featureColumn, String labelColumn,
      int classes, org.nd4j.linalg.api.buffer.DataType dtype) {
    SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    org.apache.spark.sql.Dataset<Row> df;
    try {
      df = spark.read().parquet(path);
    } catch (Exception e) {  // AnalysisException: a path that does not exist, files that are not Parquet
      throw new DataException(path + ": cannot read as Parquet: " + firstLine(e.getMessage()), e);
    }
    StructType schema = df.schema();
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String c : List.of(featureColumn, labelColumn)) {
      if (!names.contains(c)) {
        throw new DataException(path + ": no column '" + c + "' (columns: " + String.join(", ", names)
            + "); name the features and label columns: parquet:PATH#features=NAME,label=NAME");
      }
    }
    StructField fx = schema.apply(featureColumn);
    if (!(fx.dataType() instanceof ArrayType a && a.elementType() instanceof NumericType)) {
      throw new DataException(path + ": column '" + featureColumn + "' is " + fx.dataType().simpleString()
          + ", expected an array of numbers (the example's features)");
    }
    StructField fy = schema.apply(labelColumn);
    boolean targets = fy.dataType() instanceof ArrayType b && b.elementType() instanceof NumericType;
    if (!targets && !(fy.dataType() instanceof NumericType)) {
      throw new DataException(path + ": column '" + labelColumn + "' is " + fy.dataType().simpleString()
          + ", expected a class index (a number) or an array of regression targets");
    }
    boolean integral = isIntegral(fy.dataType());
    String dt = dtype.name();
    String source = path;
    JavaRDD<Block> rdd = df.select(featureColumn, labelColumn).javaRDD().mapPartitionsWithIndex((p, it) -> {
      List<double[]> xs = new ArrayList<>();
      List<double[]> ys = new ArrayList<>();
      List<Integer> cs = new ArrayList<>();
      long row = 0;
      while (it.hasNext()) {
        Row r = it.next();
        String where = source + ", partition " + p + ", row " + row++;
        xs.add(numbers(r, 0, where + ", column '" + featureColumn + "'"));
        if (targets) {
          ys.add(numbers(r, 1, where + ", column '" + labelColumn + "'"));
        } else {
          if (r.isNullAt(1)) {
            throw new DataException(where + ": label is null");
          }
          double v = ((Number) r.get(1)).doubleValue();
          if (!(v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) {
            throw new DataException(where + ": label " + v + " in column '" + labelColumn + "' is not a class index"
                + " (a whole number from 0)" + (integral ? "" : "; regression targets go in an array column"));
          }
          cs.add((int) v);
        }
      }
      return List.of(block(p, xs, ys, cs, targets, classes, org.nd4j.linalg.api.buffer.DataType.valueOf(dt), source))
          .iterator();
    }, true);
    return of(rdd, rdd.getNumPartitions(), "Parquet " + path + " (columns " + featureColumn + ", " + labelColumn + ")",
        dtype);
  }

  private static boolean isIntegral(DataType t) {
    return t == DataTypes.IntegerType || t == DataTypes.LongType || t == DataTypes.ShortType || t == DataTypes.ByteType;
  }

  private static double[] numbers(Row r, int column, String where) {
    if (r.isNullAt(column)) {
      throw new DataException(where + ": null");
    }
    List<Object> l = r.getList(column);
    double[] v = new double[l.size()];
    for (int i = 0; i < v.length; i++) {
      Object o = l.get(i);
      if (o == null || !Double.isFinite(((Number) o).doubleValue())) {
        throw new DataException(where + ", element " + i + ": " + o + ": the data must be finite numbers");
      }
      v[i] = ((Number) o).doubleValue();
    }
    return v;
  }

  private static Block block(int p, List<double[]> xs, List<double[]> ys, List<Integer> cs, boolean targets,
      int classes, org.nd4j.linalg.api.buffer.DataType dtype, String source) {
    int n = xs.size();
    int d = n == 0 ? 0 : xs.get(0).length;
    double[] x = new double[n * d];
    for (int i = 0; i < n; i++) {
      if (xs.get(i).length != d) {
        throw new DataException(source + ", partition " + p + ": example " + i + " has " + xs.get(i).length
            + " features, example 0 has " + d);
      }
      System.arraycopy(xs.get(i), 0, x, i * d, d);
    }
    if (n == 0) {
      return new Block(p, 0, null, null, targets);
    }
    INDArray features = Nd4j.create(x, new long[] {n, d}, 'c').castTo(dtype);
    INDArray labels;
    if (targets) {
      int k = ys.get(0).length;
      double[] y = new double[n * k];
      for (int i = 0; i < n; i++) {
        if (ys.get(i).length != k) {
          throw new DataException(source + ", partition " + p + ": example " + i + " has " + ys.get(i).length
              + " targets, example 0 has " + k);
        }
        System.arraycopy(ys.get(i), 0, y, i * k, k);
      }
      labels = Nd4j.create(y, new long[] {n, k}, 'c').castTo(dtype);
    } else {
      labels = dev.bpnet.runtime.data.Labels.oneHot(cs.stream().mapToInt(Integer::intValue).toArray(), classes,
          source + ", partition " + p, dtype);
    }
    return Block.of(p, Dataset.of(features, labels), targets);
  }

  /** What the driver learns of a block: its size, width and labels. */
  record Meta(int partition, int rows, int features, Tensor labels, boolean targets) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private static StreamedData of(JavaRDD<Block> rdd, int partitions, String description,
      org.nd4j.linalg.api.buffer.DataType dtype) {
    JavaRDD<Block> cached = rdd.persist(StorageLevel.MEMORY_ONLY());
    List<Meta> meta;
    try {
      meta = new ArrayList<>(cached.map(b -> new Meta(b.partition(), b.rows(),
          b.rows() == 0 ? -1 : (int) b.features().shape()[1], b.labels(), b.targets())).collect());
    } catch (Exception e) {  // a task's DataException arrives as a SparkException that quotes it
      cached.unpersist(false);
      throw new DataException(executorMessage(e), e);
    }
    meta.sort(Comparator.comparingInt(Meta::partition));
    long[] starts = new long[partitions + 1];
    int width = -1;
    List<INDArray> labels = new ArrayList<>();
    boolean targets = false;
    for (Meta m : meta) {
      starts[m.partition() + 1] = m.rows();
      if (m.rows() == 0) {
        continue;
      }
      if (width >= 0 && m.features() != width) {
        throw new DataException(description + ": partition " + m.partition() + " has " + m.features()
            + " features per example, the ones before it " + width);
      }
      width = m.features();
      targets |= m.targets();
      labels.add(m.labels().toArray(dtype));
    }
    for (int p = 0; p < partitions; p++) {
      starts[p + 1] += starts[p];
    }
    long n = starts[partitions];
    if (n == 0) {
      throw new DataException(description + ": holds no examples");
    }
    if (dtype == org.nd4j.linalg.api.buffer.DataType.FLOAT && n > (1 << 24)) {
      throw new DataException(description + ": " + n + " examples; a float32 model's driver names examples by"
          + " float32 indices, exact up to 2^24 = 16,777,216; train in float64");
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new DataException(description + ": " + n + " examples, more than a data set holds");
    }
    INDArray y = Nd4j.concat(0, labels.toArray(INDArray[]::new));
    INDArray index = Nd4j.arange(n).reshape('c', n, 1).castTo(dtype);
    boolean regression = targets && !(y.eq(1.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sum(1).eq(1).all()
        && y.eq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sum(1).eq(y.columns() - 1).all());
    return new StreamedData(cached, starts, width, Dataset.of(index, y), regression,
        String.format(Locale.ROOT, "%s, %,d examples in %d partitions on the executors", description, n, partitions));
  }

  /** The line of a failed job's message that quotes the task's exception, without Spark's framing. */
  static String executorMessage(Throwable e) {
    String m = String.valueOf(e.getMessage());
    for (String line : m.split("\n")) {
      int at = line.indexOf(DataException.class.getName() + ": ");
      if (at >= 0) {
        return line.substring(at + DataException.class.getName().length() + 2);
      }
    }
    return firstLine(m);
  }

  private static String firstLine(String m) {
    return String.valueOf(m).lines().findFirst().orElse("");
  }

  /** The files {@code path} names: itself, the files with {@code suffix} in a directory, or a glob's matches; by name. */
  private static List<String> files(JavaSparkContext sc, String path, String suffix) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
      FileStatus[] matched = fs.globStatus(p);
      if (matched == null || matched.length == 0) {
        throw new DataException(path + ": no such file or directory");
      }
      List<String> files = new ArrayList<>();
      for (FileStatus s : matched) {
        if (s.isDirectory()) {
          for (FileStatus f : fs.listStatus(s.getPath())) {
            if (f.isFile() && f.getPath().getName().endsWith(suffix)) {
              files.add(f.getPath().toString());
            }
          }
        } else {
          files.add(s.getPath().toString());
        }
      }
      if (files.isEmpty()) {
        throw new DataException(path + ": no " + suffix + " files there");
      }
      files.sort(Comparator.naturalOrder());
      return files;
    } catch (IOException e) {
      throw new DataException(path + ": cannot list: " + e.getMessage(), e);
    }
  }

  /** Reads {@code file} with a reader of local paths: itself on a local file system, else a local copy. */
  private static <T> T local(String file, SerializableConfiguration conf, java.util.function.Function<java.nio.file.Path, T> read)
      throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
    FileSystem fs = p.getFileSystem(conf.value());
    if (fs instanceof LocalFileSystem || "file".equals(fs.getUri().getScheme())) {
      return read.apply(java.nio.file.Path.of(p.toUri().getPath()));
    }
    java.nio.file.Path copy = java.nio.file.Files.createTempFile("bpnet-shard", p.getName());
    try {
      fs.copyToLocalFile(false, p, new org.apache.hadoop.fs.Path(copy.toUri()), true);
      return read.apply(copy);
    } finally {
      java.nio.file.Files.deleteIfExists(copy);
    }
  }

  /** The blocks, one per partition, cached on the executors. */
  JavaRDD<Block> blocks() {
    return blocks;
  }

  /** Partitions. */
  public int partitions() {
    return starts.length - 1;
  }

  /** The first example of each partition, and the number of examples at the end. */
  long[] starts() {
    return starts.clone();
  }

  /** Examples. */
  public int size() {
    return (int) starts[starts.length - 1];
  }

  /** Features per example. */
  public int featureCount() {
    return features;
  }

  /** Whether the labels are regression targets rather than one-hot classes. */
  public boolean regression() {
    return regression;
  }

  /** What the driver holds: each example's index (a column [N, 1], in the model's dtype) and label. */
  public Dataset indexed() {
    return indexed;
  }

  /** Where the data is, in words. */
  public String description() {
    return description;
  }

  /** Every example, gathered to the driver in the global order (tests, and small data). */
  public Dataset collect(org.nd4j.linalg.api.buffer.DataType dtype) {
    List<Block> all = new ArrayList<>(blocks.filter(b -> b.rows() > 0).collect());
    all.sort(Comparator.comparingInt(Block::partition));
    return Dataset.of(Nd4j.concat(0, all.stream().map(b -> b.features().toArray(dtype)).toArray(INDArray[]::new)),
        Nd4j.concat(0, all.stream().map(b -> b.labels().toArray(dtype)).toArray(INDArray[]::new)));
  }

  /** Frees the executors' copies. */
  public void release() {
    blocks.unpersist(false);
  }
}
