package dev.bpnet.runtime.data;

import dev.bpnet.api.DataSets;
import dev.bpnet.api.Messages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where {@code bpnet train}, and {@code TrainingLoop.run} from a train block, get their data,
 * ready to train on: "mnist" is the bundled
 * 10,000-digit subset (8,000 train, 2,000 test); "fashion_mnist" the Debian package's files;
 * "cifar10"/"cifar100" the extracted binary archives, looked for by their directory names;
 * "teacher_student", "cosine" and "cubic" the generated regression tasks of seeds 001, 004 and
 * 002 ({@link Synthetic}); any other value is a path read by {@link DataFiles}. Files without a
 * test set give up a seeded fraction of their training examples for one.
 *
 * <p>Everything is read and checked against the model's input and label here, before training
 * starts. Normalisation statistics come from the training part only ({@link #withValidation}
 * refits them when a validation part is split off); augmentation is applied by
 * {@link #batches} to training batches only. {@code regression}: the labels are real-valued
 * targets, so the test figure is the mean squared error rather than accuracy.
 */
public final class TrainingData {

  /** Fraction of a training file held out as the test set when there is no test file. */
  static final double TEST_FRACTION = 0.2;

  /** Seed of that held-out split: fixed, so every run on the same files tests on the same part. */
  static final long TEST_SPLIT_SEED = 0x5eed;

  /** Environment variable naming a directory searched for the CIFAR archives. */
  static final String DATA_ENV = "BPNET_DATA";

  /**
   * What a model trains on, for reading and checking data against it: its first input's
   * per-example dimensions ({@code [784]}, or {@code [1, 28, 28]} fed as 784 features) and its
   * first label's width, with the names messages use.
   */
  public record Target(String model, String input, List<Integer> inputDims, String label, int labelWidth) {
    public Target {
      inputDims = List.copyOf(inputDims);
    }

    /** The number of features of an example: the product of {@link #inputDims}. */
    public int features() {
      return inputDims.stream().reduce(1, (x, y) -> x * y);
    }

    /** "[784]", or "[1, 28, 28] (784 features)". */
    public String example() {
      return inputDims.size() == 1 ? inputDims.toString() : inputDims + " (" + features() + " features)";
    }

    /**
     * The target of a model with these inputs and labels (per-example dimensions, by name, in
     * declaration order): it trains on the first of each, and the label must be a vector.
     *
     * @throws DataException when the model has no input or label to train on, or a label that is not [k]
     */
    public static Target of(String model, Map<String, List<Integer>> inputs, Map<String, List<Integer>> labels) {
      if (inputs.isEmpty() || labels.isEmpty()) {
        throw mismatch(model);
      }
      Map.Entry<String, List<Integer>> in = inputs.entrySet().iterator().next();
      Map.Entry<String, List<Integer>> lb = labels.entrySet().iterator().next();
      if (in.getValue().isEmpty() || lb.getValue().size() != 1) {
        throw mismatch(model);
      }
      return new Target(model, in.getKey(), in.getValue(), lb.getKey(), lb.getValue().get(0));
    }

    private static DataException mismatch(String model) {
      return new DataException("model " + model + " must have one input [n] (or [c, h, w]) and one label [k] to train on this data");
    }
  }

  private final Dataset rawTrain;
  private final Dataset rawTest;
  private final ImageShape image;
  private final Normalization.Mode mode;
  private final int crop;
  private final boolean flip;
  private final Dataset train;
  private final Dataset validation;
  private final Dataset test;
  private final Normalization normalization;
  private final String description;
  private final boolean regression;
  /** The data as a --data value that reads it again from anywhere (absolute paths), or null. */
  private String source;
  /** Which examples train, validate and test, in words (see {@link #examples}). */
  private String trainPhrase = "";
  private String validationPhrase;
  private String testPhrase = "";
  /** The training line's sentence when there is a validation set. */
  private String selection;
  /** The subset arguments given ("train = 1000, offset = 2000"), or null for all examples. */
  private String subset;

  private TrainingData(Dataset rawTrain, Dataset rawValidation, Dataset rawTest, Loaded source,
      Normalization.Mode mode, int crop, boolean flip, String description) {
    this.rawTrain = rawTrain;
    this.rawTest = rawTest;
    this.image = source.image();
    this.mode = mode;
    this.crop = crop;
    this.flip = flip;
    this.description = description;
    this.regression = source.regression();
    this.normalization = Normalization.fit(rawTrain, mode, image);
    this.train = normalized(rawTrain);
    this.validation = rawValidation == null ? null : normalized(rawValidation);
    this.test = normalized(rawTest);
    if (crop > 0 || flip) {
      augmentation(); // checks the images are big enough, before training starts
    }
  }

  /** The training examples, normalised. */
  public Dataset train() {
    return train;
  }

  /** The validation examples split off by {@link #withValidation}, normalised; or null. */
  public Dataset validation() {
    return validation;
  }

  /** The test examples, normalised with the training statistics. */
  public Dataset test() {
    return test;
  }

  /** What the data is, for the training line. */
  public String description() {
    return description;
  }

  /**
   * What {@link #load} was given, as a --data value that loads the same data again from any
   * working directory: a set's name with its arguments, or an absolute path; recorded in
   * checkpoints so that a resumed run reads what the run read. Null if it cannot be written so.
   */
  public String source() {
    return source;
  }

  /**
   * Which examples train, validate and test, in words that say exactly which: ranges of the
   * source's parts, or a seeded draw ("train", "validation" (absent without one), "test").
   */
  public Map<String, String> examples() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("train", validationPhrase == null ? trainPhrase
        : String.format(Locale.ROOT, "%s less the %,d validation examples", trainPhrase, validation.size()));
    if (validationPhrase != null) {
      m.put("validation", validationPhrase);
    }
    m.put("test", testPhrase);
    return m;
  }

  /** Which examples train, validate and test, in one sentence for the training line. */
  public String selection() {
    return selection != null ? selection : "train on " + trainPhrase + ", no validation set; test on " + testPhrase;
  }

  /** The subset arguments given, as written in the train block ("train = 1000, offset = 2000"), or null. */
  public String subset() {
    return subset;
  }

  /** Whether the labels are regression targets. */
  public boolean regression() {
    return regression;
  }

  /** The statistics the features were normalised with, or null. */
  public Normalization normalization() {
    return normalization;
  }

  /** Shuffled training batches, augmented if the data option asked for it. */
  public Batches batches(int batchSize, long seed) {
    return new Batches(train, batchSize, seed).augmented(crop > 0 || flip ? augmentation() : null);
  }

  /**
   * The same data with {@code amount} training examples (a fraction below 1, else a count; 0:
   * none) split off at random from {@code seed} as a validation set; normalisation is refit on
   * the rest, so that the validation figures are those of unseen data.
   */
  public TrainingData withValidation(double amount, long seed) {
    if (amount == 0) {
      return this;
    }
    Dataset.Split s = Splits.split(rawTrain, amount, seed);
    TrainingData v = new TrainingData(s.first(), s.rest(), rawTest, new Loaded(rawTrain, rawTest, image, regression, description),
        mode, crop, flip, String.format(Locale.ROOT, "%s; %,d of its training examples held out for validation",
            description, s.rest().size()));
    v.source = source;
    v.subset = subset;
    v.trainPhrase = trainPhrase;
    v.testPhrase = testPhrase;
    v.validationPhrase = String.format(Locale.ROOT, "%,d of %s, drawn at random with seed %d", s.rest().size(),
        trainPhrase, seed);
    v.selection = String.format(Locale.ROOT, "train on %s less %,d drawn at random with seed %d to validate on; test on %s",
        trainPhrase, s.rest().size(), seed, testPhrase);
    return v;
  }

  private Augmentation augmentation() {
    if (image == null) {
      throw new DataException(description + ": crop and flip need images, and these examples are "
          + rawTrain.featureCount() + " plain features");
    }
    if (crop > Math.min(image.height(), image.width())) {
      throw new DataException(description + ": crop = " + crop + " is larger than the " + image + " images");
    }
    double[] fill = null;
    if (normalization != null) {
      // padding is black (0) before normalisation, as in the paper's pipeline
      double[] zero = normalization.zero().toDoubleVector();
      fill = new double[image.channels()];
      for (int c = 0; c < fill.length; c++) {
        fill[c] = zero[c * image.plane()];
      }
    }
    return new Augmentation(image, crop, flip, fill);
  }

  private Dataset normalized(Dataset d) {
    return normalization == null ? d : normalization.apply(d);
  }

  /**
   * The data named by {@code data} (a set's name, {@link DataSets#names}, or a path, relative to
   * the working directory, else to {@code modelDir}) with its arguments as a train block gives
   * them ({@code TrainSpec.dataArgs()}), read in {@code dt} and checked against {@code target}.
   *
   * @throws DataException naming the source and what is wrong: a missing file, a set not
   *     installed, examples of another width than the model's input or label
   */
  public static TrainingData load(String data, Map<String, Double> args, Path modelDir, Target target, DataType dt) {
    return load(data, args, Map.of(), modelDir, target, dt);
  }

  /**
   * As {@link #load(String, Map, Path, Target, DataType)}, with the arguments a train block writes
   * in quotes ({@code TrainSpec.dataText()}): a CSV file's label columns by header name
   * ({@code label_column = "species"}) or the columns of regression targets
   * ({@code label_columns = "3..5"}, {@code "y1, y2"}).
   */
  public static TrainingData load(String data, Map<String, Double> args, Map<String, String> text, Path modelDir,
      Target target, DataType dt) {
    int[] widths = {target.features(), target.labelWidth()};
    Map<String, Double> given = args;
    Subset subset = Subset.of(given);
    args = Subset.without(given);
    TrainingData d;
    String source = Synthetic.ARGUMENTS.containsKey(data) || DataSets.names().contains(data) ? expression(data, given, text) : null;
    if (Synthetic.ARGUMENTS.containsKey(data)) {
      Map<String, Double> a = new java.util.LinkedHashMap<>(Synthetic.ARGUMENTS.get(data));
      a.putAll(args);
      Synthetic.TrainTest s = Synthetic.trainAndTest(data, a, widths[0], widths[1], dt);
      String description = describe(data, a, s);
      Subset.Selection tr = subset.train(s.train(), description);
      Subset.Selection te = subset.test(s.test(), description);
      d = new TrainingData(tr.data(), null, te.data(), new Loaded(tr.data(), te.data(), null, true, ""),
          Normalization.Mode.NONE, 0, false, description);
      d.trainPhrase = tr.phrase();
      d.testPhrase = te.phrase();
    } else {
      Path file = source == null ? file(data, modelDir) : null;
      if (file != null) {
        // a path with arguments in the train block's syntax; one holding quotes cannot be written so
        source = given.isEmpty() && text.isEmpty() ? file.toString() : file.toString().contains("\"") ? null
            : "path(\"" + file + "\", " + arguments(given, text) + ")";
      }
      DataFiles.Options options = options(args, text, widths[1]);
      Loaded l = file != null ? DataFiles.load(file, options, dt) : read(data, options, modelDir, dt);
      Dataset train = l.train();
      Dataset test = l.test();
      String description = l.description();
      String testPhrase = null;
      if (test == null) {
        HeldOut h = holdOut(train, subset, description);
        train = h.train();
        test = h.test();
        description = h.description();
        testPhrase = h.testPhrase();
      } else {
        Subset.Selection te = subset.test(test, description);
        test = te.data();
        testPhrase = te.phrase();
      }
      Subset.Selection tr = subset.train(train, description);
      train = tr.data();
      Normalization.Mode mode = Normalization.Mode.values()[flag(args, "normalize")];
      ImageShape image = image(l.image(), target, train.featureCount(), description);
      if (mode == Normalization.Mode.CHANNEL && image == null) {
        throw new DataException(description + ": normalize = channel needs images, and these examples are "
            + train.featureCount() + " plain features; use normalize = feature");
      }
      d = new TrainingData(train, null, test, new Loaded(train, test, image, l.regression(), l.description()), mode,
          args.getOrDefault("crop", 0.0).intValue(), flag(args, "flip") == 1, description);
      d.trainPhrase = tr.phrase();
      d.testPhrase = testPhrase;
    }
    d.check(target, widths);
    d.source = source;
    Map<String, Double> chosen = new java.util.LinkedHashMap<>(given);
    chosen.keySet().retainAll(dev.bpnet.api.DataSets.SUBSET);
    d.subset = chosen.isEmpty() ? null : arguments(chosen);
    return d;
  }

  /** A file's examples less the test examples held out of them at random, when the files have no test set. */
  private record HeldOut(Dataset train, Dataset test, String description, String testPhrase) {}

  /**
   * Holds out {@code test} of {@code all} ({@link Subset#test()}: a fraction or a count; by default
   * {@link #TEST_FRACTION}) at random, with {@link #TEST_SPLIT_SEED}, to test on; {@code test_offset}
   * has no test set to choose from and is refused.
   */
  private static HeldOut holdOut(Dataset all, Subset subset, String description) {
    if (subset.testOffset() != 0) {
      throw new DataException(description + ": test_offset = " + subset.testOffset() + " chooses from a test set, and"
          + " these files have none; test = N holds out N training examples at random to test on");
    }
    double amount = Double.isNaN(subset.test()) ? TEST_FRACTION : subset.test();
    Dataset.Split s;
    try {
      s = Splits.split(all, amount, TEST_SPLIT_SEED);
    } catch (IllegalArgumentException e) {
      throw new DataException(description + ": test = " + amount + ": " + e.getMessage());
    }
    return new HeldOut(s.first(), s.rest(), String.format(Locale.ROOT, "%s (%,d train, %,d held out for testing)",
        description, s.first().size(), s.rest().size()), String.format(Locale.ROOT,
        "the %,d held out for testing (drawn at random with seed %d from all %,d)", s.rest().size(), TEST_SPLIT_SEED,
        all.size()));
  }

  /** As {@link #indexed(Dataset, boolean, String, String, Target, Map)} with every example. */
  public static TrainingData indexed(Dataset indexed, boolean regression, String description, String source,
      Target target) {
    return indexed(indexed, regression, description, source, target, Map.of());
  }

  /**
   * Data whose features stay elsewhere (on Spark's executors): {@code indexed} holds each example's
   * index (a column [N, 1]) and label, and a trainer that reads indices as its input (a streaming
   * {@code SparkTrainer}) trains on it. The test set is held out at random as for files without
   * one ({@code test} of {@link #load}), and {@code subset} ({@link dev.bpnet.api.DataSets#SUBSET}:
   * {@code train}, {@code offset}, {@code subset_seed}, {@code test}) chooses examples as it does
   * from such files: by index, so the executors keep every example and the driver batches only
   * the chosen ones. No normalisation or augmentation (they need the features). {@code source} is
   * the --data value that reads it again.
   *
   * @throws DataException if the labels are not the model's width, there are too few examples,
   *     or the subset asks for more than there are
   */
  public static TrainingData indexed(Dataset indexed, boolean regression, String description, String source,
      Target target, Map<String, Double> subset) {
    Subset chosen = Subset.of(subset);
    HeldOut h = holdOut(indexed, chosen, description);
    Subset.Selection tr = chosen.train(h.train(), h.description());
    TrainingData t = new TrainingData(tr.data(), null, h.test(), new Loaded(tr.data(), h.test(), null, regression,
        h.description()), Normalization.Mode.NONE, 0, false, h.description());
    t.trainPhrase = tr.phrase();
    t.testPhrase = h.testPhrase();
    if (t.train.classCount() != target.labelWidth()) {
      throw new DataException(description + ": " + t.train.classCount() + (regression ? " targets" : " classes")
          + " per example but the model's label '" + target.label() + "' is [" + target.labelWidth() + "]");
    }
    t.source = source;
    t.subset = subset.isEmpty() ? null : arguments(subset);
    return t;
  }

  /** "name", or "name(k = v, ...)" in the train block's syntax. */
  private static String expression(String name, Map<String, Double> args, Map<String, String> text) {
    return args.isEmpty() && text.isEmpty() ? name : name + "(" + arguments(args, text) + ")";
  }

  private static String arguments(Map<String, Double> args) {
    return arguments(args, Map.of());
  }

  /** The arguments in the train block's syntax: numbers, words, then text in quotes. */
  private static String arguments(Map<String, Double> args, Map<String, String> text) {
    List<String> parts = new ArrayList<>();
    text = new java.util.TreeMap<>(text);
    args.forEach((k, v) -> {
      // flags are kept as the index of their word (flip = yes is 1): written back as the word
      List<String> words = DataSets.FLAGS.get(k);
      parts.add(k + " = " + (words != null && v >= 0 && v < words.size() && v == Math.rint(v) ? words.get(v.intValue())
          : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : Double.toString(v)));
    });
    text.forEach((k, v) -> parts.add(k + " = \"" + v + "\""));
    return String.join(", ", parts);
  }

  /**
   * The file or directory {@code data} names (relative to the working directory, else to the
   * model's), as its real absolute path: {@code ./data/x.npz} and {@code data/x.npz} are one
   * file, in the description and in what a resumed run compares.
   */
  private static Path file(String data, Path modelDir) {
    if (data.isBlank()) {
      // Path.of("") is the working directory: an empty name must not read whatever is there
      throw new DataException("data '" + data + "' is empty: name a data set ("
          + String.join(", ", DataSets.names()) + ") or a file or directory");
    }
    Path path = Path.of(data);
    if (!path.isAbsolute() && !Files.exists(path) && modelDir != null) {
      path = modelDir.resolve(data);
    }
    if (!Files.exists(path)) {
      String best = Messages.closest(data, DataSets.names());
      String shown = data.length() > Messages.LONGEST_ARGUMENT
          ? Messages.abbreviated(data) : data;  // a 100,000-character path is not echoed whole
      throw new DataException("data '" + shown + "' is neither a known data set ("
          + String.join(", ", DataSets.names())
          + ") nor an existing file or directory" + (best == null ? "" : "; did you mean '" + best + "'?"));
    }
    try {
      return path.toRealPath();
    } catch (java.io.IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  /**
   * Finds the data {@code data} names without reading it, so that {@code bpnet check} can say
   * that a file is missing; throws the {@link DataException} that training would give.
   */
  public static void find(String data, Path modelDir) {
    if (Synthetic.ARGUMENTS.containsKey(data) || data.equals("mnist")) {
      return;  // generated, or bundled in the runtime
    }
    switch (data) {
      case "fashion_mnist" -> FashionMnist.locate();
      case "cifar10" -> locate(Cifar.CIFAR10_DIR, data, modelDir);
      case "cifar100" -> locate(Cifar.CIFAR100_DIR, data, modelDir);
      default -> file(data, modelDir);
    }
  }

  /**
   * The examples' image geometry: the files' own (IDX, CIFAR, NumPy [N, C, H, W]), else the
   * model input's [c, h, w] when the features count its pixels, so that plain features (a CSV
   * file, a flat NumPy array) laid out channel after channel can be cropped, flipped and
   * normalised per channel for a convolutional model. Images of another geometry than the
   * model's (HWC data for a CHW model, say) would train on scrambled pixels: refused.
   */
  private static ImageShape image(ImageShape files, Target target, long features, String description) {
    List<Integer> dims = target.inputDims();
    ImageShape model = dims.size() == 3 ? new ImageShape(dims.get(0), dims.get(1), dims.get(2)) : null;
    if (files == null) {
      return model != null && model.size() == features ? model : null;
    }
    if (model != null && model.size() == files.size() && !model.equals(files)) {
      throw new DataException(description + ": images of " + dims(files) + " (channels, height, width) but the model's input '"
          + target.input() + "' is " + dims + "; bpnet's images are channels first: declare " + target.input() + ": "
          + dims(files));
    }
    return files;
  }

  private static String dims(ImageShape i) {
    return "[" + i.channels() + ", " + i.height() + ", " + i.width() + "]";
  }

  /** Reads a named file-backed set or a path. */
  private static Loaded read(String data, DataFiles.Options options, Path modelDir, DataType dt) {
    switch (data) {
      case "mnist": {
        Dataset.Split s = Mnist.bundled(dt).split(8000);
        return new Loaded(s.first(), s.rest(), new ImageShape(1, 28, 28), false,
            "bundled MNIST subset (8,000 train, 2,000 test)");
      }
      case "fashion_mnist": {
        Path dir = FashionMnist.locate();
        return new Loaded(FashionMnist.train(dir, dt), FashionMnist.test(dir, dt), new ImageShape(1, 28, 28), false,
            "Fashion-MNIST (" + dir + ")");
      }
      case "cifar10", "cifar100": {
        String archive = data.equals("cifar10") ? Cifar.CIFAR10_DIR : Cifar.CIFAR100_DIR;
        return DataFiles.load(locate(archive, data, modelDir), options, dt);
      }
      default:
        return DataFiles.load(file(data, modelDir), options, dt);
    }
  }

  /** The CIFAR archive directory {@code archive} in $BPNET_DATA, the model's directory or the working directory. */
  public static Path locate(String archive, String name, Path modelDir) {
    List<Path> places = new ArrayList<>();
    String env = System.getenv(DATA_ENV);
    if (env != null && !env.isBlank()) {
      places.add(Path.of(env));
    }
    if (modelDir != null) {
      places.add(modelDir);
    }
    places.add(Path.of("").toAbsolutePath());
    for (Path p : places) {
      if (Files.isDirectory(p.resolve(archive))) {
        return p.resolve(archive);
      }
    }
    String archive2 = name.equals("cifar10") ? "cifar-10-binary.tar.gz (CIFAR-10, binary version)"
        : "cifar-100-binary.tar.gz (CIFAR-100, binary version)";
    // no address in the message: the archive's name finds it (Alex Krizhevsky's CIFAR page, University of Toronto)
    throw new DataException(String.format("%s not found: no directory %s in %s; download %s from the CIFAR page"
        + " of the University of Toronto and extract it into one of them (or set %s to where it is), "
        + "or give its directory: data = path(\"DIR\")", name, archive,
        String.join(", ", places.stream().map(Path::toString).toList()), archive2, DATA_ENV));
  }

  private static DataFiles.Options options(Map<String, Double> args, Map<String, String> text, int classes) {
    Csv.Header header = Csv.Header.values()[flag(args, "header")];
    return new DataFiles.Options(new Csv.Options(columns(args, text), header),
        flag(args, "labels") == 0 ? Cifar.Labels100.FINE : Cifar.Labels100.COARSE, classes);
  }

  /** A CSV file's label columns: label_columns (targets), label_column by name or number (classes), else column 0. */
  private static Csv.Columns columns(Map<String, Double> args, Map<String, String> text) {
    boolean byNumber = args.containsKey("label_column");
    if (text.containsKey("label_columns") && (byNumber || text.containsKey("label_column"))) {
      throw new DataException("label_column and label_columns cannot both be given: label_column chooses one column "
          + "of class indices, label_columns the columns of regression targets");
    }
    if (text.containsKey("label_columns")) {
      return Csv.Columns.targets(text.get("label_columns"));
    }
    if (text.containsKey("label_column")) {
      return Csv.Columns.classes(text.get("label_column"));
    }
    return Csv.Columns.classes(args.getOrDefault("label_column", 0.0).intValue());
  }

  private static int flag(Map<String, Double> args, String name) {
    return args.getOrDefault(name, 0.0).intValue();
  }

  /**
   * What the training line says about a generated set: the paper, the formula, the sizes. The
   * papers: Haiping Huang and Taro Toyoizumi, "Reinforced backpropagation improves test
   * performance of deep networks: a toy-model study" (teacher-student); anonymous authors under
   * double-blind review, "Difference back propagation with inverse sigmoid function" (cosine);
   * Mehrdad Yazdani, "Linear Backprop in non-linear networks" (cubic).
   */
  private static String describe(String name, Map<String, Double> a, Synthetic.TrainTest s) {
    int n = s.train().size();
    long seed = a.get("seed").longValue();
    return switch (name) {
      case "teacher_student" -> String.format("teacher-student data (Huang and Toyoizumi: y = sigmoid(W_g v), v ~ N(0, 1); "
          + "%,d train, %,d test, data seed %d)", n, s.test().size(), seed);
      case "cosine" -> String.format("scaled cosine (difference backprop paper: y = (1 + cos(pi x))/2, x ~ U(-1, 1); "
          + "%,d points, tested on the same points, data seed %d)", n, seed);
      default -> String.format(java.util.Locale.ROOT, "noisy cubic (Yazdani: y = x^3 - 3x^2 - x + 1 + N(0, %s^2), "
          + "%d points on [-1, 3]; tested on the noise-free curve at %d points, data seed %d)",
          a.get("noise"), n, s.test().size(), seed);
    };
  }

  private void check(Target target, int[] widths) {
    if (train.featureCount() != widths[0]) {
      throw new DataException(description + ": " + train.featureCount() + " features per example"
          + (image == null ? "" : " (images of " + image + ")") + " but the model's input '"
          + target.input() + "' is " + target.example());
    }
    if (train.classCount() != widths[1]) {
      throw new DataException(description + ": " + train.classCount() + (regression ? " targets" : " classes")
          + " per example but the model's label '" + target.label() + "' is [" + widths[1] + "]");
    }
  }
}
