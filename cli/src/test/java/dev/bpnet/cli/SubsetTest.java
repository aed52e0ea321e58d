package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bpnet.cli.CliEndToEndTest.Result;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Data subsets ({@code train}, {@code offset}, {@code test}, {@code test_offset},
 * {@code subset_seed}) select exactly the examples they say: checked against the bytes of IDX
 * files written here, whose every pixel of training image i is the byte i and of test image i
 * the byte 100 + i, so a feature row names the example it came from.
 */
class SubsetTest {
  private static final int TRAIN = 50;
  private static final int TEST = 20;

  @TempDir
  Path dir;

  private Path idx;
  private Program program;

  @BeforeEach
  void files() throws Exception {
    idx = Files.createDirectories(dir.resolve("idx"));
    Files.write(idx.resolve("train-images-idx3-ubyte"), images(TRAIN, 0));
    Files.write(idx.resolve("train-labels-idx1-ubyte"), labels(TRAIN));
    Files.write(idx.resolve("t10k-images-idx3-ubyte"), images(TEST, 100));
    Files.write(idx.resolve("t10k-labels-idx1-ubyte"), labels(TEST));
    program = FileCompiler.model(new SourceFile("m.bpnet", model("")), null).program();
  }

  private static String model(String train) {
    return """
        model Tiny {
          input x: [4]
          label y: [10]
          loss = softmax_cross_entropy(dense(x, 10), y)
          train { optimizer = sgd(lr = 0.1)  batch = 4  epochs = 1  seed = 5  %s }
        }
        """.formatted(train);
  }

