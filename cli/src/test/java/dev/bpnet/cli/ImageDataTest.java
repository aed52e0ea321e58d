package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.TrainingData;
import dev.bpnet.runtime.io.Npz;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images [C, H, W] from each kind of file reach a convolutional model channels first: CIFAR's
 * binary batches, plain CSV features that the model's input shapes, and NumPy arrays; per-channel
 * statistics and left-right mirroring act on that layout (checked here by plain loops over
 * [C, H, W], not by the code under test), and images of another layout than the model's are
 * refused before training.
 */
class ImageDataTest {

  @TempDir
  Path dir;

  private static String convModel(String input, int classes, String data) {
    return """
        model Images {
          input x: INPUT
          label y: [CLASSES]
          h = relu(conv2d(x, 2, kernel = 3, padding = same))
          logits = dense(flatten(max_pool(h, 2, padding = same)), CLASSES)
          loss = softmax_cross_entropy(logits, y)
          train { optimizer = sgd(lr = 0.05)  batch = 4  epochs = 1  seed = 3  DATA }
        }
        """.replace("INPUT", input).replace("CLASSES", Integer.toString(classes)).replace("DATA", data);
  }

  private Program program(Path model) {
    return FileCompiler.model(SourceFile.read(model), null).program();
  }

  private TrainingData load(Path model) {
    Program p = program(model);
    return TrainData.load(p.train().data(), p.train().dataArgs(), dir, p, DataType.DOUBLE);
  }

  /** CIFAR-10's binary layout: per image a label byte, then 1,024 red, 1,024 green, 1,024 blue bytes. */
  private void cifar(Path d, int perFile, Random r) throws Exception {
    Files.createDirectories(d);
    for (String f : new String[] {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < perFile; i++) {
        out.write(r.nextInt(10));
        for (int k = 0; k < 3072; k++) {
          // a brighter red plane, so the channels' statistics differ
          out.write(k < 1024 ? 128 + r.nextInt(128) : r.nextInt(128));
        }
      }
      Files.write(d.resolve(f + ".bin"), out.toByteArray());
    }
  }

