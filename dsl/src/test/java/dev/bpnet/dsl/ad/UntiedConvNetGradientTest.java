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
 * Whole networks with untied (locally connected) convolutions, float64: g2, the exact g3 and l_x
 * against fourth-order finite differences, max relative error < 1e-6, as {@link
 * ConvNetGradientTest} does for conv2d. Same, explicit and strided padding, dilation, with and
 * without bias, max and average pooling, a tied convolution between untied ones, dense.
 *
 * <p>Every element of each parameter tensor of at most {@link #CHECKED} elements is differenced;
 * of a larger one (the first net's untied W, [36, 3, 18]: 1,944) a seeded sample of {@link
 * #CHECKED} that meets every position, channel and tap several times ({@link
 * GradientCheckTest#sample}). Each element costs eight evaluations of the three passes; all
 * 1,944 took three quarters of this test's time.
 */
class UntiedConvNetGradientTest {
  static final int CHECKED = 256;

  static final Map<String, String> NETS = Map.of(
      "untied-maxpool-dense", """
          model Net {
            input x: [2, 6, 6]
            label y: [3]
            h1 = A(untied_conv2d(x, 3, kernel = 3, padding = same))
            p1 = max_pool(h1, 2)
            logits = dense(flatten(p1), 3)
            loss = softmax_cross_entropy(logits, y)
            train { passes = 3 alpha = 0.5 third = exact dtype = float64 }
          }
          """,
      "strided-avgpool-conv-dilated", """
          model Net {
            input x: [1, 7, 5]
            label y: [3]
            h1 = A(untied_conv2d(x, 2, kernel = 2, stride = 2, padding = 1, bias = no))
            p1 = avg_pool(h1, 2, padding = same)
            h2 = A(conv2d(p1, 2, kernel = 1))
            h3 = A(untied_conv2d(h2, 2, kernel = 2, padding = 1, dilation = 2))
            logits = dense(flatten(h3), 3)
            loss = mse(logits, y)
            train { passes = 3 alpha = 0.5 third = exact dtype = float64 }
          }
          """);

  static Stream<Arguments> nets() {
    List<Arguments> l = new ArrayList<>();
    for (String net : NETS.keySet().stream().sorted().toList()) {
      for (String act : List.of("sigmoid", "tanh", "relu")) {
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
    boolean first = net.startsWith("untied");
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, batch, first ? 2 * 6 * 6 : 7 * 5);
    INDArray y = first ? TestData.oneHot(r, DataType.DOUBLE, batch, 3) : TestData.gaussian(r, DataType.DOUBLE, batch, 3);
    Map<String, INDArray> feeds = Map.of("x", x, "y", y);
    Gradients g = tr.gradients(feeds);
    double e2 = GradientCheckTest.maxError(tr, g.pass2(), f -> tr.gradients(feeds).loss(), CHECKED, r.nextLong());
    double e3 = GradientCheckTest.maxError(tr, g.pass3(), f -> tr.gradients(feeds).inputLoss(), CHECKED, r.nextLong());
    double ex = GradientCheckTest.inputLossError(tr, feeds, g.inputLoss());
    System.out.printf("untied %-30s %-8s g2 %.2e, exact g3 %.2e, l_x %.2e%n", net, act, e2, e3, ex);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 max relative error " + e2);
    assertTrue(e3 < GradientCheckTest.TOL, "exact g3 max relative error " + e3);
    assertTrue(ex < GradientCheckTest.TOL, "l_x relative error " + ex);
  }
}
