package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.TestData;
import dev.bpnet.dsl.TrainerBatch;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every primitive's VJP, and the VJP of that VJP, against finite differences: each case puts
 * one primitive between two dense layers, z = dense(x, 4), u = f(z), out = dense(u, 2), and
 * checks g2 and the exact g3 like {@link GradientCheckTest}.
 */
class PrimitiveGradientTest {

  static Stream<Arguments> primitives() {
    Expr z = E.ref("z");
    Map<String, Function<Expr, Expr>> cases = new java.util.LinkedHashMap<>();
    cases.put("exp", e -> E.call("exp", E.bin("*", E.num(0.5), e)));
    cases.put("log", e -> E.call("log", E.bin("+", E.call("exp", e), E.num(1))));
    cases.put("sqrt", e -> E.call("sqrt", E.bin("+", E.call("exp", e), E.num(1))));
    cases.put("pow-scalar", e -> E.bin("^", E.bin("+", E.call("sigmoid", e), E.num(0.5)), E.num(3)));
    cases.put("pow-tensor", e -> E.call("pow", E.call("exp", E.bin("*", E.num(0.3), e)), E.call("sigmoid", e)));
    cases.put("pow-base-scalar", e -> E.bin("^", E.num(2), E.call("tanh", e)));
    cases.put("div", e -> E.bin("/", e, E.bin("+", E.num(1), E.call("exp", e))));
    cases.put("scalar-div", e -> E.bin("/", E.num(1), E.bin("+", E.num(2), E.call("sigmoid", e))));
    cases.put("neg-sub", e -> E.bin("-", E.num(1), E.call("neg", E.call("tanh", e))));
    cases.put("softmax", e -> E.call("softmax", e));
    cases.put("log_softmax", e -> E.call("log_softmax", e));
    cases.put("clamp", e -> E.call("clamp", e, E.num(-0.5), E.num(0.5)));
    cases.put("where", e -> E.call("where", E.bin(">", e, E.num(0)), E.bin("*", e, e), E.call("neg", e)));
    cases.put("compare-mask", e -> E.bin("*", E.bin("<=", e, E.num(0.2)), E.call("sigmoid", e)));
    cases.put("mean-keepdims", e -> E.bin("-", e, E.callWith("mean", List.of(e), "axis", 1, "keepdims", 1)));
    cases.put("sum-broadcast", e -> E.bin("*", E.call("tanh", e), E.callWith("sum", List.of(E.call("sigmoid", e)), "axis", 1, "keepdims", 1)));
    cases.put("transpose", e -> E.call("reshape", E.bin("*", E.call("transpose", E.call("reshape", E.call("tanh", e), E.num(2), E.num(2))),
        E.call("sigmoid", E.call("reshape", e, E.num(2), E.num(2)))), E.num(4)));
    cases.put("reshape", e -> E.call("reshape", E.bin("*", E.call("reshape", E.call("tanh", e), E.num(2), E.num(2)), E.num(1.5)), E.num(4)));
    cases.put("sigmoid_bp", e -> E.call("sigmoid_bp", e, E.call("tanh", e)));
    cases.put("tanh_bp", e -> E.call("tanh_bp", e, E.call("sigmoid", e)));
    cases.put("relu_bp", e -> E.call("relu_bp", e, E.call("tanh", e)));
    cases.put("leaky_relu_bp", e -> E.call("leaky_relu_bp", e, E.call("exp", e), E.num(0.2)));
    cases.put("size-scale", e -> E.bin("/", E.call("tanh", e), E.callWith("size", List.of(e), "axis", 1)));
    cases.put("bias_add-param", e -> E.call("bias_add", E.call("tanh", e), E.call("param", E.num(4))));
    cases.put("sigmoid-square", e -> E.bin("*", E.call("sigmoid", e), E.call("sigmoid", e)));
    return cases.entrySet().stream().map(en -> Arguments.of(en.getKey(), en.getValue().apply(z)));
  }

  /** A case: the primitive's expression between two dense layers. */
  private static ModelDecl model(Expr body) {
    return ModelBuilder.model("Prim").input("x", 3).label("y", 2)
        .let("z", E.dense(E.ref("x"), 4))
        .let("u", body)
        .let("out", E.dense(E.ref("u"), 2))
        .loss(E.call("mse", E.ref("out"), E.ref("y")))
        .train(t -> t.withPasses(3).withAlpha(0.5).withThird("exact").withInit("xavier"))
        .build();
  }

