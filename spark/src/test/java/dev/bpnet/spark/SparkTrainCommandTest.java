package dev.bpnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.Main;
import dev.bpnet.runtime.io.Npz;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bpnet train FILE --spark local[2]}: the command finds this module through ServiceLoader,
 * prints the same epoch lines and writes the same metrics.csv and params.npz as a run on one
 * machine, and a run stopped after two epochs and resumed on Spark ends where the uninterrupted
 * one ends, bit for bit. {@code --spark-average K} runs local SGD.
 */
class SparkTrainCommandTest {
  static final String MODEL = """
      model Student {
        input x: [8]
        label y: [4]
        h = tanh(dense(x, 16))
        out = sigmoid(dense(h, 4))
        loss = mse(out, y)
        train {
          passes = 3   alpha = 0.8   third = exact   optimizer = adam(lr = 0.01)
          batch = 32   epochs = 3   seed = 2   dtype = float64
          data = teacher_student(n = 256)
        }
      }
      """;

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result bpnet(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void trainOnSparkWritesWhatTrainingOnOneMachineWrites() throws Exception {
    Path model = dir.resolve("student.bpnet");
    Files.writeString(model, MODEL);
    Path single = dir.resolve("single");
    Path spark = dir.resolve("spark");
    Path resumed = dir.resolve("resumed");

    Result one = bpnet("train", model.toString(), "--out", single.toString());
    assertEquals(0, one.code(), one.out() + one.err());
    Result s = bpnet("train", model.toString(), "--out", spark.toString(), "--spark", "local[2]");
    assertEquals(0, s.code(), s.out() + s.err());
    assertTrue(s.out().contains("on Spark local[2]: synchronous steps, each batch in 2 shards"), s.out());
    assertEquals(epochLines(one.out()).size(), 3, one.out());
    assertEquals(withoutSeconds(epochLines(one.out())), withoutSeconds(epochLines(s.out())), "the same progress lines");

    List<String> a = Files.readAllLines(single.resolve("metrics.csv"));
    List<String> b = Files.readAllLines(spark.resolve("metrics.csv"));
    assertEquals(a.get(0), b.get(0));
    assertEquals(4, b.size());
    for (int i = 1; i < a.size(); i++) {
      String[] x = a.get(i).split(",", -1);
      String[] y = b.get(i).split(",", -1);
      for (int c = 0; c < x.length - 1; c++) {  // every figure but the seconds
        assertEquals(x[c].isEmpty() ? Double.NaN : Double.parseDouble(x[c]), y[c].isEmpty() ? Double.NaN : Double.parseDouble(y[c]),
            2e-5, "metrics.csv row " + i + " column " + c);
      }
    }
    Map<String, INDArray> p = Npz.read(single.resolve("params.npz"));
    Map<String, INDArray> q = Npz.read(spark.resolve("params.npz"));
    assertEquals(p.keySet(), q.keySet());
    for (String k : p.keySet()) {
      double rel = Models.relative(q.get(k), p.get(k));
      assertTrue(rel < 1e-12, k + ": relative difference " + rel + " after 3 epochs");
    }

    // stopped after 2 epochs, resumed on Spark: the uninterrupted Spark run's parameters, bit for bit
    Result first = bpnet("train", model.toString(), "--out", resumed.toString(), "--epochs", "2", "--spark", "local[2]");
    assertEquals(0, first.code(), first.out() + first.err());
    Result rest = bpnet("train", model.toString(), "--resume", resumed.toString(), "--epochs", "3", "--spark", "local[2]");
    assertEquals(0, rest.code(), rest.out() + rest.err());
    assertTrue(rest.out().contains("resuming") && rest.out().contains("epoch 3/3"), rest.out());
    Map<String, INDArray> r = Npz.read(resumed.resolve("params.npz"));
    for (String k : q.keySet()) {
      assertArrayEquals(q.get(k).data().asDouble(), r.get(k).data().asDouble(), k);
    }
    assertEquals(withoutSeconds(b), withoutSeconds(Files.readAllLines(resumed.resolve("metrics.csv"))));

    // local SGD from the command line: a run of its own, with its own figures
    Result avg = bpnet("train", model.toString(), "--out", dir.resolve("average").toString(), "--epochs", "1",
        "--spark", "local[2]", "--spark-average", "4");
    assertEquals(0, avg.code(), avg.out() + avg.err());
    assertTrue(avg.out().contains("local SGD, parameters averaged every 4 steps, each batch in 2 shards"), avg.out());
    assertEquals(2, Files.readAllLines(dir.resolve("average").resolve("metrics.csv")).size());
  }

  @Test
  void dataOnTheExecutorsTrainsAsOneFileOnOneMachine() throws Exception {
    // 200 examples (8 features, 4 regression targets) as one .npz, and the same in 3 shards
    Path model = dir.resolve("student.bpnet");
    Files.writeString(model, MODEL);
    java.util.Random rnd = new java.util.Random(5);
    double[][] x = new double[200][8];
    double[][] y = new double[200][4];
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 8; j++) {
        x[i][j] = 2 * rnd.nextDouble() - 1;
      }
      for (int j = 0; j < 4; j++) {
        y[i][j] = 1 / (1 + Math.exp(-(x[i][j] - x[i][j + 4])));
      }
    }
    Npz.write(dir.resolve("all.npz"), Map.of("x", org.nd4j.linalg.factory.Nd4j.create(x), "y",
        org.nd4j.linalg.factory.Nd4j.create(y)));
    Path shards = Files.createDirectories(dir.resolve("shards"));
    int[] cuts = {0, 70, 130, 200};
    for (int f = 0; f < 3; f++) {
      Npz.write(shards.resolve("part-" + f + ".npz"), Map.of(
          "x", org.nd4j.linalg.factory.Nd4j.create(java.util.Arrays.copyOfRange(x, cuts[f], cuts[f + 1])),
          "y", org.nd4j.linalg.factory.Nd4j.create(java.util.Arrays.copyOfRange(y, cuts[f], cuts[f + 1]))));
    }
    Result one = bpnet("train", model.toString(), "--data", dir.resolve("all.npz").toString(), "--epochs", "2",
        "--out", dir.resolve("one").toString());
    assertEquals(0, one.code(), one.out() + one.err());
    Result s = bpnet("train", model.toString(), "--data", "npz-dir:" + shards, "--epochs", "2", "--spark", "local[2]",
        "--out", dir.resolve("streamed").toString());
    assertEquals(0, s.code(), s.out() + s.err());
    assertTrue(s.out().contains("each batch over the 3 partitions of the data on the executors"), s.out());
    assertTrue(s.out().contains("200 examples in 3 partitions on the executors (160 train, 40 held out for testing)"), s.out());
    assertEquals(withoutSeconds(epochLines(one.out())), withoutSeconds(epochLines(s.out())), "the same progress lines");
    Map<String, INDArray> p = Npz.read(dir.resolve("one").resolve("params.npz"));
    Map<String, INDArray> q = Npz.read(dir.resolve("streamed").resolve("params.npz"));
    for (String k : p.keySet()) {
      double rel = Models.relative(q.get(k), p.get(k));
      assertTrue(rel < 1e-12, k + ": relative difference " + rel + " after 2 epochs");
    }
    // a seeded subset from an offset, and a test count: chosen by index as from the file on one machine
    String subset = "train = 100, offset = 10, subset_seed = 7, test = 50";
    Result oneSub = bpnet("train", model.toString(), "--data", "path(\"" + dir.resolve("all.npz") + "\", " + subset + ")",
        "--epochs", "2", "--out", dir.resolve("one-subset").toString());
    assertEquals(0, oneSub.code(), oneSub.out() + oneSub.err());
    Result sSub = bpnet("train", model.toString(), "--data", "npz-dir:" + shards + "#" + subset.replace(" ", ""),
        "--epochs", "2", "--spark", "local[2]", "--out", dir.resolve("streamed-subset").toString());
    assertEquals(0, sSub.code(), sSub.out() + sSub.err());
    String chosen = oneSub.out().substring(oneSub.out().indexOf("train on "), oneSub.out().indexOf("; 2 epochs"));
    assertTrue(chosen.startsWith("train on 100 of training examples 10-149 (of 150) drawn at random with subset_seed 7"),
        chosen);
    assertTrue(sSub.out().contains(chosen), "the same examples chosen: " + chosen + "\n" + sSub.out());
    assertEquals(withoutSeconds(epochLines(oneSub.out())), withoutSeconds(epochLines(sSub.out())), "the same progress lines");
    p = Npz.read(dir.resolve("one-subset").resolve("params.npz"));
    q = Npz.read(dir.resolve("streamed-subset").resolve("params.npz"));
    for (String k : p.keySet()) {
      double rel = Models.relative(q.get(k), p.get(k));
      assertTrue(rel < 1e-12, k + ": relative difference " + rel + " after 2 epochs on the subset");
    }
    // local SGD on the shards from the command line (StreamedDataTest checks its arithmetic)
    Result avg = bpnet("train", model.toString(), "--data", "npz-dir:" + shards, "--epochs", "1", "--spark", "local[2]",
        "--spark-average", "3", "--out", dir.resolve("streamed-average").toString());
    assertEquals(0, avg.code(), avg.out() + avg.err());
    assertTrue(avg.out().contains("local SGD, parameters averaged every 3 steps, each batch over the 3 partitions of the"
        + " data on the executors"), avg.out());
    assertEquals(2, Files.readAllLines(dir.resolve("streamed-average").resolve("metrics.csv")).size());
    // augmentation cannot apply (the driver holds indices): refused, located, before any data is read or Spark starts
    String refused = "npz-dir:" + dir.resolve("nowhere") + "#train=100,crop=4,trian=5";
    Result aug = bpnet("train", model.toString(), "--data", refused, "--spark", "local[2]", "--out",
        dir.resolve("z").toString());
    assertEquals(Main.USAGE, aug.code(), aug.out() + aug.err());
    assertTrue(aug.err().startsWith("error(E63): --data:1:" + (refused.indexOf("crop") + 1) + ": 'crop' cannot apply to"
        + " data that Spark's executors read: augmentation transforms each training batch's images on the driver,"
        + " which holds only the examples' indices"), aug.err());
    assertTrue(aug.err().contains("error(E8): --data:1:" + (refused.indexOf("trian") + 1) + ": unknown option 'trian'"
        + " for npz-dir"), aug.err());
    assertTrue(aug.err().contains("did you mean 'train'?") && aug.err().contains("^^^^"), aug.err());
    assertTrue(!aug.err().contains("no such file") && !aug.err().contains("Exception"), aug.err());