  /** Each channel of the (normalised) training set has mean 0 over all its pixels. */
  private static void assertChannelMeansZero(INDArray features, int c, int hw) {
    double[][] rows = features.reshape(features.size(0), -1).toDoubleMatrix();
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (double[] row : rows) {
        for (int k = ch * hw; k < (ch + 1) * hw; k++) {
          sum += row[k];
        }
      }
      assertEquals(0, sum / (rows.length * (double) hw), 1e-9, "channel " + ch);
    }
  }

  /** Image {@code a} mirrored left-right within every channel of a [c, h, w] row. */
  private static double[] mirrored(double[] a, int c, int h, int w) {
    double[] m = new double[a.length];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          m[(ch * h + y) * w + x] = a[(ch * h + y) * w + (w - 1 - x)];
        }
      }
    }
    return m;
  }

  /** Every flipped training image is its original or the original mirrored per channel; both occur. */
  private static void assertFlipsMirrorChannelsFirst(TrainingData d, int c, int h, int w) {
    Batches flipped = d.batches(4, 7);
    Batches plain = new Batches(d.train(), 4, 7);
    int same = 0;
    int mirror = 0;
    for (int e = 0; e < 3; e++) {
      var a = flipped.epoch(e).iterator();
      var b = plain.epoch(e).iterator();
      while (a.hasNext()) {
        Batch fa = a.next();
        Batch pb = b.next();
        double[][] got = fa.features().reshape(fa.size(), -1).toDoubleMatrix();
        double[][] orig = pb.features().reshape(pb.size(), -1).toDoubleMatrix();
        for (int i = 0; i < got.length; i++) {
          if (java.util.Arrays.equals(got[i], orig[i])) {
            same++;
          } else {
            assertTrue(java.util.Arrays.equals(got[i], mirrored(orig[i], c, h, w)), "an image mirrored within each channel");
            mirror++;
          }
        }
      }
    }
    assertTrue(same > 0 && mirror > 0, same + " kept, " + mirror + " mirrored");
  }

  @Test
  void cifarBatchesTrainAConvModelChannelsFirstWithAugmentation() throws Exception {
    cifar(dir.resolve("cifar-10-batches-bin"), 4, new Random(1));
    Path m = Files.writeString(dir.resolve("c.bpnet"),
        convModel("[3, 32, 32]", 10, "data = path(\"cifar-10-batches-bin\", normalize = channel, flip = yes)"));
    TrainingData d = load(m);
    assertEquals(20, d.train().size());
    assertEquals(4, d.test().size());
    assertChannelMeansZero(d.train().features(), 3, 1024);
    assertFlipsMirrorChannelsFirst(d, 3, 32, 32);
    Files.writeString(m, convModel("[3, 32, 32]", 10, "data = path(\"cifar-10-batches-bin\", normalize = channel, crop = 4, flip = yes)"));
    Result r = bpnet("train", m.toString(), "--out", dir.resolve("run").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(Files.exists(dir.resolve("run").resolve("params.npz")), show(r));
  }

  @Test
  void csvFeaturesTakeTheModelsImageShapeForChannelStatisticsCropAndFlip() throws Exception {
    Random r = new Random(2);
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      csv.append(i % 3);
      for (int k = 0; k < 2 * 4 * 5; k++) {
        csv.append(',').append(k < 20 ? 5 + r.nextInt(10) : r.nextInt(3));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve("img.csv"), csv.toString());
    Path m = Files.writeString(dir.resolve("csv.bpnet"),
        convModel("[2, 4, 5]", 3, "data = path(\"img.csv\", label_column = 0, normalize = channel, flip = yes, test = 4)"));
    TrainingData d = load(m);
    assertChannelMeansZero(d.train().features(), 2, 20);
    assertFlipsMirrorChannelsFirst(d, 2, 4, 5);
    Files.writeString(m, convModel("[2, 4, 5]", 3, "data = path(\"img.csv\", label_column = 0, normalize = channel, crop = 1, flip = yes, test = 4)"));
    Result res = bpnet("train", m.toString(), "--out", dir.resolve("run").toString());
    assertEquals(0, res.code(), show(res));
    // the same features for a flat model are plain features: no image options
    Files.writeString(m, convModel("[2, 4, 5]", 3, "data = path(\"img.csv\", label_column = 0, crop = 1, test = 4)")
        .replace("input x: [2, 4, 5]", "input x: [40]").replace("relu(conv2d(x, 2, kernel = 3, padding = same))", "x")
        .replace("flatten(max_pool(h, 2, padding = same))", "h"));
    res = bpnet("train", m.toString(), "--out", dir.resolve("flat").toString());
    assertEquals(1, res.code(), show(res));
    assertTrue(res.err().contains("crop and flip need images, and these examples are 40 plain features"), show(res));
  }

  @Test
  void numpyImagesTrainChannelsFirstAndAnotherLayoutIsRefused() throws Exception {
    INDArray x = Nd4j.rand(DataType.DOUBLE, 12, 3, 4, 5);
    INDArray y = Nd4j.createFromArray(new long[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
    Npz.write(dir.resolve("img.npz"), Map.of("x", x, "y", y));
    Path m = Files.writeString(dir.resolve("np.bpnet"),
        convModel("[3, 4, 5]", 2, "data = path(\"img.npz\", normalize = channel, flip = yes, test = 4)"));
    TrainingData d = load(m);
    assertChannelMeansZero(d.train().features(), 3, 20);
    assertFlipsMirrorChannelsFirst(d, 3, 4, 5);
    Result r = bpnet("train", m.toString(), "--out", dir.resolve("run").toString());
    assertEquals(0, r.code(), show(r));
    // the same 60 features declared height-width-channels: pixels would be scrambled
    Files.writeString(m, convModel("[4, 5, 3]", 2, "data = path(\"img.npz\", test = 4)"));
    r = bpnet("train", m.toString(), "--out", dir.resolve("hwc").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("images of [3, 4, 5] (channels, height, width) but the model's input 'x' is [4, 5, 3];"
        + " bpnet's images are channels first: declare x: [3, 4, 5]"), show(r));
    assertTrue(!Files.exists(dir.resolve("hwc").resolve("params.npz")));
  }
}