  /** Every case's trainer, compiled in one javac task when the first case asks ({@link TrainerBatch}). */
  private static final class Compiled {
    static final TrainerBatch<String> ALL;

    static {
      Map<String, Function<String, com.palantir.javapoet.JavaFile>> sources = new java.util.LinkedHashMap<>();
      primitives().forEach(a -> sources.put((String) a.get()[0],
          pkg -> dev.bpnet.dsl.compile.BpNetCompiler.generate(model((Expr) a.get()[1]), pkg)));
      ALL = TrainerBatch.compile(sources);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("primitives")
  void vjpAndItsVjpMatchFiniteDifferences(String name, Expr body) {
    Trainer tr = Compiled.ALL.trainer(name, DataType.DOUBLE, 3, () -> GradientCheckTest.instantiate(model(body)));
    Random r = new Random(name.hashCode());
    TestData.perturb(tr, r, 0.5);
    Map<String, INDArray> feeds = Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 4, 3),
        "y", TestData.gaussian(r, DataType.DOUBLE, 4, 2));
    Gradients g = tr.gradients(feeds);
    double e2 = GradientCheckTest.maxError(tr, g.pass2(), f -> tr.gradients(feeds).loss());
    double e3 = GradientCheckTest.maxError(tr, g.pass3(), f -> tr.gradients(feeds).inputLoss());
    double ex = GradientCheckTest.inputLossError(tr, feeds, g.inputLoss());
    System.out.printf("primitive %-16s g2 %.2e, exact g3 %.2e, l_x %.2e%n", name, e2, e3, ex);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 " + e2);
    assertTrue(e3 < GradientCheckTest.TOL, "exact g3 " + e3);
    assertTrue(ex < GradientCheckTest.TOL, "l_x " + ex);
  }

  /**
   * stop_gradient is deliberately not the true gradient, so finite differences of the model
   * cannot check it. Instead: u = stop_gradient(tanh(z)) * sigmoid(z) must have the gradients
   * of u = c * sigmoid(z) with c an input holding tanh(z)'s values, in both passes.
   */
  @org.junit.jupiter.api.Test
  void stopGradientActsLikeAConstantInput() {
    Function<Boolean, ModelDecl> model = stopped -> {
      ModelBuilder b = ModelBuilder.model("Stop").input("x", 3);
      if (!stopped) {
        b.input("c", 4);
      }
      Expr c = stopped ? E.call("stop_gradient", E.call("tanh", E.ref("z"))) : E.ref("c");
      return b.label("y", 2).let("z", E.dense(E.ref("x"), 4))
          .let("u", E.bin("*", c, E.call("sigmoid", E.ref("z"))))
          .let("out", E.dense(E.ref("u"), 2))
          .loss(E.call("mse", E.ref("out"), E.ref("y")))
          .train(t -> t.withPasses(3).withAlpha(0.5).withThird("exact")).build();
    };
    Trainer a = GradientCheckTest.instantiate(model.apply(true));
    Trainer c = GradientCheckTest.instantiate(model.apply(false));
    Random r = new Random(3);
    for (String k : a.parameters().keySet()) {
      INDArray p = a.parameters().get(k);
      p.addi(TestData.gaussian(r, DataType.DOUBLE, 1, (int) p.length()).reshape(p.shape()).muli(0.5));
      c.parameters().get(k).assign(p);
    }
    INDArray x = TestData.gaussian(r, DataType.DOUBLE, 4, 3);
    INDArray y = TestData.gaussian(r, DataType.DOUBLE, 4, 2);
    INDArray z = x.mmul(a.parameters().get("z.W")).addRowVector(a.parameters().get("z.b"));
    INDArray tanhZ = org.nd4j.linalg.ops.transforms.Transforms.tanh(z, true);
    Gradients ga = a.gradients(Map.of("x", x, "y", y));
    Gradients gc = c.gradients(Map.of("x", x, "c", tanhZ, "y", y));
    // the input loss sums over every input; c's own term is not part of a's l_x
    for (String k : a.parameters().keySet()) {
      assertTrue(ga.pass2().get(k).equalsWithEps(gc.pass2().get(k), 1e-12), "g2 of " + k);
    }
    org.junit.jupiter.api.Assertions.assertEquals(gc.loss(), ga.loss(), 1e-12);
  }
}
