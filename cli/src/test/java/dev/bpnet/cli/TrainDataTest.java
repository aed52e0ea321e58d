package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bpnet train} on data files: the train block's and {@code --data}'s forms, and bad data
 * refused with a message naming the file before any training step.
 */
class TrainDataTest {

  @TempDir
  Path dir;

  /** 4 features, 3 classes, the class in the last column: a blob per class. */
  private Path table(String name, int rows, boolean header, int labelColumn) throws Exception {
    StringBuilder s = new StringBuilder(header ? "a,b,c,d,class\n".replace("a,b,c,d,class", labelColumn == 0 ? "class,a,b,c,d" : "a,b,c,d,class") : "");
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < rows; i++) {
      int k = i % 3;
      String x = String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f,%.3f", 10 + k + r.nextGaussian() * 0.1,
          k * 2 + r.nextGaussian() * 0.1, -k + r.nextGaussian() * 0.1, 100 + r.nextGaussian());
      s.append(labelColumn == 0 ? k + "," + x : x + "," + k).append('\n');
    }
    return Files.writeString(dir.resolve(name), s.toString());
  }

  private Path model(String data) throws Exception {
    return Files.writeString(dir.resolve("m.bpnet"), """
        model Table {
          input x: [4]
          label y: [3]
          h = tanh(dense(x, 8))
          logits = dense(h, 3)
          loss = softmax_cross_entropy(logits, y)
          train { optimizer = sgd(lr = 0.1)  batch = 8  epochs = 3  seed = 3  DATA }
        }
        """.replace("DATA", data));
  }

  private Program program(Path model) {
    return FileCompiler.model(SourceFile.read(model), null).program();
  }

  @Test
  void csvFromATrainBlockWithNormalisationTrainsAndHoldsOutATestSet() throws Exception {
    table("iris.csv", 60, true, -1);
    Path m = model("data = path(\"iris.csv\", label_column = -1, normalize = feature)");
    Result r = bpnet("train", m.toString(), "--epochs", "12", "--out", dir.resolve("run").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("iris.csv (CSV) (48 train, 12 held out for testing)"), show(r));
    // blobs this far apart are separated once the features are standardised
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("epoch 12/12: loss")), show(r));
    assertTrue(r.out().contains("\ntest accuracy 100.00% on the parameters of epoch 12, the last (keep = last: params.npz)\n"), show(r));
  }

  @Test
  void dataOptionOnTheCommandLineTakesPathsAndTheTrainBlockSyntax() throws Exception {
    Path first = table("first.csv", 30, false, 0);
    Path m = model("data = mnist");
    Result r = bpnet("train", m.toString(), "--epochs", "1", "--data", first.toString(), "--out", dir.resolve("a").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("first.csv (CSV) (24 train, 6 held out for testing)"), show(r));
    table("last.csv", 30, true, -1);
    r = bpnet("train", m.toString(), "--epochs", "1", "--data", "path(\"last.csv\", label_column = -1, test = 10)",
        "--out", dir.resolve("b").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("(20 train, 10 held out for testing)"), show(r));
    r = bpnet("train", m.toString(), "--data", "cifar_10(crop = yes)", "--out", dir.resolve("c").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("--data cifar_10(crop = yes): bad value for option 'data': unknown data set 'cifar_10'")
        && r.err().contains("did you mean 'cifar10'?"), show(r));
    r = bpnet("train", m.toString(), "--data", "fashion_mnst", "--out", dir.resolve("c").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("data 'fashion_mnst' is neither a known data set") && r.err().contains("did you mean 'fashion_mnist'?"), show(r));
    r = bpnet("train", m.toString(), "--data", "cifar10(crop = -1)", "--out", dir.resolve("c").toString());
    assertTrue(r.err().contains("--data cifar10(crop = -1): bad value for option 'cifar10.crop': must be a whole number of pixels"), show(r));
  }

  @Test
  void shapesThatDoNotMatchTheModelAreRefusedBeforeTraining() throws Exception {
    Files.writeString(dir.resolve("wide.csv"), "0,1,2,3,4,5\n1,1,2,3,4,5\n2,1,2,3,4,5\n0,1,2,3,4,5\n1,0,0,0,0,0\n");
    Result r = bpnet("train", model("data = \"wide.csv\"").toString(), "--out", dir.resolve("run").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("wide.csv (CSV)") && r.err().contains(": 5 features per example but the model's input 'x' is [4]"), show(r));
    assertTrue(!r.out().contains("epoch 1"), "nothing trained: " + show(r));
    assertTrue(!Files.exists(dir.resolve("run").resolve("params.npz")));
  }

  @Test
  void labelsOutOfTheModelsRangeAreRefusedWithIndexAndValue() throws Exception {
    Files.writeString(dir.resolve("bad.csv"), "0,1,2,3,4\n1,1,2,3,4\n3,1,2,3,4\n");
    Result r = bpnet("train", model("data = \"bad.csv\"").toString(), "--out", dir.resolve("run").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("bad.csv: label 3 at index 2 is out of range for 3 classes (expected 0..2)"), show(r));
    Files.writeString(dir.resolve("cells.csv"), "0,1,2,3,4\n1,1,x,3,4\n");
    r = bpnet("train", model("data = \"cells.csv\"").toString(), "--out", dir.resolve("run").toString());
    assertTrue(r.err().contains("cells.csv:2:5: 'x' in column 2 is not a number"), show(r));
  }

  @Test
  void imageOptionsOnPlainFeaturesAndMissingCifarAreExplained() throws Exception {
    table("t.csv", 20, true, -1);
    Result r = bpnet("train", model("data = path(\"t.csv\", label_column = -1, crop = 4)").toString(), "--out", dir.resolve("r").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("crop and flip need images, and these examples are 4 plain features"), show(r));
    r = bpnet("train", model("data = path(\"t.csv\", label_column = -1, normalize = channel)").toString(), "--out", dir.resolve("r").toString());
    assertTrue(r.err().contains("normalize = channel needs images") && r.err().contains("use normalize = feature"), show(r));
    DataException e = assertThrows(DataException.class, () -> dev.bpnet.runtime.data.TrainingData.locate("cifar-10-batches-bin", "cifar10", dir));
    assertTrue(e.getMessage().contains("cifar10 not found: no directory cifar-10-batches-bin in ")
        && e.getMessage().contains("cifar-10-binary.tar.gz") && e.getMessage().contains("BPNET_DATA")
        && e.getMessage().contains("data = path(\"DIR\")"), e.getMessage());
    Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
    assertEquals(dir.resolve("cifar-10-batches-bin"), dev.bpnet.runtime.data.TrainingData.locate("cifar-10-batches-bin", "cifar10", dir));
  }

  /** What the training loop gets: statistics of the training part only, augmentation on training batches only. */
  @Test
  void validationRefitsNormalisationAndAugmentationTouchesOnlyTrainingBatches() throws Exception {
    int n = 40;
    INDArray x = Nd4j.rand(DataType.DOUBLE, n, 1, 6, 6).muli(3).addi(1);
    INDArray y = Nd4j.createFromArray(new long[n]);
    Npz.write(dir.resolve("img.npz"), Map.of("x", x, "y", y));
    Path m = Files.writeString(dir.resolve("img.bpnet"), """
        model Img {
          input x: [36]
          label y: [2]
          logits = dense(x, 2)
          loss = softmax_cross_entropy(logits, y)
          train { data = path("img.npz", normalize = channel, crop = 2, flip = yes, test = 8) }
        }
        """);
    Program p = program(m);
    dev.bpnet.runtime.data.TrainingData d = TrainData.load(p.train().data(), p.train().dataArgs(), dir, p, DataType.DOUBLE);
    assertEquals(32, d.train().size());
    assertEquals(0, d.train().features().meanNumber().doubleValue(), 1e-9, "one channel: its mean is 0");
    assertNull(d.validation());
    assertEquals(d, d.withValidation(0, 9), "0: no validation set");
    dev.bpnet.runtime.data.TrainingData v = d.withValidation(0.25, 9);
    assertEquals(24, v.train().size());
    assertEquals(8, v.validation().size());
    assertEquals(0, v.train().features().meanNumber().doubleValue(), 1e-9, "refit on the 24 left for training");
    assertTrue(Math.abs(v.validation().features().meanNumber().doubleValue()) > 1e-6, "validation is not part of the fit");
    // whole examples: single values of ND4J's uniform draws collide now and then (float steps)
    Set<java.util.List<Double>> seen = new HashSet<>();
    for (double[] row : v.train().features().reshape(v.train().size(), -1).toDoubleMatrix()) {
      seen.add(java.util.Arrays.stream(row).boxed().toList());
    }
    for (double[] row : v.validation().features().reshape(v.validation().size(), -1).toDoubleMatrix()) {
      assertTrue(!seen.contains(java.util.Arrays.stream(row).boxed().toList()), "validation examples are not training examples");
    }
    assertNotNull(v.batches(8, 1).augmentation());
    Batch first = v.batches(8, 1).epoch(0).iterator().next();
    Batch plain = new dev.bpnet.runtime.data.Batches(v.train(), 8, 1).epoch(0).iterator().next();
    assertEquals(plain.labels(), first.labels());
    assertTrue(!plain.features().equals(first.features()), "training batches are augmented");
    Dataset test = v.test();
    assertArrayEquals(d.test().labels().toDoubleMatrix(), test.labels().toDoubleMatrix());
  }
}
