package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.io.Npz;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad command lines and bad files, each run in-process through {@link Main#run}: the exit code,
 * a message naming what is wrong, and for every one of them no Java exception name, no stack
 * frame and no URL in what the user reads.
 */
class CliErrorTableTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** One bad command line: what it must exit with and say (in out or err). */
  record Case(String name, List<String> args, int code, List<String> says) {}

  static Result bpnet(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  /** What no message to a user may hold: exception class names, stack frames, library URLs. */
  static void assertClean(String what, Result r) {
    String shown = what + " -> exit " + r.code + "\n--- out:\n" + r.out + "\n--- err:\n" + r.err;
    for (String bad : List.of("Exception", "at java.", "at dev.", "http", "\tat ")) {
      assertFalse(r.all().contains(bad), "output holds '" + bad + "': " + shown);
    }
    assertTrue(r.code != Main.INTERNAL, "a user's mistake is not an internal error: " + shown);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  /** 30 rows of "label,f1..f4" for the tiny model (3 classes, 4 features). */
  static String csv() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      b.append(i % 3);
      for (int j = 0; j < 4; j++) {
        b.append(',').append(((i * 7 + j * 3) % 11) / 10.0 - 0.5);
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** A model on {@code data}, with the tiny model's shapes. */
  static String tiny(String data) {
    return CliEndToEndTest.TINY.replace("seed = 11 }", "seed = 11  batch = 10  validation = 0  data = \"" + data + "\" }");
  }

  static byte[] gzip(byte[] raw) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(raw);
    }
    return b.toByteArray();
  }

  static byte[] idx(int magic, int[] dims, byte[] data) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(b);
    o.writeInt(magic);
    for (int d : dims) {
      o.writeInt(d);
    }
    o.write(data);
    return b.toByteArray();
  }

  /** A finished one-epoch run of the tiny model on CSV data, for the checkpoint cases. */
  Path run(Path model, String name) {
    Path run = dir.resolve(name);
    Result r = bpnet(List.of("train", model.toString(), "--epochs", "1", "--out", run.toString()));
    assertEquals(0, r.code, r.all());
    return run;
  }

  static String setField(String json, String field, String value) {
    String out = json.replaceFirst("\"" + field + "\": [^,\\n]+", "\"" + field + "\": " + value);
    assertFalse(out.equals(json), "field " + field + " in " + json);
    return out;
  }

  @Test
  void everyBadCommandLineAndFileIsOneCleanMessage() throws Exception {
    Path data = write("data.csv", csv());
    Path model = write("tiny.bpnet", tiny(data.toString()));
    Path aFile = write("a-file.txt", "not a directory\n");
    Path aDir = Files.createDirectories(dir.resolve("a-dir"));
    Path batch = dir.resolve("batch.npz");
    Npz.write(batch, Map.of("x", Nd4j.rand(DataType.DOUBLE, 2, 4), "y", Nd4j.eye(3).getRows(0, 1)));

    // NaN and infinity in numpy data, which training would meet only at some step
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> nan = new LinkedHashMap<>();
    org.nd4j.linalg.api.ndarray.INDArray x = Nd4j.rand(DataType.DOUBLE, 30, 4);
    x.putScalar(new long[] {17, 2}, Double.NaN);
    nan.put("x", x);
    nan.put("y", Nd4j.createFromArray(new long[30]).reshape(30));
    Path nanNpz = dir.resolve("nan.npz");
    Npz.write(nanNpz, nan);
    Path infDir = Files.createDirectories(dir.resolve("npy-inf"));
    org.nd4j.linalg.api.ndarray.INDArray xi = Nd4j.rand(DataType.FLOAT, 30, 4);
    xi.putScalar(new long[] {3, 0}, Float.NEGATIVE_INFINITY);
    dev.bpnet.runtime.io.Npy.write(infDir.resolve("x.npy"), xi);
    dev.bpnet.runtime.io.Npy.write(infDir.resolve("y.npy"), Nd4j.createFromArray(new long[30]));

    // gzipped IDX files with a damaged trailer (the CRC): the library says "Corrupt GZIP trailer"
    Path idxDir = Files.createDirectories(dir.resolve("idx"));
    byte[] images = gzip(idx(0x803, new int[] {30, 2, 2}, new byte[120]));
    images[images.length - 5] ^= 0x5a;
    Files.write(idxDir.resolve("train-images-idx3-ubyte.gz"), images);
    Files.write(idxDir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {30}, new byte[30])));

    Path trash = dir.resolve("trash.bpnet");
    Files.write(trash, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80});
    Path garbageNpz = dir.resolve("garbage.npz");
    Files.write(garbageNpz, new byte[] {'P', 'K', 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    Path truncatedNpz = dir.resolve("truncated.npz");
    byte[] whole = Files.readAllBytes(nanNpz);
    Files.write(truncatedNpz, java.util.Arrays.copyOf(whole, whole.length / 2));
    Path nanCsv = write("nan.csv", csv().replaceFirst("\n1,[^\n]*", "\n1,0.5,nan,0.1,0.2"));
    Path garbageRun = Files.createDirectories(dir.resolve("garbage-run"));
    Files.write(garbageRun.resolve("metrics.csv"), new byte[] {0, 1, 2, (byte) 0xff, '\n', ',', ','});

    // checkpoints damaged by hand
    Path good = run(model, "good");
    String json = Files.readString(good.resolve("checkpoint.json"));
    List<Case> cases = new ArrayList<>();
    for (String[] damage : new String[][] {{"epoch", "-3"}, {"epoch", "99999999999"}, {"step", "-1"},
        {"epochs", "0"}, {"epochs", "1.5"}, {"seconds", "-2"}, {"epoch", "\"one\""}, {"format", "1e400"},
        {"npz_sha256", "17"}, {"model", "{}"}}) {
      Path bad = dir.resolve("ckpt-" + damage[0] + "-" + cases.size());
      Files.createDirectories(bad);
      Files.copy(good.resolve("checkpoint.npz"), bad.resolve("checkpoint.npz"));
      Files.writeString(bad.resolve("checkpoint.json"), setField(json, damage[0], damage[1]));
      cases.add(new Case("checkpoint " + damage[0] + " = " + damage[1],
          List.of("train", model.toString(), "--resume", bad.toString()), 1,
          List.of("damaged checkpoint", "'" + damage[0] + "'")));
    }
    Path notJson = Files.createDirectories(dir.resolve("ckpt-not-json"));
    Files.copy(good.resolve("checkpoint.npz"), notJson.resolve("checkpoint.npz"));
    Files.writeString(notJson.resolve("checkpoint.json"), "{\"format\": 1, epoch: }");
    cases.add(new Case("checkpoint not JSON", List.of("train", model.toString(), "--resume", notJson.toString()), 1,
        List.of("not valid JSON at line 1")));
    // a checkpoint naming another model, hash and all else intact: not this run's
    Path other = Files.createDirectories(dir.resolve("ckpt-model-other"));
    Files.copy(good.resolve("checkpoint.npz"), other.resolve("checkpoint.npz"));
    Files.writeString(other.resolve("checkpoint.json"), setField(json, "model", "\"Other\""));
    cases.add(new Case("checkpoint of model Other", List.of("train", model.toString(), "--resume", other.toString()), 1,
        List.of("it names model Other, this is model Tiny")));
    Path badNpz = Files.createDirectories(dir.resolve("ckpt-bad-npz"));
    Files.writeString(badNpz.resolve("checkpoint.json"), json);
    Files.write(badNpz.resolve("checkpoint.npz"), new byte[] {'P', 'K', 3, 4, 0, 0});

    cases.addAll(List.of(
        new Case("epochs 0", List.of("train", model.toString(), "--epochs", "0"), 2, List.of("--epochs", "at least 1")),
        new Case("epochs -1", List.of("train", model.toString(), "--epochs", "-1"), 2, List.of("--epochs", "-1")),
        new Case("save-every -1", List.of("train", model.toString(), "--save-every", "-1"), 2, List.of("--save-every")),
        new Case("empty package", List.of("compile", model.toString(), "-o", dir.resolve("g1").toString(), "--package", ""),
            2, List.of("--package ''", "not a Java package name")),
        new Case("keyword package", List.of("compile", model.toString(), "-o", dir.resolve("g2").toString(),
            "--package", "int.class"), 2, List.of("--package 'int.class'")),
        new Case("dashed package", List.of("compile", model.toString(), "-o", dir.resolve("g3").toString(),
            "--package", "my-pkg"), 2, List.of("--package 'my-pkg'")),
        new Case("train --out a file", List.of("train", model.toString(), "--out", aFile.toString()), 2,
            List.of(aFile.toString(), "is a file")),
        new Case("train --out below a file", List.of("train", model.toString(), "--out", aFile.resolve("run").toString()), 2,
            List.of(aFile.toString() + " is a file")),
        new Case("compile -o a file", List.of("compile", model.toString(), "-o", aFile.toString()), 2,
            List.of(aFile.toString(), "is a file")),
        new Case("compile -o below a file", List.of("compile", model.toString(), "-o", aFile.resolve("src").toString()), 2,
            List.of("is a file")),
        new Case("graph -o a directory", List.of("graph", model.toString(), "-o", aDir.toString()), 2,
            List.of(aDir.toString(), "is a directory")),
        new Case("graph -o into a missing directory", List.of("graph", model.toString(), "-o",
            dir.resolve("missing/g.dot").toString()), 2, List.of("missing", "does not exist")),
        new Case("graph -o below a file", List.of("graph", model.toString(), "-o", aFile.resolve("g.dot").toString()), 2,
            List.of("is a file")),
        new Case("gradients --out a directory", List.of("gradients", model.toString(), "--batch", batch.toString(),
            "--out", aDir.toString()), 2, List.of("is a directory")),
        new Case("plot -o a directory.png", List.of("plot", good.toString(), "-o",
            Files.createDirectories(dir.resolve("p.png")).toString()), 2, List.of("is a directory")),
        new Case("model in the wrong case", List.of("show", model.toString(), "--model", "tiny"), 1,
            List.of("no model named 'tiny'", "did you mean 'Tiny'?")),
        new Case("params of a model in the wrong case", List.of("params", model.toString(), "--model", "tINY"), 1,
            List.of("did you mean 'Tiny'?")),
        new Case("NaN in an npz", List.of("train", model.toString(), "--data", nanNpz.toString(), "--out",
            dir.resolve("r-nan").toString()), 1, List.of("array 'x'", "NaN at index [17, 2]")),
        new Case("infinity in an npy", List.of("train", model.toString(), "--data", infDir.toString(), "--out",
            dir.resolve("r-inf").toString()), 1, List.of("x.npy", "-inf at index [3, 0]")),
        new Case("gzip trailer damaged", List.of("train", model.toString(), "--data", idxDir.toString(), "--out",
            dir.resolve("r-gz").toString()), 1, List.of("train-images-idx3-ubyte.gz", "corrupt gzip data")),
        new Case("resume a missing directory", List.of("train", model.toString(), "--resume",
            dir.resolve("nowhere").toString()), 1, List.of("no such directory")),
        new Case("resume with a damaged npz", List.of("train", model.toString(), "--resume", badNpz.toString()), 1,
            List.of("npz is missing or damaged")),
        new Case("missing model file", List.of("check", dir.resolve("none.bpnet").toString()), 1, List.of("none.bpnet")),
        new Case("missing params file", List.of("gradients", model.toString(), "--batch", batch.toString(),
            "--params", dir.resolve("none.npz").toString(), "--out", dir.resolve("g.npz").toString()), 1,
            List.of("none.npz")),
        new Case("missing data", List.of("train", model.toString(), "--data", dir.resolve("none.npz").toString()), 1,
            List.of("none.npz")),
        new Case("epochs beyond an int", List.of("train", model.toString(), "--epochs", "99999999999"), 2,
            List.of("--epochs")),
        new Case("threads 0", List.of("--threads", "0", "check", model.toString()), 2, List.of("--threads")),
        new Case("save-every NaN", List.of("train", model.toString(), "--save-every", "NaN"), 2, List.of("--save-every")),
        new Case("check a directory", List.of("check", aDir.toString()), 1, List.of(aDir.toString())),
        new Case("check a binary file", List.of("check", trash.toString()), 1, List.of(trash.toString())),
        new Case("data: empty", List.of("train", model.toString(), "--data", ""), 1,
            List.of("data '' is empty")),
        new Case("data: a device", List.of("train", model.toString(), "--data", "/dev/null"), 1,
            List.of("/dev/null: not a regular file or directory")),
        new Case("data: a directory without data", List.of("train", model.toString(), "--data", aDir.toString()), 1,
            List.of("no data files found")),
        new Case("data: garbage npz", List.of("train", model.toString(), "--data", garbageNpz.toString()), 1,
            List.of(garbageNpz.toString())),
        new Case("data: truncated npz", List.of("train", model.toString(), "--data", truncatedNpz.toString()), 1,
            List.of(truncatedNpz.toString())),
        new Case("data: NaN in CSV", List.of("train", model.toString(), "--data", nanCsv.toString()), 1,
            List.of(nanCsv.toString())),
        new Case("gradients: missing batch", List.of("gradients", model.toString(), "--batch",
            dir.resolve("nobatch.npz").toString(), "--out", dir.resolve("g2.npz").toString()), 1, List.of("nobatch.npz")),
        new Case("gradients: garbage batch", List.of("gradients", model.toString(), "--batch", garbageNpz.toString(),
            "--out", dir.resolve("g3.npz").toString()), 1, List.of(garbageNpz.toString())),
        new Case("plot: no metrics", List.of("plot", aDir.toString(), "-o", dir.resolve("p2.png").toString()), 1,
            List.of("metrics.csv")),
        new Case("plot: garbage metrics", List.of("plot", garbageRun.toString(), "-o", dir.resolve("p3.png").toString()), 1,
            List.of("metrics.csv"))));

    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Result r = bpnet(c.args());
      String shown = c.name() + ": bpnet " + String.join(" ", c.args()) + " -> exit " + r.code
          + "\n--- out:\n" + r.out + "\n--- err:\n" + r.err;
      try {
        assertClean(c.name(), r);
        assertEquals(c.code(), r.code, shown);
        for (String s : c.says()) {
          assertTrue(r.all().contains(s), "expected '" + s + "' in " + shown);
        }
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n" + String.join("\n\n", failures));
  }

  /**
   * An Adam checkpoint missing the last parameter's moments, its SHA-256 recomputed: each array
   * left is laid out like a parameter, so only the first update can tell; it is the checkpoint's
   * fault (exit 1), said in words, and nothing is trained.
   */
  @Test
  void anOptimizerStateShortOfAParameterIsADamagedCheckpoint() throws Exception {
    Path data = write("data.csv", csv());
    Path model = write("adam.bpnet", tiny(data.toString()).replace("seed = 11", "seed = 11  optimizer = adam(lr = 0.01)"));
    Path run = run(model, "adam-run");
    Files.delete(run.resolve("checkpoint.previous.json"));
    Files.delete(run.resolve("checkpoint.previous.npz"));
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> a = new LinkedHashMap<>(Npz.read(run.resolve("checkpoint.npz")));
    assertTrue(a.remove("optimizer/m/3") != null && a.remove("optimizer/v/3") != null, a.keySet().toString());
    Npz.write(run.resolve("checkpoint.npz"), a);
    String json = Files.readString(run.resolve("checkpoint.json"));
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(run.resolve("checkpoint.npz"))));
    Files.writeString(run.resolve("checkpoint.json"), json.replaceFirst("\"npz_sha256\": \"[0-9a-f]+\"",
        "\"npz_sha256\": \"" + sha + "\""));
    Result r = bpnet(List.of("train", model.toString(), "--resume", run.toString(), "--epochs", "2"));
    assertClean("adam state short of a parameter", r);
    assertEquals(1, r.code, r.all());
    assertTrue(r.err.contains("the checkpoint's optimizer state does not fit this model's parameters: m/3 is missing"),
        r.all());
  }
}
