package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code bpnet train} says when a NaN appears, by where it first appears. */
class FaultReportTest {
  @TempDir Path dir;

  /**
   * sqrt at 0: the forward value is 0 and the loss finite, but d sqrt/dx = 1/(2 sqrt x) is
   * infinite there, so g2 holds NaN (inf times relu's 0) before any update.
   */
  static final String SQRT_AT_ZERO = """
      model SqrtAtZero {
        input x: [4]
        label y: [3]
        h   = sqrt(relu(dense(x, 5)))
        out = dense(h, 3)
        loss = mse(out, y)
        train { TRAIN  dtype = float64  seed = 3  batch = 10  validation = 0  data = "DATA" }
      }
      """;

  CliErrorTableTest.Result train(String model) throws Exception {
    Path data = dir.resolve("data.csv");
    Files.writeString(data, CliErrorTableTest.csv(), StandardCharsets.UTF_8);
    Path file = dir.resolve("m" + model.hashCode() + ".bpnet");
    Files.writeString(file, model.replace("DATA", data.toString()), StandardCharsets.UTF_8);
    CliErrorTableTest.Result r = CliErrorTableTest.bpnet(List.of("train", file.toString(), "--epochs", "2",
        "--out", dir.resolve("run" + model.hashCode()).toString()));
    CliErrorTableTest.assertClean(model, r);
    assertEquals(1, r.code(), r.all());
    return r;
  }

  @Test
  void aNanOnlyInTheBackwardPassIsNamedAsSuch() throws Exception {
    for (String opt : List.of("optimizer = sgd(lr = 0.01)", "optimizer = adam(lr = 0.01)",
        "passes = 3  alpha = 0.5  third = exact", "passes = 3  alpha = 0.5")) {
      CliErrorTableTest.Result r = train(SQRT_AT_ZERO.replace("TRAIN", opt));
      String shown = opt + ": " + r.all();
      // with three passes l_x is computed from g2's input gradient: g2 is still where it starts
      assertTrue(r.err().contains("backward pass (g2), parameter h."), shown);
      assertTrue(r.err().contains("step 1 (update 1 of the run)"), "the first step, before any update: " + shown);
      assertTrue(r.err().contains("a derivative is infinite or undefined"), shown);
      assertFalse(r.err().contains("learning rate"), "no update has happened, so not the learning rate: " + shown);
    }
  }

  /** A user rule whose backward body is 0/0: g2 is NaN, the loss finite. */
  @Test
  void aNanFromARuleBackwardBodyIsNamedAsTheBackwardPass() throws Exception {
    String rule = "activation bad(z) -> a {\n  a = tanh(z)\n  backward(da) {\n    dz = da * (a - a) / (a - a)\n  }\n}\n";
    for (String opt : List.of("optimizer = adam(lr = 0.01)", "passes = 3  alpha = 0.5")) {
      CliErrorTableTest.Result r = train(rule + SQRT_AT_ZERO.replace("sqrt(relu(dense(x, 5)))", "bad(dense(x, 5))")
          .replace("TRAIN", opt));
      assertTrue(r.err().contains("backward pass (g2), parameter h.W"), r.all());
      assertTrue(r.err().contains("a rule's backward body"), r.all());
      assertFalse(r.err().contains("learning rate"), r.all());
    }
  }

  @Test
  void aNanLossBeforeAnyUpdateDoesNotBlameTheLearningRate() throws Exception {
    CliErrorTableTest.Result r = train(SQRT_AT_ZERO.replace("h   = sqrt(relu(dense(x, 5)))", "h   = log(dense(x, 5))")
        .replace("TRAIN", "optimizer = sgd(lr = 0.01)"));
    assertTrue(r.err().contains("forward pass (loss L)"), r.all());
    assertTrue(r.err().contains("before any update"), r.all());
    assertFalse(r.err().contains("learning rate"), r.all());
  }
}
