package dev.bpnet.dsl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole generated source of small models against golden files. Regenerate after an
 * intended change with {@code mvn -pl dsl test -Dtest=GoldenSourceTest -Dbpnet.updateGolden=true}
 * and review the diff: the generated code is part of the product.
 */
class GoldenSourceTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static ModelDecl tiny(int passes, String third) {
    return ModelBuilder.model("Tiny")
        .input("x", 4)
        .label("y", 3)
        .let("h", E.sigmoid(E.dense(E.ref("x"), 5)))
        .let("logits", E.dense(E.ref("h"), 3))
        .loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")))
        .train(t -> t.withPasses(passes).withAlpha(passes == 3 ? 0.8 : 1.0).withThird(third))
        .build();
  }

  @Test
  void twoPassTrainer() throws IOException {
    check(tiny(2, "paper"), "TinyTrainer2.java.txt");
  }

  @Test
  void paperThreePassTrainer() throws IOException {
    check(tiny(3, "paper"), "TinyTrainer3Paper.java.txt");
  }

  @Test
  void exactThreePassTrainer() throws IOException {
    check(tiny(3, "exact"), "TinyTrainer3Exact.java.txt");
  }

  /** A small convolutional net: conv, max pool, strided conv, average pool, dense; the exact third pass. */
  @Test
  void convolutionalExactThreePassTrainer() throws IOException {
    String src = """
        model TinyConv {
          input x: [1, 6, 6]
          label y: [3]
          c1 = relu(conv2d(x, 2, kernel = 3, padding = same))
          p1 = max_pool(c1, 2)
          c2 = tanh(conv2d(p1, 3, kernel = 2, stride = 2, padding = 1, bias = no))
          logits = dense(flatten(avg_pool(c2, 2)), 3)
          loss = softmax_cross_entropy(logits, y)
          train { passes = 3 alpha = 0.8 third = exact }
        }
        """;
    check(dev.bpnet.dsl.compile.FileCompiler.parse(new dev.bpnet.dsl.compile.SourceFile("tiny-conv.bpnet", src)).get(0),
        "TinyConvTrainer3Exact.java.txt");
  }

  /** Dropout: the masks(training) method, the generator, its state and trainingGradients; the exact third pass. */
  @Test
  void dropoutExactThreePassTrainer() throws IOException {
    String src = """
        model TinyDropout {
          input x: [4]
          label y: [3]
          h = relu(dense(x, 5))
          logits = dense(dropout(h, 0.5), 3)
          loss = softmax_cross_entropy(logits, y)
          train { passes = 3 alpha = 0.8 third = exact }
        }
        """;
    check(dev.bpnet.dsl.compile.FileCompiler.parse(new dev.bpnet.dsl.compile.SourceFile("tiny-dropout.bpnet", src)).get(0),
        "TinyDropoutTrainer3Exact.java.txt");
  }

  /** Batch norm (dense and conv) and layer norm: the training flag, runningStatistics(); the exact third pass. */
  @Test
  void normalisationExactThreePassTrainer() throws IOException {
    String src = """
        model TinyNorm {
          input x: [1, 4, 4]
          label y: [3]
          c = relu(batch_norm(conv2d(x, 2, kernel = 3)))
          h = tanh(layer_norm(dense(flatten(c), 5)))
          logits = dense(batch_norm(h), 3)
          loss = softmax_cross_entropy(logits, y)
          train { passes = 3 alpha = 0.8 third = exact }
        }
        """;
    check(dev.bpnet.dsl.compile.FileCompiler.parse(new dev.bpnet.dsl.compile.SourceFile("tiny-norm.bpnet", src)).get(0),
        "TinyNormTrainer3Exact.java.txt");
  }

  /** The forward-only classes ({@code <Model>Model}) of the dense and the convolutional model. */
  @Test
  void forwardOnlyModels() throws IOException {
    var dense = BpNetCompiler.generateModel(tiny(3, "paper"), "dev.bpnet.generated");
    InMemoryJavac.compile(dense, dev.bpnet.runtime.Model.class);
    compare(dense.toString(), "TinyModel.java.txt");
    var conv = dev.bpnet.dsl.compile.FileCompiler.generateModel(dev.bpnet.dsl.compile.FileCompiler.model(
        new dev.bpnet.dsl.compile.SourceFile("tiny-conv.bpnet", ModelClassTest.CONV), null), "dev.bpnet.generated");
    InMemoryJavac.compile(conv, dev.bpnet.runtime.Model.class);
    compare(conv.toString(), "TinyConvModel.java.txt");
  }

  private static void check(ModelDecl m, String file) throws IOException {
    var source = BpNetCompiler.generate(m, "dev.bpnet.generated");
    // golden or not, it must compile warning-free (-Xlint:all -Werror)
    InMemoryJavac.compile(source, Trainer.class);
    compare(source.toString(), file);
  }

  private static void compare(String actual, String file) throws IOException {
    Path p = GOLDEN.resolve(file);
    if (Boolean.getBoolean("bpnet.updateGolden")) {
      Files.writeString(p, actual, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(p), "no golden file " + p + "; create it with -Dbpnet.updateGolden=true");
    List<String> expected = Files.readAllLines(p, StandardCharsets.UTF_8);
    assertEquals(String.join("\n", expected), actual.stripTrailing(), "generated source differs from " + p);
  }
}
