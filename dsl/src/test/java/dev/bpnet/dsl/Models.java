package dev.bpnet.dsl;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Models shared by the tests, built with the Java builder API. */
public final class Models {
  private Models() {}

  /** An MLP with hidden layers of the given widths, an activation, and a loss. */
  public static ModelDecl mlp(String name, int in, int[] hidden, int out, String activation,
      String loss, UnaryOperator<TrainSpec> train) {
    ModelBuilder b = ModelBuilder.model(name).input("x", in).label("y", out);
    Expr h = E.ref("x");
    for (int i = 0; i < hidden.length; i++) {
      Expr z = E.dense(h, hidden[i]);
      Expr a = activation.equals("leaky_relu") ? E.leakyRelu(z, 0.1) : E.call(activation, z);
      b.let("h" + (i + 1), a);
      h = E.ref("h" + (i + 1));
    }
    b.let("out", E.dense(h, out));
    b.loss(E.call(loss, E.ref("out"), E.ref("y")));
    return b.train(train).build();
  }

  public static ModelDecl mnist(double alpha, String third) {
    return mlp("MnistMlp", 784, new int[] {512}, 10, "relu", "softmax_cross_entropy",
        t -> t.withPasses(alpha == 1.0 ? 2 : 3).withAlpha(alpha).withThird(third)
            .withOptimizer("sgd", Map.of("lr", 0.1)).withInit("kaiming").withBatch(128).withSeed(7));
  }
}
