package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV file's label columns chosen by header name, and regression targets read from several
 * columns, through {@code bpnet train} and {@code bpnet evaluate} (the run's recorded data source).
 */
class CsvColumnsTest {

  @TempDir
  Path dir;

  /** Columns a, y1, b, c, y2 with y1 = a + 2b and y2 = c - a: two linear targets among the features. */
  private Path targets(int rows) throws Exception {
    StringBuilder s = new StringBuilder("a,y1,b,c,y2\n");
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < rows; i++) {
      double a = r.nextDouble(-1, 1);
      double b = r.nextDouble(-1, 1);
      double c = r.nextDouble(-1, 1);
      s.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%.4f%n", a, a + 2 * b, b, c, c - a));
    }
    return Files.writeString(dir.resolve("targets.csv"), s.toString());
  }

  private Path model(String data) throws Exception {
    return Files.writeString(dir.resolve("reg.bpnet"), """
        model Reg {
          input x: [3]
          label y: [2]
          out = dense(x, 2)
          loss = mse(out, y)
          train { optimizer = sgd(lr = 0.1)  batch = 8  epochs = 15  seed = 3  DATA }
        }
        """.replace("DATA", data));
  }

  @Test
  void regressionTargetsFromNamedColumnsTrainAndEvaluate() throws Exception {
    targets(80);
    Path m = model("data = path(\"targets.csv\", label_columns = \"y1, y2\")");
    Path run = dir.resolve("run");
    Result r = bpnet("train", m.toString(), "--out", run.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("targets.csv (CSV, regression targets in columns 1 (y1), 4 (y2)) (64 train, 16 held out"),
        show(r));
    assertTrue(r.out().contains("test mse"), show(r));
    List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
    int loss = List.of(metrics.get(0).split(",")).indexOf("train_loss");
    double first = Double.parseDouble(metrics.get(1).split(",")[loss]);
    double last = Double.parseDouble(metrics.get(metrics.size() - 1).split(",")[loss]);
    assertEquals(16, metrics.size(), String.join("\n", metrics));
    // a linear model fits linear targets: the loss falls well below its start
    assertTrue(last < first / 4, "train loss " + first + " -> " + last);
    // evaluate reads the data the run recorded, label_columns included
    r = bpnet("evaluate", m.toString(), "--run", run.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("(CSV, regression targets in columns 1 (y1), 4 (y2))")
        && r.out().contains("mean squared error"), show(r));
  }

  @Test
  void columnsChosenOnTheCommandLineAndTheirErrors() throws Exception {
    targets(40);
    Path m = model("data = mnist");
    Result r = bpnet("train", m.toString(), "--epochs", "1", "--data", "path(\"targets.csv\", label_columns = \"1, -1\")",
        "--out", dir.resolve("a").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("regression targets in columns 1 (y1), 4 (y2)"), show(r));
    r = bpnet("train", m.toString(), "--data", "path(\"targets.csv\", label_columns = \"y1\")", "--out", dir.resolve("b").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("label_columns = \"y1\" chooses 1 target column (column 1 (y1)) but the model's label is [2]"),
        show(r));
    r = bpnet("train", m.toString(), "--data", "path(\"targets.csv\", label_columns = \"y1, y3\")", "--out", dir.resolve("b").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("targets.csv:1: label_columns = \"y1, y3\": no column 'y3' in the header (its columns: a, y1, b, "
        + "c, y2); did you mean 'y1'?"), show(r));
    r = bpnet("train", m.toString(), "--data", "path(\"targets.csv\", label_columns = 1)", "--out", dir.resolve("b").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("must list the columns of the regression targets in quotes"), show(r));
  }

  @Test
  void aClassColumnChosenByName() throws Exception {
    StringBuilder s = new StringBuilder("u,species,v,w\n");
    for (int i = 0; i < 30; i++) {
      int k = i % 3;
      s.append(String.format(Locale.ROOT, "%d.5,%d,%d,%d%n", k, k, -k, 2 * k));
    }
    Files.writeString(dir.resolve("named.csv"), s.toString());
    Path m = Files.writeString(dir.resolve("cls.bpnet"), """
        model Cls {
          input x: [3]
          label y: [3]
          logits = dense(x, 3)
          loss = softmax_cross_entropy(logits, y)
          train { batch = 5  epochs = 1  data = path("named.csv", label_column = "species") }
        }
        """);
    Result r = bpnet("train", m.toString(), "--out", dir.resolve("r").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("named.csv (CSV) (24 train, 6 held out"), show(r));
    r = bpnet("train", m.toString(), "--data", "path(\"named.csv\", label_column = \"Species\")", "--out", dir.resolve("r2").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("label_column = \"Species\": no column 'Species' in the header (its columns: u, species, v, w); "
        + "did you mean 'species'?"), show(r));
    // without label_column, the fractional first column is refused with the way to choose another
    r = bpnet("train", m.toString(), "--data", dir.resolve("named.csv").toString(), "--out", dir.resolve("r3").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("label '0.5' in column 0 (u) is not a class index")
        && r.err().contains("label_column = \"w\""), show(r));
  }

  @Test
  void helpNamesEveryDataSourceAndTheColumnArguments() throws Exception {
    Result r = bpnet("help", "train");
    String help = (r.out() + r.err()).replaceAll("\\s+", " ");
    assertTrue(help.contains("a directory of x.npy and y.npy, an .npz or CSV file, or either with arguments in the train "
        + "block's syntax") && help.contains("label_column = \"species\"") && help.contains("label_columns = \"3..5\""), help);
    // the form the help gives is accepted as written: what is left to check is the data's shape
    targets(10);
    Path m = model("data = mnist");
    r = bpnet("train", m.toString(), "--data", "path(\"targets.csv\", label_columns = \"2..4\")", "--epochs", "1",
        "--out", dir.resolve("h").toString());
    assertTrue(r.err().contains("label_columns = \"2..4\" chooses 3 target columns (columns 2 (b), 3 (c), 4 (y2)) but the "
        + "model's label is [2]"), show(r));
    r = bpnet("compile", "--help");
    assertTrue((r.out() + r.err()).replaceAll("\\s+", " ").contains("compile writes every model unless one is named"), show(r));
  }
}
