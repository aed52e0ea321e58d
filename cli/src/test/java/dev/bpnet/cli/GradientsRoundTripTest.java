package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.io.Npz;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bpnet gradients} writes what the trainer's own {@code gradients(feeds)} computes for
 * the same parameters (given ones from P.npz, the others initialised from the model's seed) and
 * the same batch.
 */
class GradientsRoundTripTest {
  static final String TWO_PASS = """
      model Grad2 {
        input x: [4]
        label y: [3]
        h   = sigmoid(dense(x, 5))
        out = dense(h, 3)
        loss = softmax_cross_entropy(out, y)
        train { seed = 21 }
      }
      """;

  static final String THREE_PASS_EXACT = """
      model Grad3 {
        input x: [4]
        label y: [3]
        h   = tanh(dense(x, 5))
        out = dense(h, 3)
        loss = mse(out, y)
        train { passes = 3  alpha = 0.6  third = exact  dtype = float64  seed = 1234 }
      }
      """;

  static final double TOL = 1e-12;

  @TempDir Path dir;

  // the command runner and its result are CliEndToEndTest's
  static CliEndToEndTest.Result bpnet(String... args) {
    return CliEndToEndTest.bpnet(args);
  }

  static String show(CliEndToEndTest.Result r) {
    return CliEndToEndTest.show(r);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  static INDArray gaussian(Random r, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, r.nextGaussian());
    }
    return a;
  }

  static INDArray oneHot(Random r, int rows, int classes) {
    INDArray a = Nd4j.zeros(DataType.DOUBLE, rows, classes);
    for (int i = 0; i < rows; i++) {
      a.putScalar(i, r.nextInt(classes), 1.0);
    }
    return a;
  }

  @Test
  void twoPassFloat32() throws Exception {
    roundTrip(TWO_PASS, 21, DataType.FLOAT, false);
  }

  @Test
  void threePassExactFloat64() throws Exception {
    roundTrip(THREE_PASS_EXACT, 1234, DataType.DOUBLE, true);
  }

  void roundTrip(String model, long seed, DataType dt, boolean third) throws Exception {
    Path file = write("m.bpnet", model);
    Random r = new Random(seed);
    // some, not all, parameters: h.W and out.b given, h.b and out.W from the seed
    Map<String, INDArray> given = new LinkedHashMap<>();
    given.put("h.W", gaussian(r, 4, 5).muli(0.7));
    given.put("out.b", gaussian(r, 3));
    Path pz = dir.resolve("P.npz");
    Npz.write(pz, given);
    Map<String, INDArray> batch = new LinkedHashMap<>();
    batch.put("x", gaussian(r, 6, 4));
    batch.put("y", oneHot(r, 6, 3));
    Path bz = dir.resolve("B.npz");
    Npz.write(bz, batch);
    Path gz = dir.resolve("G.npz");

    CliEndToEndTest.Result res = bpnet("gradients", file.toString(), "--params", pz.toString(), "--batch", bz.toString(), "--out", gz.toString());
    assertEquals(0, res.code(), show(res));
    assertTrue(res.out().contains("wrote " + gz), show(res));
    Map<String, INDArray> g = Npz.read(gz);

    // the trainer, independently
    TrainingGraph tg = FileCompiler.model(SourceFile.read(file), null);
    assertEquals(seed, tg.program().train().seed(), "the model's seed option");
    assertEquals(dt, TrainerLoader.dataType(tg.program().train().dtype()));
    Trainer t = TrainerLoader.instantiate(tg, dt, tg.program().train().seed());
    Map<String, INDArray> live = t.parameters();
    assertEquals(List.of("h.W", "h.b", "out.W", "out.b"), new ArrayList<>(live.keySet()));
    Map<String, INDArray> feeds = new LinkedHashMap<>();
    batch.forEach((k, v) -> feeds.put(k, v.castTo(dt)));
    Gradients fresh = t.gradients(feeds); // every parameter from the seed
    given.forEach((k, v) -> live.get(k).assign(v.castTo(dt)));
    Gradients want = t.gradients(feeds);
    assertTrue(Math.abs(fresh.loss() - want.loss()) > 1e-6, "the values of P.npz matter");

    List<String> keys = new ArrayList<>(third ? List.of("loss", "input_loss") : List.of("loss"));
    for (String p : live.keySet()) {
      keys.add("grad2/" + p);
    }
    if (third) {
      for (String p : live.keySet()) {
        keys.add("grad3/" + p);
      }
    }
    for (String p : live.keySet()) {
      keys.add("direction/" + p);
    }
    assertEquals(keys, new ArrayList<>(g.keySet()), "the arrays of G.npz");

    assertClose(want.loss(), g.get("loss").getDouble(0), "loss");
    assertTrue(want.loss() > 0, "loss " + want.loss());
    if (third) {
      assertClose(want.inputLoss(), g.get("input_loss").getDouble(0), "input_loss");
      assertTrue(want.inputLoss() > 0, "l_x " + want.inputLoss());
    } else {
      assertTrue(res.out().contains("input_loss not written"), "no third pass: said, not NaN: " + res.out());
      assertTrue(want.pass3().isEmpty());
    }
    for (String p : live.keySet()) {
      assertClose(want.pass2().get(p), g.get("grad2/" + p), "grad2/" + p);
      assertClose(want.direction().get(p), g.get("direction/" + p), "direction/" + p);
      if (third) {
        assertClose(want.pass3().get(p), g.get("grad3/" + p), "grad3/" + p);
      }
      assertEquals(dt, g.get("grad2/" + p).dataType(), "written in the model's dtype");
    }
    if (third) {
      // direction = alpha * g2 + (1 - alpha) * g3, alpha = 0.6
      for (String p : live.keySet()) {
        INDArray d = g.get("grad2/" + p).mul(0.6).addi(g.get("grad3/" + p).mul(0.4));
        assertClose(d, g.get("direction/" + p), "alpha*g2 + (1-alpha)*g3 for " + p);
      }
      assertTrue(g.get("grad3/h.W").norm2Number().doubleValue() > 0, "a non-zero third pass");
    }

    // without --params every parameter comes from the seed
    Path gz3 = dir.resolve("G3.npz");
    res = bpnet("gradients", file.toString(), "--batch", bz.toString(), "--out", gz3.toString());
    assertEquals(0, res.code(), show(res));
    Map<String, INDArray> g3 = Npz.read(gz3);
    assertClose(fresh.loss(), g3.get("loss").getDouble(0), "loss, parameters from the seed");
    for (String p : live.keySet()) {
      assertClose(fresh.pass2().get(p), g3.get("grad2/" + p), "grad2/" + p + ", parameters from the seed");
      assertClose(fresh.direction().get(p), g3.get("direction/" + p), "direction/" + p + ", parameters from the seed");
    }
  }

  static void assertClose(double want, double got, String what) {
    assertTrue(Math.abs(want - got) <= TOL || (Double.isNaN(want) && Double.isNaN(got)),
        what + ": want " + want + ", got " + got);
  }

  static void assertClose(INDArray want, INDArray got, String what) {
    assertTrue(want != null, what + ": missing from the trainer");
    assertTrue(got != null, what + ": missing from G.npz");
    assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()), what + ": shape");
    double diff = want.castTo(DataType.DOUBLE).sub(got.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    assertTrue(diff <= TOL, what + ": max |difference| " + diff);
  }

  // ---------------------------------------------------------------- bad inputs

  Path[] files() throws Exception {
    Path file = write("m.bpnet", THREE_PASS_EXACT);
    Random r = new Random(3);
    Path bz = dir.resolve("B.npz");
    Npz.write(bz, Map.of("x", gaussian(r, 6, 4), "y", oneHot(r, 6, 3)));
    return new Path[] {file, bz};
  }

  /** Class indices in the batch file are read as {@code train} reads them: one-hot rows. */
  @Test
  void integerClassLabelsAreOneHot() throws Exception {
    Path[] f = files();
    Map<String, INDArray> batch = Npz.read(f[1]);
    INDArray classes = batch.get("y").argMax(1).castTo(DataType.INT);
    Path bz = dir.resolve("B-int.npz");
    Npz.write(bz, Map.of("x", batch.get("x"), "y", classes));
    Path g1 = dir.resolve("G1.npz");
    Path g2 = dir.resolve("G2.npz");
    CliEndToEndTest.Result a = bpnet("gradients", f[0].toString(), "--batch", f[1].toString(), "--out", g1.toString());
    CliEndToEndTest.Result b = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", g2.toString());
    assertEquals(0, a.code(), show(a));
    assertEquals(0, b.code(), show(b));
    assertEquals(Npz.read(g1).get("grad2/h.W"), Npz.read(g2).get("grad2/h.W"));
    Npz.write(bz, Map.of("x", batch.get("x"), "y", Nd4j.createFromArray(0, 1, 2, 3, 0, 1)));
    CliEndToEndTest.Result c = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", g2.toString());
    assertEquals(1, c.code(), show(c));
    assertTrue(c.err().contains("label 3 at index 3 is out of range for 3 classes"), show(c));
  }

  /** Arrays the model does not read, and float32 arrays for a float64 model, are warned about. */
  @Test
  void extraArraysAndNarrowerTypesAreWarnedAbout() throws Exception {
    Path[] f = files();
    Map<String, INDArray> batch = Npz.read(f[1]);
    Path bz = dir.resolve("B-odd.npz");
    Npz.write(bz, Map.of("x", batch.get("x").castTo(DataType.FLOAT), "y", batch.get("y"), "labels", batch.get("y")));
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", dir.resolve("G.npz").toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.err().contains("warning: --batch array 'x' is float and the model computes in double"), show(r));
    assertTrue(r.err().contains("warning: --batch array 'labels' is not an input or label of the model; ignored"), show(r));
    assertFalse(r.err().contains("'y'"), show(r));
  }

  @Test
  void anUnknownParameterIsNamed() throws Exception {
    Path[] f = files();
    Path pz = dir.resolve("P.npz");
    Npz.write(pz, Map.of("h.W", Nd4j.zeros(DataType.DOUBLE, 4, 5), "hidden.W", Nd4j.zeros(DataType.DOUBLE, 4, 5)));
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--params", pz.toString(), "--batch", f[1].toString(), "--out", gz.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("'hidden.W'"), show(r));
    assertTrue(r.err().contains("not in the model"), show(r));
    assertTrue(r.err().contains("h.W, h.b, out.W, out.b"), "lists the model's parameters: " + show(r));
    assertFalse(r.err().contains("'h.W'"), "h.W is fine: " + show(r));
    assertFalse(Files.exists(gz), "nothing written on errors");
  }

  @Test
  void aWrongShapeIsNamed() throws Exception {
    Path[] f = files();
    Path pz = dir.resolve("P.npz");
    Npz.write(pz, Map.of("out.W", Nd4j.zeros(DataType.DOUBLE, 3, 5)));
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--params", pz.toString(), "--batch", f[1].toString(), "--out", gz.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("'out.W'"), show(r));
    assertTrue(r.err().contains("[3, 5]") && r.err().contains("[5, 3]"), "both shapes: " + show(r));
    assertFalse(Files.exists(gz));
  }

  @Test
  void aBatchWithoutTheLabelIsNamed() throws Exception {
    Path[] f = files();
    Path bz = dir.resolve("B1.npz");
    Npz.write(bz, Map.of("x", gaussian(new Random(4), 6, 4)));
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", gz.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("'y'"), show(r));
    assertFalse(r.err().contains("'x'"), "x is there: " + show(r));
    assertFalse(Files.exists(gz));
  }

  @Test
  void allProblemsAreReportedTogether() throws Exception {
    Path[] f = files();
    Path pz = dir.resolve("P.npz");
    Npz.write(pz, Map.of("nope", Nd4j.zeros(DataType.DOUBLE, 2)));
    Path bz = dir.resolve("B1.npz");
    Npz.write(bz, Map.of("z", Nd4j.zeros(DataType.DOUBLE, 6, 4)));
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--params", pz.toString(), "--batch", bz.toString(), "--out", dir.resolve("G.npz").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("'nope'") && r.err().contains("'x'") && r.err().contains("'y'"), show(r));
  }

  @Test
  void aMissingOrDamagedNpzIsAnError() throws Exception {
    Path[] f = files();
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result r = bpnet("gradients", f[0].toString(), "--batch", dir.resolve("none.npz").toString(), "--out", gz.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("none.npz"), show(r));

    Path junk = write("junk.npz", "this is not a zip file");
    r = bpnet("gradients", f[0].toString(), "--params", junk.toString(), "--batch", f[1].toString(), "--out", gz.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("junk.npz"), show(r));
    assertFalse(Files.exists(gz));
  }

  /** A batch whose input has the wrong width is a data error (exit 1) that names it. */
  @Test
  void aBatchOfTheWrongWidthIsNamed() throws Exception {
    Path[] f = files();
    Path bz = dir.resolve("B5.npz");
    Random r = new Random(5);
    Npz.write(bz, Map.of("x", gaussian(r, 6, 7), "y", oneHot(r, 6, 3)));
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result res = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", gz.toString());
    assertEquals(1, res.code(), show(res));
    assertTrue(res.err().contains("'x'"), show(res));
    assertFalse(Files.exists(gz));
  }

  /**
   * A model may declare an input or a label its loss does not use: check accepts it, so
   * gradients must either work (exit 0) or say what is wrong (exit 1), never fail inside.
   */
  @Test
  void aModelThatIgnoresAnInputOrALabel() throws Exception {
    String unusedInput = THREE_PASS_EXACT.replace("label y: [3]", "input u: [2]\n  label y: [3]");
    // a hand-written loss declares its output (E52 otherwise)
    String unusedLabel = THREE_PASS_EXACT.replace("loss = mse(out, y)", "output = out\n  loss = mean(sum(out * out, axis = 1))");
    Random r = new Random(8);
    Path bz = dir.resolve("B8.npz");
    Npz.write(bz, Map.of("x", gaussian(r, 6, 4), "u", gaussian(r, 6, 2), "y", oneHot(r, 6, 3)));
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    for (String[] m : List.of(new String[] {"input u", unusedInput}, new String[] {"label y", unusedLabel})) {
      Path f = write("unused" + checks.size() + ".bpnet", m[1]);
      Path gz = dir.resolve("G-unused" + checks.size() + ".npz");
      checks.add(() -> {
        CliEndToEndTest.Result res = bpnet("gradients", f.toString(), "--batch", bz.toString(), "--out", gz.toString());
        assertTrue(res.code() == 0 || res.code() == 1, "unused " + m[0] + ": " + show(res));
        if (res.code() == 0) {
          assertTrue(Files.exists(gz), show(res));
        } else {
          assertTrue(res.err().contains("'" + m[0].split(" ")[1] + "'"), "names the unused " + m[0] + ": " + show(res));
        }
      });
    }
    org.junit.jupiter.api.Assertions.assertAll(checks);
  }

  /** Inputs and labels with different batch sizes are a data error (exit 1). */
  @Test
  void inputAndLabelOfDifferentBatchSizes() throws Exception {
    Path[] f = files();
    Path bz = dir.resolve("B6.npz");
    Random r = new Random(6);
    Npz.write(bz, Map.of("x", gaussian(r, 6, 4), "y", oneHot(r, 5, 3)));
    Path gz = dir.resolve("G.npz");
    CliEndToEndTest.Result res = bpnet("gradients", f[0].toString(), "--batch", bz.toString(), "--out", gz.toString());
    assertEquals(1, res.code(), show(res));
    assertFalse(Files.exists(gz));
  }
}
