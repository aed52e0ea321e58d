package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One IR, two front ends: the example .bpnet files and the same models written as annotations
 * generate the same trainer, apart from the source positions in the comments.
 */
class EquivalenceTest {
  @Test
  void mnistThreePass() throws IOException {
    same("../examples/mnist/mnist.bpnet", "MnistThreePass", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.8, third = \"paper\", optimizer = \"sgd(lr = 0.1)\",",
        "    init = \"kaiming\", batch = 32, epochs = 30, seed = 7, data = \"mnist\"))",
        "interface MnistThreePass {",
        "  @Input(784) INDArray x();",
        "  @Label(10) INDArray y();",
        "  @Dense(value = 512, activation = \"relu\") INDArray h(INDArray x);",
        "  @Dense(10) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** User rules: linear and difference backprop as @Activation, feedback alignment as a @LayerRule. */
  @Test
  void userRules() throws IOException {
    same("../examples/rules/rules.bpnet", "MnistRules", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.9, third = \"exact\", optimizer = \"sgd(lr = 0.1)\",",
        "    batch = 64, epochs = 10, seed = 3))",
        "interface MnistRules {",
        "  @Activation(forward = \"a = tanh(z)\", backward = \"dz = da\") INDArray linear_tanh(INDArray z);",
        "  @Activation(forward = \"a = sigmoid(z)\", backward = {",
        "      \"a1 = clamp(a - lr * da, eps, 1 - eps)\",",
        "      \"z1 = neg(log(1 / a1 - 1))\",",
        "      \"dz = da * where(z1 == z, 0, (a1 - a) / where(z1 == z, 1, z1 - z))\"})",
        "  INDArray dbp_sigmoid(INDArray z);",
        "  @LayerRule(forward = {\"W = param(size(x, axis = 1), units)\", \"b = param(units)\",",
        "      \"B = state(size(x, axis = 1), units)\", \"y = matmul(x, W) + b\"},",
        "    backward = \"dx = matmul(dy, transpose(B))\")",
        "  INDArray fa_dense(INDArray x, int units);",
        "  @Input(784) INDArray x();",
        "  @Label(10) INDArray y();",
        "  @Dense(value = 128, activation = \"linear_tanh\") INDArray h(INDArray x);",
        "  @Layer(\"dbp_sigmoid(dense(h, 64))\") INDArray g();",
        "  @Layer(\"fa_dense(g, 10)\") INDArray logits();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** An optimizer written in the language: the example's agreeing reinforced backprop as an @OptimizerRule. */
  @Test
  void optimizerRule() throws IOException {
    same("../examples/optimizers/agreeing_reinforced.bpnet", "Agreeing", Compile.IMPORTS,
        "@BpNetModel(train = @Train(optimizer = \"agreeing_reinforced(lr = 0.1, floor = 0.01)\", data = \"mnist\",",
        "    batch = 64, epochs = 3))",
        "interface Agreeing {",
        "  @OptimizerRule(hyperparameters = {\"lr = 0.8\", \"beta = 0.999\", \"floor = 0.02\", \"gamma0 = 0.9995\",",
        "      \"lambda = 0.0001\"}, rule = {\"require lr > 0\", \"require gamma0 > 0\", \"require gamma0 <= 1\",",
        "      \"require lambda >= 0\", \"state previous = zeros\", \"rate = max(floor, lr * beta ^ t)\",",
        "      \"gamma = gamma0 * exp(-lambda * epoch)\", \"agree = g * previous > 0\",",
        "      \"g1 = g + bernoulli(1 - gamma ^ t) * agree * previous\", \"previous = g1\", \"update = -rate * g1\"})",
        "  void agreeing_reinforced();",
        "  @Input(784) INDArray x();",
        "  @Label(10) INDArray y();",
        "  @Layer(\"tanh(dense(x, 128))\") INDArray h();",
        "  @Dense(10) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** The example's LeNet, its image layers as @Conv2d and @MaxPool. */
  @Test
  void lenet() throws IOException {
    same("../examples/conv/lenet.bpnet", "LeNetThreePass", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.8, third = \"paper\", optimizer = \"sgd(lr = 0.05)\",",
        "    init = \"kaiming\", batch = 32, epochs = 5, seed = 7, data = \"mnist(normalize = channel)\"))",
        "interface LeNetThreePass {",
        "  @Input({1, 28, 28}) INDArray x();",
        "  @Label(10) INDArray y();",
        "  @Conv2d(value = 6, kernel = 5, padding = \"same\", activation = \"relu\") INDArray c1(INDArray x);",
        "  @MaxPool(2) INDArray p1(INDArray c1);",
        "  @Conv2d(value = 16, kernel = 5, activation = \"relu\") INDArray c2(INDArray p1);",
        "  @MaxPool(2) INDArray p2(INDArray c2);",
        "  @Layer(\"relu(dense(flatten(p2), 120))\") INDArray h();",
        "  @Dense(10) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** Every image annotation and option: strides, padding, dilation, no bias, feedback, a backward rule. */
  @Test
  void imageLayers() throws IOException {
    same("src/test/resources/equivalence/images.bpnet", "Images", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.5, third = \"exact\", dtype = \"float64\"))",
        "interface Images {",
        "  @Input({3, 12, 12}) INDArray x();",
        "  @Label(4) INDArray y();",
        "  @Conv2d(value = 4, kernel = 3, stride = 2, padding = \"same\", bias = false, feedback = Dense.Feedback.RANDOM,",
        "      activation = \"relu\", backward = Dense.Backward.STRAIGHT_THROUGH) INDArray c1(INDArray x);",
        "  @Conv2d(value = 5, kernel = 2, dilation = 2, padding = \"1\", feedback = Dense.Feedback.RANDOM_UPDATED,",
        "      activation = \"tanh\") INDArray c2(INDArray c1);",
        "  @MaxPool(value = 2, stride = 1, padding = \"same\") INDArray p1(INDArray c2);",
        "  @AvgPool(2) INDArray p2(INDArray p1);",
        "  @GlobalAvgPool INDArray g(INDArray p2);",
        "  @Flatten INDArray f(INDArray p2);",
        "  @Layer(\"dense(f, 4) + dense(g, 4, bias = no)\") INDArray logits();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** Rules marked exact, an activation and a layer, compose with the exact third pass. */
  @Test
  void exactRules() throws IOException {
    same("src/test/resources/equivalence/exact.bpnet", "Exact", Compile.IMPORTS,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.5, third = \"exact\", dtype = \"float64\"))",
        "interface Exact {",
        "  @Activation(forward = \"a = tanh(z)\", backward = \"dz = da * (1 - a * a)\", exact = true)",
        "  INDArray my_tanh(INDArray z);",
        "  @LayerRule(forward = {\"W = param(size(x, axis = 1), units)\", \"b = param(units)\", \"y = matmul(x, W) + b\"},",
        "    backward = \"dx = matmul(dy, transpose(W))\", exact = true)",
        "  INDArray my_dense(INDArray x, int units);",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Layer(\"my_tanh(my_dense(x, 5))\") INDArray h();",
        "  @Dense(3) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  private static void same(String bpnet, String type, String... lines) throws IOException {
    String dsl = FileCompiler.generate(FileCompiler.model(SourceFile.read(Path.of(bpnet)), type), "test").toString();
    Compilation c = Compile.javac(Compile.source(type, lines));
    assertThat(c).succeededWithoutWarnings();
    String annotated = c.generatedSourceFile("test." + type + "Trainer").orElseThrow().getCharContent(true).toString();
    assertEquals(withoutPositions(dsl), withoutPositions(annotated));
  }

  /**
   * The source positions at the end of the generated comments ({@code [mnist.bpnet:8:10]}) and
   * in an optimizer class's Javadoc ({@code (mnist.bpnet:3:11)}).
   */
  private static String withoutPositions(String source) {
    return source.replaceAll("    \\[[^\\]\\n]+:\\d+:\\d+\\]\\n", "\n").replaceAll("\\(\\S+:\\d+:\\d+\\)", "(...)");
  }
}
