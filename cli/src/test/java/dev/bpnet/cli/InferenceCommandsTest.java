package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code bpnet predict} and {@code bpnet evaluate} on a trained run: their figures are the ones
 * training printed for the same split, and the predictions agree with them.
 */
class InferenceCommandsTest {
  static final String CLASSIFIER = """
      model Blobs {
        input x: [4]
        label y: [3]
        h = tanh(dense(x, 8))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3  alpha = 0.5  data = "blobs.csv"  batch = 16  epochs = 3  seed = 4  validation = 0.2 }
      }
      """;

  static final String REGRESSION = """
      model Fit {
        input x: [3]
        label y: [2]
        out = dense(tanh(dense(x, 6)), 2)
        loss = mse(out, y)
        train { data = teacher_student(n = 96)  batch = 32  epochs = 2 }
      }
      """;

  @TempDir Path dir;
  Path model;
  Path run;
  CliEndToEndTest.Result trained;

  @BeforeEach
  void train() throws Exception {
    // three classes of 4-feature points around different centres
    Random r = new Random(1);
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      int c = i % 3;
      csv.append(c);
      for (int j = 0; j < 4; j++) {
        csv.append(',').append(String.format(java.util.Locale.ROOT, "%.4f", (j == c ? 1.5 : 0) + r.nextGaussian()));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve("blobs.csv"), csv);
    model = dir.resolve("blobs.bpnet");
    Files.writeString(model, CLASSIFIER);
    run = dir.resolve("run");
    trained = bpnet("train", model.toString(), "--out", run.toString());
    assertEquals(0, trained.code(), show(trained));
  }

  private static double figure(String text, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(text);
    assertTrue(m.find(), pattern + " in\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void evaluateGivesTheFiguresTrainingPrinted() throws Exception {
    Path json = dir.resolve("eval.json");
    CliEndToEndTest.Result r = bpnet("evaluate", model.toString(), "--run", run.toString(), "--json", json.toString());
    assertEquals(0, r.code(), show(r));
    double trainTest = figure(trained.out(), "test accuracy ([0-9.]+)% on the parameters of epoch 3, the last");
    assertEquals(trainTest, figure(r.out(), "accuracy ([0-9.]+)%"), 1e-9, show(r));
    assertTrue(r.out().contains("test part (60 examples)") && r.out().contains("confusion matrix"), show(r));
    JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals(trainTest / 100, j.get("accuracy").getAsDouble(), 1e-4);
    assertEquals(60, j.get("examples").getAsInt());
    long total = 0;
    for (var row : j.getAsJsonArray("confusion")) {
      for (var v : row.getAsJsonArray()) {
        total += v.getAsLong();
      }
    }
    assertEquals(60, total, "every test example in the confusion matrix");
    assertTrue(j.get("input_loss").getAsDouble() > 0, "three passes: l_x");

    r = bpnet("evaluate", model.toString(), "--run", run.toString(), "--split", "validation");
    assertEquals(0, r.code(), show(r));
    assertEquals(figure(trained.out(), "epoch 3/3: .*val loss ([0-9.]+)"), figure(r.out(), "loss ([0-9.]+)"), 1e-4, show(r));
    assertEquals(figure(trained.out(), "epoch 3/3: .*val loss [0-9.]+ accuracy ([0-9.]+)%"), figure(r.out(), "accuracy ([0-9.]+)%"), 1e-9);
  }

  @Test
  void predictWritesProbabilitiesAndClassesThatAgreeWithEvaluate() throws Exception {
    Path csv = dir.resolve("p.csv");
    CliEndToEndTest.Result r = bpnet("predict", model.toString(), "--params", run.resolve("params.npz").toString(), "--out", csv.toString());
    assertEquals(0, r.code(), show(r));
    List<String> lines = Files.readAllLines(csv);
    assertEquals("index,label,class,p_0,p_1,p_2", lines.get(0));
    assertEquals(61, lines.size());
    int correct = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      double p0 = Double.parseDouble(f[3]);
      double p1 = Double.parseDouble(f[4]);
      double p2 = Double.parseDouble(f[5]);
      assertEquals(1.0, p0 + p1 + p2, 1e-4, line);
      int best = p0 >= p1 && p0 >= p2 ? 0 : p1 >= p2 ? 1 : 2;
      assertEquals(best, Integer.parseInt(f[2]), "class is the arg-max: " + line);
      correct += f[1].equals(f[2]) ? 1 : 0;
    }
    double accuracy = figure(trained.out(), "test accuracy ([0-9.]+)% on the parameters of epoch 3, the last");
    assertEquals(accuracy, 100.0 * correct / 60, 1e-9);

    Path npz = dir.resolve("p.npz");
    r = bpnet("predict", model.toString(), "--run", run.toString(), "--out", npz.toString());
    assertEquals(0, r.code(), show(r));
    Map<String, INDArray> a = Npz.read(npz);
    assertEquals(List.of("output", "probabilities", "class", "label"), List.copyOf(a.keySet()));
    assertEquals(60, a.get("class").length());

    r = bpnet("predict", model.toString(), "--run", run.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().startsWith("index,label,class,p_0"), "CSV on standard output: " + show(r));
  }

  @Test
  void regressionReportsTheMeanSquaredErrorTrainingPrinted() throws Exception {
    Path f = dir.resolve("fit.bpnet");
    Files.writeString(f, REGRESSION);
    Path out = dir.resolve("fit");
    CliEndToEndTest.Result t = bpnet("train", f.toString(), "--out", out.toString());
    assertEquals(0, t.code(), show(t));
    CliEndToEndTest.Result r = bpnet("evaluate", f.toString(), "--run", out.toString());
    assertEquals(0, r.code(), show(r));
    double printed = figure(t.out(), "test mse ([0-9.e-]+) on the parameters of epoch 2, the last"); // 4 significant digits
    assertEquals(printed, figure(r.out(), "mean squared error ([0-9.e-]+)"), 1e-3 * printed, show(r));
    assertTrue(r.out().contains("l_x not computed"), show(r));
    assertFalse(r.out().contains("confusion"), show(r));
  }

  @Test
  void mistakesAreNamed() throws Exception {
    Path other = dir.resolve("other.npz");
    Npz.write(other, Map.of("h.W", org.nd4j.linalg.factory.Nd4j.zeros(4, 9)));
    CliEndToEndTest.Result r = bpnet("evaluate", model.toString(), "--params", other.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("'h.W' has shape [4, 9]") && r.err().contains("no parameter 'logits.W'"), show(r));
    r = bpnet("predict", model.toString(), "--run", run.toString(), "--out", dir.resolve("p.txt").toString());
    assertEquals(2, r.code(), show(r));
    assertTrue(r.err().contains(".csv or .npz"), show(r));
    r = bpnet("evaluate", model.toString(), "--run", run.toString(), "--split", "everything");
    assertEquals(2, r.code(), show(r));
    Files.writeString(model, CLASSIFIER.replace("validation = 0.2", "validation = 0"));
    r = bpnet("evaluate", model.toString(), "--run", run.toString(), "--split", "validation");
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("no validation set"), show(r));
  }
}