    // streamed data needs Spark; a bad path is the data's error
    Result none = bpnet("train", model.toString(), "--data", "npz-dir:" + shards, "--out", dir.resolve("x").toString());
    assertEquals(Main.USAGE, none.code(), none.out() + none.err());
    assertTrue(none.err().startsWith("error: --data npz-dir:" + shards + " is read by Spark's executors: give --spark"),
        none.err());
    Result bad = bpnet("train", model.toString(), "--data", "npz-dir:" + dir.resolve("nowhere"), "--spark", "local[2]",
        "--out", dir.resolve("y").toString());
    assertEquals(Main.MODEL_ERRORS, bad.code(), bad.out() + bad.err());
    assertEquals("error: " + dir.resolve("nowhere") + ": no such file or directory\n", bad.err());
  }

  @Test
  void aMasterSparkCannotUseIsAUsageError() throws Exception {
    Path model = dir.resolve("student.bpnet");
    Files.writeString(model, MODEL);
    Result r = bpnet("train", model.toString(), "--out", dir.resolve("bad").toString(), "--spark", "nowhere");
    assertEquals(Main.USAGE, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("error: --spark nowhere: Spark did not start: Could not parse Master URL"), r.err());
    assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), "no stack trace: " + r.err());
    assertTrue(!Files.exists(dir.resolve("bad").resolve("checkpoint.json")), "nothing trained");
  }

  /** A cluster's executors need bpnet's classes in a jar: run from class directories, the command says so before Spark starts. */
  @Test
  void aClusterMasterWithoutAJobJarIsAUsageError() throws Exception {
    Path model = dir.resolve("student.bpnet");
    Files.writeString(model, MODEL);
    Result r = bpnet("train", model.toString(), "--out", dir.resolve("c").toString(), "--spark", "spark://127.0.0.1:9");
    assertEquals(Main.USAGE, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: --spark spark://127.0.0.1:9: the executors of spark://127.0.0.1:9 need bpnet's"
        + " classes in a jar, and this driver loads them from "), r.err());
    assertTrue(r.err().contains("-Djobjar") && !r.err().contains("Exception"), r.err());
  }

  private static List<String> epochLines(String out) {
    return out.lines().filter(l -> l.startsWith("epoch ")).toList();
  }

  private static List<String> withoutSeconds(List<String> lines) {
    List<String> l = new ArrayList<>();
    for (String s : lines) {
      l.add(s.replaceAll(" \\([0-9.]+ s\\)$", "").replaceAll(",[0-9.]+$", ""));
    }
    return l;
  }
}