  /** n images of 2 x 2 pixels, every pixel of image i the byte first + i. */
  private static byte[] images(int n, int first) {
    ByteBuffer b = ByteBuffer.allocate(16 + 4 * n).putInt(0x803).putInt(n).putInt(2).putInt(2);
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 4; p++) {
        b.put((byte) (first + i));
      }
    }
    return b.array();
  }

  private static byte[] labels(int n) {
    ByteBuffer b = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) (i % 10));
    }
    return b.array();
  }

  private dev.bpnet.runtime.data.TrainingData load(String args) {
    return TrainData.load("path(\"" + idx + "\"" + (args.isEmpty() ? "" : ", " + args) + ")", Map.of(), dir, program,
        DataType.DOUBLE);
  }

  /** The example each row came from: its pixel byte, less {@code first}; every pixel of a row agrees. */
  private static int[] examples(Dataset d, int first) {
    int[] out = new int[d.size()];
    for (int r = 0; r < d.size(); r++) {
      long b = Math.round(d.features().getDouble(r, 0) * 255);
      for (int p = 1; p < 4; p++) {
        assertEquals(b, Math.round(d.features().getDouble(r, p) * 255), "row " + r);
      }
      out[r] = (int) b - first;
      assertEquals(1.0, d.labels().getDouble(r, out[r] % 10), "row " + r + " keeps its label");
    }
    return out;
  }

  private static int[] range(int from, int count) {
    int[] r = new int[count];
    Arrays.setAll(r, i -> from + i);
    return r;
  }

  @Test
  void everythingWithoutSubsetArguments() {
    dev.bpnet.runtime.data.TrainingData d = load("");
    assertArrayEquals(range(0, TRAIN), examples(d.train(), 0));
    assertArrayEquals(range(0, TEST), examples(d.test(), 100));
    assertEquals("training examples 0-49 (all 50)", d.examples().get("train"));
    assertEquals("test examples 0-19 (all 20)", d.examples().get("test"));
    assertNull(d.subset());
  }

  @Test
  void countsAndOffsetsTakeThoseRanges() {
    dev.bpnet.runtime.data.TrainingData d = load("train = 10, offset = 5, test = 4, test_offset = 2");
    assertArrayEquals(range(5, 10), examples(d.train(), 0));
    assertArrayEquals(range(2, 4), examples(d.test(), 100));
    assertEquals("training examples 5-14 (10 of 50)", d.examples().get("train"));
    assertEquals("test examples 2-5 (4 of 20)", d.examples().get("test"));
    // an offset alone runs to the end; a fraction is of what is left after the offset, rounded down
    assertArrayEquals(range(44, 6), examples(load("offset = 44").train(), 0));
    assertArrayEquals(range(10, 13), examples(load("offset = 10, train = 0.33").train(), 0));
    assertArrayEquals(range(0, 1), examples(load("train = 1").train(), 0));
  }

  @Test
  void aSeededSubsetIsTheDocumentedDraw() {
    dev.bpnet.runtime.data.TrainingData d = load("train = 12, test = 5, subset_seed = 9");
    int[] train = examples(d.train(), 0);
    int[] test = examples(d.test(), 100);
    assertArrayEquals(draw(TRAIN, 12, 9), train);
    assertArrayEquals(draw(TEST, 5, 9), test);
    assertEquals(12, new TreeSet<>(Arrays.stream(train).boxed().toList()).size(), "distinct examples");
    assertFalse(Arrays.equals(range(0, 12), train), "not the first ones");
    assertArrayEquals(train, examples(load("train = 12, test = 5, subset_seed = 9").train(), 0), "same seed, same examples");
    assertFalse(Arrays.equals(train, examples(load("train = 12, subset_seed = 10").train(), 0)), "another seed, others");
    assertEquals("12 of the 50 training examples drawn at random with subset_seed 9", d.examples().get("train"));
    // with an offset, drawn from the examples from there on
    int[] late = examples(load("train = 5, offset = 40, subset_seed = 9").train(), 0);
    int[] want = draw(10, 5, 9);
    for (int i = 0; i < want.length; i++) {
      want[i] += 40;
    }
    assertArrayEquals(want, late);
  }

  /**
   * The documented draw, written out again: a Fisher-Yates shuffle of 0..n-1 driven by
   * {@code SplittableRandom(seed)} (from the last position down), its first k entries, sorted.
   */
  private static int[] draw(int n, int k, long seed) {
    int[] order = range(0, n);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] first = Arrays.copyOf(order, k);
    Arrays.sort(first);
    return first;
  }

  @Test
  void validationIsSplitFromTheChosenTrainingExamples() {
    dev.bpnet.runtime.data.TrainingData d = load("train = 20, offset = 10").withValidation(0.25, 5);
    int[] train = examples(d.train(), 0);
    int[] val = examples(d.validation(), 0);
    assertEquals(15, train.length);
    assertEquals(5, val.length);
    TreeSet<Integer> all = new TreeSet<>();
    Arrays.stream(train).forEach(all::add);
    Arrays.stream(val).forEach(all::add);
    assertEquals(new TreeSet<>(Arrays.stream(range(10, 20)).boxed().toList()), all, "disjoint, covering the chosen 20");
    assertEquals("5 of training examples 10-29 (20 of 50), drawn at random with seed 5", d.examples().get("validation"));
    assertEquals("training examples 10-29 (20 of 50) less the 5 validation examples", d.examples().get("train"));
  }

  @Test
  void subsetsBeyondTheDataAreRefusedNamingTheArgument() {
    DataException past = assertThrows(DataException.class, () -> load("offset = 50"));
    assertTrue(past.getMessage().endsWith("offset = 50 is past the last of its 50 training examples"), past.getMessage());
    DataException many = assertThrows(DataException.class, () -> load("train = 11, offset = 40"));
    assertTrue(many.getMessage().endsWith("train = 11 from offset = 40 asks for more training examples than the 10 there are"
        + " from there (50 in all)"), many.getMessage());
    DataException test = assertThrows(DataException.class, () -> load("test = 21"));
    assertTrue(test.getMessage().endsWith("test = 21 asks for more test examples than the 20 there are"), test.getMessage());
  }

  @Test
  void withoutATestFileTestHoldsOutAndTestOffsetIsRefused() throws Exception {
    Path only = Files.createDirectories(dir.resolve("only"));
    Files.copy(idx.resolve("train-images-idx3-ubyte"), only.resolve("train-images-idx3-ubyte"));
    Files.copy(idx.resolve("train-labels-idx1-ubyte"), only.resolve("train-labels-idx1-ubyte"));
    dev.bpnet.runtime.data.TrainingData d = TrainData.load("path(\"" + only + "\", test = 10, train = 30)", Map.of(), dir, program, DataType.DOUBLE);
    int[] test = examples(d.test(), 0);
    int[] train = examples(d.train(), 0);
    assertEquals(10, test.length);
    assertEquals(30, train.length);
    assertTrue(Arrays.stream(train).noneMatch(i -> Arrays.stream(test).anyMatch(t -> t == i)), "held-out examples do not train");
    DataException e = assertThrows(DataException.class,
        () -> TrainData.load("path(\"" + only + "\", test_offset = 3)", Map.of(), dir, program, DataType.DOUBLE));
    assertTrue(e.getMessage().contains("test_offset = 3 chooses from a test set, and these files have none"), e.getMessage());
  }

  @Test
  void theTrainLineAndRunJsonSayWhichExamplesAreUsed() throws Exception {
    Path m = Files.writeString(dir.resolve("m.bpnet"), model("data = path(\"idx\", train = 20, offset = 10, test = 4)"));
    Path out = dir.resolve("run");
    Result r = bpnet("train", m.toString(), "--set", "validation=0.25", "--seed", "3", "--out", out.toString());
    assertEquals(0, r.code(), show(r));
    String first = r.out().lines().findFirst().orElseThrow();
    assertTrue(first.contains(": train on training examples 10-29 (20 of 50) less 5 drawn at random with seed 3 to validate on;"
        + " test on test examples 0-3 (4 of 20); 1 epochs, batch 4, 2 passes"), first);
    JsonObject run = JsonParser.parseString(Files.readString(out.resolve("run.json"))).getAsJsonObject();
    assertEquals("[\"validation=0.25\",\"seed=3\"]", run.get("overrides").toString());
    assertEquals("3", run.getAsJsonObject("options").get("seed").getAsString());
    assertEquals("0.25", run.getAsJsonObject("options").get("validation").getAsString());
    assertEquals("5 of training examples 10-29 (20 of 50), drawn at random with seed 3",
        run.getAsJsonObject("examples").get("validation").getAsString());
    assertEquals("test examples 0-3 (4 of 20)", run.getAsJsonObject("examples").get("test").getAsString());
  }

  @Test
  void aBatchLargerThanTheTrainingSetIsAnError() throws Exception {
    Path m = Files.writeString(dir.resolve("m.bpnet"), model("data = path(\"idx\", train = 10)  validation = 0"));
    Result r = bpnet("train", m.toString(), "--set", "batch=11", "--out", dir.resolve("run").toString());
    assertEquals(Main.MODEL_ERRORS, r.code(), show(r));
    assertTrue(r.err().contains("error: batch = 11 is larger than the 10 training examples"), show(r));
    assertTrue(r.err().contains("use batch = 10 for full-batch training"), show(r));
    assertFalse(Files.exists(dir.resolve("run").resolve("metrics.csv")), "nothing trained");
    Result exact = bpnet("train", m.toString(), "--set", "batch=10", "--out", dir.resolve("run10").toString());
    assertEquals(0, exact.code(), show(exact));
  }
}
