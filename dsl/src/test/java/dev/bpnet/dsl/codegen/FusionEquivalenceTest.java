package dev.bpnet.dsl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.Models;
import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused softmax cross-entropy and l_x kernels and the direct column sums ({@link Fusions},
 * {@code Kernels}) compute what the unfused statements compute: a trainer generated with
 * fusions and one generated without, from the same graph and seed, give the same losses and
 * gradients of every pass to rounding, on random networks and labels, one-hot and not (the
 * log_softmax VJP must not assume rows of y summing to 1), and stay together over SGD steps.
 */
class FusionEquivalenceTest {

  @ParameterizedTest(name = "{0} {1} {2} passes={3} {4} {5}")
  @CsvSource({
      "relu, 12, 1, 2, paper, FLOAT",
      "relu, 12, 1, 2, paper, DOUBLE",
      "tanh, 7, 2, 3, paper, FLOAT",
      "sigmoid, 9, 2, 3, paper, DOUBLE",
      "relu, 16, 1, 3, exact, FLOAT",
      "tanh, 5, 2, 3, exact, DOUBLE"})
  void fusedAndUnfusedAgree(String act, int width, int depth, int passes, String third, DataType dt) {
    int[] hidden = new int[depth];
    java.util.Arrays.fill(hidden, width);
    var m = Models.mlp("Fuse", 6, hidden, 4, act, "softmax_cross_entropy",
        t -> t.withPasses(passes).withAlpha(passes == 3 ? 0.7 : 1.0).withThird(third));
    TrainingGraph tg = BpNetCompiler.differentiate(m, Map.of());
    String fusedSource = TrainerGenerator.generate(tg, "dev.bpnet.generated.fused", true).toString();
    assertTrue(fusedSource.contains("Kernels.negatedMeanDot(") && fusedSource.contains(".run();"),
        "the loss and the bias sums are fused, so this test compares something");
    if (passes == 2 || third.equals("paper")) {
      assertTrue(fusedSource.contains("Kernels.logSoftmaxVjp("), "the log_softmax VJP is fused but in exact mode");
    }
    if (passes == 3) {
      assertTrue(fusedSource.contains("Kernels.dot("), "l_x's sum(d(x)^2) is fused");
    }
    Trainer fused = trainer(TrainerGenerator.generate(tg, "dev.bpnet.generated.fused", true), dt);
    Trainer plain = trainer(TrainerGenerator.generate(tg, "dev.bpnet.generated.plain", false), dt);
    double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
    Random r = new Random(width * 31L + depth);
    for (int batch : new int[] {5, 13}) {
      Map<String, INDArray> oneHot = Map.of("x", TestData.gaussian(r, dt, batch, 6), "y", TestData.oneHot(r, dt, batch, 4));
      // labels whose rows sum to anything: the general VJP, not (softmax - y)/B
      Map<String, INDArray> soft = Map.of("x", TestData.gaussian(r, dt, batch, 6), "y", TestData.gaussian(r, dt, batch, 4));
      compare(fused.gradients(oneHot), plain.gradients(oneHot), tol, "one-hot, batch " + batch + ": ");
      compare(fused.gradients(soft), plain.gradients(soft), tol, "soft labels, batch " + batch + ": ");
    }
    for (int i = 0; i < 4; i++) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, dt, 8, 6), "y", TestData.oneHot(r, dt, 8, 4));
      assertEquals(plain.step(f).loss(), fused.step(f).loss(), tol * 10, "loss of step " + i);
    }
    for (String k : plain.parameters().keySet()) {
      close(plain.parameters().get(k), fused.parameters().get(k), tol * 10, "parameter " + k + " after 4 steps");
    }
  }

  /**
   * A convolution with its bias and ReLU as one op ({@link Fusions.ConvEpilogue}: oneDNN post-ops
   * in float32, the convolution then ND4J's two ops in float64), with the bias alone, with the ReLU
   * alone (bias = no), and the ReLU's VJP from its output as one {@code Kernels.ReluVjp}: the same
   * losses and gradients of every pass as the unfused statements, and the same parameters after
   * SGD steps. Float32 tolerance as above: the fused op's bits equal the separate ops' (tested in
   * the runtime), so what differs is only the ReLU VJP's sign of zero.
   */
  @ParameterizedTest(name = "passes={0} {1} {2}")
  @CsvSource({"2, paper, FLOAT", "3, exact, FLOAT", "3, paper, FLOAT", "3, exact, DOUBLE"})
  void convolutionEpiloguesAgree(int passes, String third, DataType dt) {
    String source = """
        model ConvFuse {
          input x: [2, 8, 8]
          label y: [4]
          h1 = relu(conv2d(x, 16, kernel = 3, padding = same))
          h2 = conv2d(h1, 4, kernel = 3, stride = 2, padding = same)
          h3 = relu(conv2d(max_pool(h2, 2), 5, kernel = 2, bias = no))
          logits = dense(flatten(h3), 4)
          loss = softmax_cross_entropy(logits, y)
          train { passes = %d alpha = 0.7 third = %s }
        }
        """.formatted(passes, third);
    TrainingGraph tg = dev.bpnet.dsl.compile.FileCompiler.model(new dev.bpnet.dsl.compile.SourceFile("conv.bpnet", source), null);
    String fusedSource = TrainerGenerator.generate(tg, "dev.bpnet.generated.fused", true).toString();
    for (String op : new String[] {"h1W, h1B, true", "h2W, h2B, false", "h3W, null, true"}) {
      assertTrue(fusedSource.contains(op), "the convolution fused with its epilogue: " + op);
    }
    assertTrue(fusedSource.contains("new Kernels.ReluVjp(h1, "), "the ReLU's VJP reads its output");
    Trainer fused = trainer(TrainerGenerator.generate(tg, "dev.bpnet.generated.fused", true), dt);
    Trainer plain = trainer(TrainerGenerator.generate(tg, "dev.bpnet.generated.plain", false), dt);
    double tol = dt == DataType.FLOAT ? 1e-6 : 1e-12;
    Random r = new Random(passes * 7L + third.hashCode());
    for (int batch : new int[] {3, 6}) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, dt, batch, 2 * 8 * 8), "y", TestData.oneHot(r, dt, batch, 4));
      compare(fused.gradients(f), plain.gradients(f), tol, "batch " + batch + ": ");
    }
    for (int i = 0; i < 3; i++) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, dt, 4, 2 * 8 * 8), "y", TestData.oneHot(r, dt, 4, 4));
      assertEquals(plain.step(f).loss(), fused.step(f).loss(), tol * 10, "loss of step " + i);
    }
    for (String k : plain.parameters().keySet()) {
      close(plain.parameters().get(k), fused.parameters().get(k), tol * 10, "parameter " + k + " after 3 steps");
    }
  }

  /**
   * The convolutions of a float32 trainer reading each other's copies in oneDNN's layouts
   * ({@code reuse}, generated at allocation) against the same trainer bound with every
   * convolution reordering its own ({@code -Dbpnet.dnnl.share=false}): the same bits, in every
   * pass's gradients and in the parameters after SGD steps, also after the batch size changed
   * (new buffers, new copies). At 16 channels the shared copies are blocked, so reorders drop.
   */
  @ParameterizedTest(name = "passes={0} {1}")
  @CsvSource({"2, paper", "3, exact", "3, paper"})
  void sharedLayoutsGiveTheSameBits(int passes, String third) {
    // ModelClassTest's chain of 16-channel convolutions, with this test's passes
    String source = ModelClassTest.CHAIN.replace("train { passes = 2 }",
        "train { passes = %d alpha = 0.7 third = %s }".formatted(passes, third));
    assertTrue(source.contains("third = " + third), "the chain's train block was replaced");
    TrainingGraph tg = dev.bpnet.dsl.compile.FileCompiler.model(new dev.bpnet.dsl.compile.SourceFile("conv.bpnet", source), null);
    com.palantir.javapoet.JavaFile file = TrainerGenerator.generate(tg, "dev.bpnet.generated.share", true);
    assertTrue(file.toString().contains("c2Op.reuse(c1Op);"), "the second layer reads the first one's output copy");
    Trainer shared = trainer(file, DataType.FLOAT);
    Trainer own = trainer(file, DataType.FLOAT);
    Random r = new Random(passes * 11L + third.hashCode());
    for (int batch : new int[] {5, 3}) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, DataType.FLOAT, batch, 3 * 8 * 8),
          "y", TestData.oneHot(r, DataType.FLOAT, batch, 3));
      Gradients a = shared.gradients(f);
      String before = System.setProperty("bpnet.dnnl.share", "false");
      Gradients b;
      try {
        b = own.gradients(f);  // binds its convolutions for this batch size, unshared
      } finally {
        if (before == null) {
          System.clearProperty("bpnet.dnnl.share");
        } else {
          System.setProperty("bpnet.dnnl.share", before);
        }
      }
      compare(a, b, 0, "batch " + batch + ": ");
      for (int i = 0; i < 3; i++) {
        assertEquals(own.step(f).loss(), shared.step(f).loss(), 0, "loss of step " + i);
      }
      for (String k : own.parameters().keySet()) {
        assertEquals(own.parameters().get(k), shared.parameters().get(k), "parameter " + k + " after 3 steps");
      }
    }
  }

  private static Trainer trainer(com.palantir.javapoet.JavaFile f, DataType dt) {
    try {
      return InMemoryJavac.compile(f, Trainer.class).getConstructor(DataType.class, long.class).newInstance(dt, 3L);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static void compare(Gradients fused, Gradients plain, double tol, String what) {
    // with labels of both signs L is a difference of O(1) terms: relative to max(|L|, 1)
    assertEquals(plain.loss(), fused.loss(), tol * Math.max(1, Math.abs(plain.loss())), what + "L");
    if (!Double.isNaN(plain.inputLoss())) {
      assertEquals(plain.inputLoss(), fused.inputLoss(), tol * Math.abs(plain.inputLoss()), what + "l_x");
    }
    assertEquals(plain.pass2().keySet(), fused.pass2().keySet());
    plain.pass2().forEach((k, v) -> close(v, fused.pass2().get(k), tol, what + "g2 " + k));
    plain.pass3().forEach((k, v) -> close(v, fused.pass3().get(k), tol, what + "g3 " + k));
  }

  /** max |a - b| within tol times max |a|: relative to the tensor's scale (exact for zeros). */
  private static void close(INDArray want, INDArray got, double tol, String what) {
    double scale = want.amaxNumber().doubleValue();
    double err = want.sub(got).amaxNumber().doubleValue();
    assertTrue(err <= tol * scale, what + ": max error " + err + " against scale " + scale);
  }
}
