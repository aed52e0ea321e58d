package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.TrainerBatch;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole convolutional networks written in the language, float64: g2, the exact g3 and l_x
 * against fourth-order finite differences (every parameter element), max relative error < 1e-6.
 * Two architectures, each with every activation: convolutions (same, valid and explicit
 * padding, stride 2, dilation 2, with and without bias), max and average pooling, global
 * average pooling, flatten and dense layers.
 */
class ConvNetGradientTest {
  /** A conv - max_pool - strided conv - dense net and a dilated conv - avg_pool - global pool net; A the activation. */
  static final Map<String, String> NETS = Map.of(
      "conv-maxpool-strided-dense", """
          model Net {
            input x: [2, 7, 7]
            label y: [3]
            h1 = A(conv2d(x, 3, kernel = 3, padding = same))
            p1 = max_pool(h1, 2, padding = same)
            h2 = A(conv2d(p1, 4, kernel = 3, stride = 2, padding = 1))
            logits = dense(flatten(h2), 3)
            loss = softmax_cross_entropy(logits, y)
            train { passes = 3 alpha = 0.5 third = exact dtype = float64 }
          }
          """,
      "dilated-avgpool-global", """
          model Net {
            input x: [1, 9, 10]
            label y: [3]
            h1 = A(conv2d(x, 3, kernel = 2, dilation = 2, stride = 1, bias = no))
            p1 = avg_pool(h1, 3, stride = 2, padding = 1)
            h2 = A(conv2d(p1, 4, kernel = 2, stride = 2, padding = valid))
            logits = dense(global_avg_pool(h2), 3)
            loss = mse(logits, y)
            train { passes = 3 alpha = 0.5 third = exact dtype = float64 }
          }
          """);

  static Stream<Arguments> nets() {
    List<Arguments> l = new ArrayList<>();
    for (String net : NETS.keySet().stream().sorted().toList()) {
      for (String act : List.of("sigmoid", "tanh", "relu", "leaky_relu", "elu")) {
        l.add(Arguments.of(net, act));
      }
    }
    return l.stream();
  }

  /** Every case's trainer, compiled in one javac task when the first case asks ({@link TrainerBatch}). */
  private static final class Compiled {
    static final TrainerBatch<String> ALL;

    static {
      ALL = TrainerBatch.ofModelTexts(nets().map(a -> NETS.get((String) a.get()[0]).replace("A(", a.get()[1] + "(")).toList());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("nets")
  void secondAndExactThirdPassMatchFiniteDifferences(String net, String act) {
    String source = NETS.get(net).replace("A(", act + "(");
    Trainer tr = Compiled.ALL.trainer(source, DataType.DOUBLE, 3,
        () -> TrainerLoader.instantiate(FileCompiler.model(new SourceFile("net.bpnet", source), null), DataType.DOUBLE, 3));
    Random r = new Random(net.hashCode() * 31L + act.hashCode());
    TestData.perturb(tr, r, 0.1);  // biases start at 0: move ReLU units off their kinks
    int batch = 3;
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, batch, net.startsWith("conv") ? 2 * 7 * 7 : 9 * 10);
    INDArray y = net.startsWith("conv") ? TestData.oneHot(r, DataType.DOUBLE, batch, 3) : TestData.gaussian(r, DataType.DOUBLE, batch, 3);
    Map<String, INDArray> feeds = Map.of("x", x, "y", y);
    Gradients g = tr.gradients(feeds);
    double e2 = GradientCheckTest.maxError(tr, g.pass2(), f -> tr.gradients(feeds).loss());
    double e3 = GradientCheckTest.maxError(tr, g.pass3(), f -> tr.gradients(feeds).inputLoss());
    double ex = GradientCheckTest.inputLossError(tr, feeds, g.inputLoss());
    System.out.printf("convnet %-28s %-10s g2 %.2e, exact g3 %.2e, l_x %.2e%n", net, act, e2, e3, ex);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 max relative error " + e2);
    assertTrue(e3 < GradientCheckTest.TOL, "exact g3 max relative error " + e3);
    assertTrue(ex < GradientCheckTest.TOL, "l_x relative error " + ex);
  }
}
