package dev.bpnet.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One test per kind of error: each model below has exactly one mistake, and the test asserts
 * the message (the DSL's code and words, with the caret under the offending part of an
 * expression string), the file and the line javac reports it on.
 */
class ErrorTest {
  private static final String I = Compile.IMPORTS; // line 2

  /** Compiles {@code test.M} and asserts one error containing {@code message} on {@code line}. */
  private static void fails(int line, String message, String... lines) {
    JavaFileObject src = Compile.source("M", lines);
    Compilation c = Compile.javac(src);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining(message).inFile(src).onLine(line);
  }

  /** A model M whose hidden layer is {@code layer} (line 7). */
  private static void failsInLayer(int line, String message, String layer) {
    fails(line, message, I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  " + layer,
        "  @Dense(3) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void optimizerRequirementBroken() {
    // at the @Train argument that breaks it, as in a .bpnet file
    fails(3, "[E55] optimizer 'my_sgd' requires lr > 0, but lr = -1", I,
        "@BpNetModel(train = @Train(optimizer = \"my_sgd(lr = -1)\"))",
        "interface M {",
        "  @OptimizerRule(hyperparameters = \"lr = 0.01\", rule = {\"require lr > 0\", \"update = -rate * g\"})",
        "  void my_sgd();",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void optimizerWithoutUpdate() {
    fails(6, "[E56] optimizer 'my_sgd' never assigns update", I,
        "@BpNetModel(train = @Train(optimizer = \"my_sgd\"))",
        "interface M {",
        "  @OptimizerRule(hyperparameters = \"lr = 0.01\", rule = \"step = -rate * g\")",
        "  void my_sgd();",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  /** A model M on images [1, 8, 8] whose image layer is {@code layer} (line 6). */
  private static void failsInImageLayer(int line, String message, String layer) {
    fails(line, message, I,
        "@BpNetModel interface M {",
        "  @Input({1, 8, 8}) INDArray x();",
        "  @Label(3) INDArray y();",
        "  " + layer,
        "  @Layer(\"dense(flatten(h), 3)\") INDArray logits();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void imageLayerOptionsAreCheckedAtTheAttribute() {
    failsInImageLayer(6, "[E7] bad value for option 'kernel': must be a positive integer, got 0", "@Conv2d(value = 4, kernel = 0) INDArray h(INDArray x);");
    failsInImageLayer(6, "[E7] bad value for option 'padding': expected same, valid or a number of pixels\n    sme\n    ^^^\n"
        + "  hint: did you mean 'same'?", "@Conv2d(value = 4, kernel = 3, padding = \"sme\") INDArray h(INDArray x);");
    failsInImageLayer(6, "[E4] shape mismatch in conv2d: the kernel [4, 1, 9, 9] of layer 'h' is larger than its input [B, 1, 8, 8]"
        + " in height", "@Conv2d(value = 4, kernel = 9) INDArray h(INDArray x);");
    failsInImageLayer(6, "[E7] bad value for option 'stride': must be a positive integer, got -1", "@MaxPool(value = 3, stride = -1) INDArray h(INDArray x);");
    // pooling a batch of vectors
    failsInLayer(6, "[E4] shape mismatch in max_pool: layer 'h' needs a batch of images [B, C, H, W], got [B, 4]", "@MaxPool(2) INDArray h(INDArray x);");
  }

  @Test
  void syntaxErrorInExpression() {
    failsInLayer(6, "[E12] syntax error: expected ',' or ')', found end of file\n    relu(dense(x, 5)\n"
        + "                    ^", "@Layer(\"relu(dense(x, 5)\") INDArray h();");
  }

  @Test
  void unexpectedCharacterInExpression() {
    failsInLayer(6, "[E13] unexpected character '#'\n    relu(dense(x, 5)) # hidden\n                      ^\n"
        + "  hint: comments start with //", "@Layer(\"relu(dense(x, 5)) # hidden\") INDArray h();");
  }

  @Test
  void unknownNameInExpression() {
    failsInLayer(6, "[E1] unknown name 'xx'\n    relu(dense(xx, 5))\n               ^^\n  hint: did you mean 'x'?",
        "@Layer(\"relu(dense(xx, 5))\") INDArray h();");
  }

  @Test
  void unknownNameAsParameter() {
    failsInLayer(6, "[E1] unknown name 'z'", "@Dense(5) INDArray h(INDArray z);");
  }

  @Test
  void unknownActivation() {
    failsInLayer(6, "[E2] unknown function 'rleu'\n    rleu\n    ^^^^\n  hint: did you mean 'relu'?",
        "@Dense(value = 5, activation = \"rleu\") INDArray h(INDArray x);");
  }

  @Test
  void wrongArgumentCount() {
    failsInLayer(6, "[E3] 'dense' expects 2", "@Layer(\"relu(dense(x))\") INDArray h();");
  }

  @Test
  void shapeMismatch() {
    fails(7, "[E4] shape mismatch", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(5) INDArray logits(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void duplicateName() {
    fails(7, "[E5] duplicate name 'h' (first declared at M.java:6:22)", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Layer(\"relu(dense(x, 3))\") INDArray h();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void secondLoss() {
    fails(8, "[E5] duplicate name 'loss' (first declared at M.java:7:43)", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "  @Loss(\"mse\") INDArray loss2(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void noLoss() {
    fails(3, "[E6] the model has no loss", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Dense(3) INDArray h(INDArray x);",
        "}");
  }

  @Test
  void badWordOption() {
    fails(3, "[E7] bad value for option 'third': expected one of paper, exact, got 'papr'\n    papr\n    ^^^^\n"
        + "  hint: did you mean 'paper'?", I,
        "@BpNetModel(train = @Train(passes = 3, alpha = 0.5, third = \"papr\")) interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void badNumberOption() {
    fails(4, "[E7] bad value for option 'passes': must be 2 or 3, got 4", I,
        "@BpNetModel(",
        "    train = @Train(passes = 4)) interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void unknownOptimizerArgument() {
    fails(3, "[E8] unknown option 'rate' for optimizer 'sgd'\n    sgd(rate = 0.1)\n        ^^^^", I,
        "@BpNetModel(train = @Train(optimizer = \"sgd(rate = 0.1)\")) interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void cycle() {
    failsInLayer(7, "[E9] 'h' (h -> logits -> h) is defined in terms of itself", "@Dense(5) INDArray h(INDArray logits);");
  }

  @Test
  void badArgument() {
    failsInLayer(6, "[E10] argument 2 of 'dense' must be", "@Dense(0) INDArray h(INDArray x);");
  }

  @Test
  void badDimension() {
    fails(4, "[E18] a shape dimension must be a positive integer, got 0", I,
        "@BpNetModel interface M {",
        "  @Input(0) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void emptyShape() {
    fails(5, "[E25] a shape needs at least one dimension, as in [4]", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label({}) INDArray y();",
        "  @Dense(1) INDArray h(INDArray x);",  // as wide as the placeholder [1]: no second error
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void stringAsValue() {
    failsInLayer(6, "[E21] a string is not a value", "@Layer(\"dense(\\\"x\\\", 5)\") INDArray h();");
  }

  @Test
  void nothingToTrain() {
    fails(7, "[E22] the loss does not depend on any parameter", I,
        "@BpNetModel interface M {",
        "  @Input(3) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Layer(\"relu(x)\") INDArray h();",
        "  @Loss(\"mse(h, y)\") INDArray loss();",
        "}");
  }

  @Test
  void lossUsedAsValue() {
    failsInLayer(6, "[E24] 'loss' is the model's loss", "@Layer(\"relu(dense(x, 5)) * loss\") INDArray h();");
  }

  @Test
  void activationWithoutInputGradient() {
    fails(6, "[E28] activation 'twice' does not define 'dz' in its backward rule", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Activation(forward = \"a = 2 * z\", backward = \"dx = 2 * da\") INDArray twice(INDArray z);",
        "  @Layer(\"twice(dense(x, 3))\") INDArray h();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void activationWithTwoArguments() {
    fails(7, "[E29] activation 'twice' takes one input, got 2 argument(s)", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Activation(forward = \"a = 2 * z\", backward = \"dz = 2 * da\") INDArray twice(INDArray z);",
        "  @Layer(\"twice\") INDArray h(INDArray x, INDArray y);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  /** A model whose hidden layer calls the layer rule declared on line 6. */
  private static void failsWithLayerRule(int line, String message, String train, String rule) {
    fails(line, message, I,
        "@BpNetModel(train = @Train(" + train + "))",
        "interface M {",
        "  @Input(4) INDArray x();",
        "  " + rule,
        "  @Label(3) INDArray y();",
        "  @Layer(\"relu(my_layer(x, 5))\") INDArray h();",
        "  @Dense(3) INDArray logits(INDArray h);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray logits, INDArray y);",
        "}");
  }

  @Test
  void layerRuleWithoutDerivativeUnderThreePasses() {
    failsWithLayerRule(6, "[E30] 'sign' has no derivative, but rule 'my_layer'",
        "passes = 3, alpha = 0.5",
        "@LayerRule(forward = {\"W = param(size(x, axis = 1), units)\", \"y = matmul(x, W)\"}, "
            + "backward = \"dx = matmul(dy, transpose(sign(W)))\") INDArray my_layer(INDArray x, int units);");
  }

  @Test
  void layerRuleThatReplacesNothing() {
    failsWithLayerRule(6, "[E34] layer 'my_layer' does not replace any gradient",
        "passes = 2",
        "@LayerRule(forward = {\"W = param(size(x, axis = 1), units)\", \"y = matmul(x, W)\"}, "
            + "backward = \"dq = dy\") INDArray my_layer(INDArray x, int units);");
  }

  @Test
  void layerRuleWithAParameterOfNoMeaning() {
    failsWithLayerRule(6, "[E46] parameter 'units' of @LayerRule must be INDArray (a tensor) or int, long or double (a number), got java.lang.String",
        "passes = 2",
        "@LayerRule(forward = {\"W = param(size(x, axis = 1), units)\", \"y = matmul(x, W)\"}, "
            + "backward = \"dx = matmul(dy, transpose(W))\") INDArray my_layer(INDArray x, String units);");
  }

  @Test
  void layerRuleWithoutParameters() {
    failsWithLayerRule(6, "[E43] @LayerRule takes at least one parameter, got 0 parameter(s)",
        "passes = 2",
        "@LayerRule(forward = \"y = 1\", backward = \"dx = dy\") INDArray my_layer();");
  }

  @Test
  void activationOfANumber() {
    fails(6, "[E46] parameter 'z' of @Activation must be INDArray, got double", I,
        "@BpNetModel interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Activation(forward = \"a = 2 * z\", backward = \"dz = 2 * da\") INDArray twice(double z);",
        "  @Layer(\"twice(dense(x, 3))\") INDArray h();",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void concreteClass() {
    fails(3, "[E40] test.M describes a model, so it must be an interface or an abstract class", I,
        "@BpNetModel class M {",
        "  @Input(4) INDArray x() { return null; }",
        "  @Label(3) INDArray y() { return null; }",
        "  @Dense(3) INDArray h(INDArray x) { return x; }",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y) { return h; }",
        "}");
  }

  @Test
  void twoAnnotationsOnOneMember() {
    failsInLayer(6, "[E41] 'h' has more than one bpnet annotation: @Layer, @Dense",
        "@Dense(5) @Layer(\"x\") INDArray h(INDArray x);");
  }

  @Test
  void expressionWithParameters() {
    failsInLayer(6, "[E42] with parameters, @Layer names the function applied to them, got an expression",
        "@Layer(\"relu(x)\") INDArray h(INDArray x);");
  }

  @Test
  void wrongParameterCount() {
    failsInLayer(6, "[E43] @Dense takes one parameter, its input, got 2 parameter(s)",
        "@Dense(5) INDArray h(INDArray x, INDArray y);");
  }

  @Test
  void badModelName() {
    fails(3, "[E7] bad value for option 'name': must be a name, as in Mnist, got \"my model\"", I,
        "@BpNetModel(name = \"my model\") interface M {",
        "  @Input(4) INDArray x();",
        "  @Label(3) INDArray y();",
        "  @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"softmax_cross_entropy\") INDArray loss(INDArray h, INDArray y);",
        "}");
  }

  @Test
  void backwardRuleWithoutActivation() {
    failsInLayer(6, "[E7] bad value for option 'backward': a backward rule needs an activation",
        "@Dense(value = 5, backward = Dense.Backward.DIFFERENCE) INDArray h(INDArray x);");
  }

  @Test
  void memberOutsideModel() {
    JavaFileObject src = Compile.source("Plain", I,
        "interface Plain {",
        "  @Layer(\"relu(x)\") INDArray h();",
        "}");
    Compilation c = Compile.javac(src);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("[E45] @Layer is only read on the methods of a @BpNetModel type, and Plain is not one")
        .inFile(src).onLine(4);
  }

  @Test
  void twoModelsWithOneName() {
    JavaFileObject a = Compile.source("A", I,
        "@BpNetModel(name = \"Same\") interface A {",
        "  @Input(4) INDArray x(); @Label(3) INDArray y(); @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"mse\") INDArray loss(INDArray h, INDArray y);",
        "}");
    JavaFileObject b = Compile.source("B", I,
        "@BpNetModel(name = \"Same\") interface B {",
        "  @Input(4) INDArray x(); @Label(3) INDArray y(); @Dense(3) INDArray h(INDArray x);",
        "  @Loss(\"mse\") INDArray loss(INDArray h, INDArray y);",
        "}");
    Compilation c = Compile.javac(a, b);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[E44] cannot write test.SameTrainer").inFile(b).onLine(3);
  }
}
