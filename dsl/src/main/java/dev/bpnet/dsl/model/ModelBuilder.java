package dev.bpnet.dsl.model;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The Java builder front end: makes the same {@link ModelDecl} AST as the .bpnet parser.
 *
 * <pre>{@code
 * ModelDecl m = ModelBuilder.model("Mlp")
 *     .input("x", 784).label("y", 10)
 *     .let("h", E.relu(E.dense(E.ref("x"), 512)))
 *     .let("logits", E.dense(E.ref("h"), 10))
 *     .loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")))
 *     .train(t -> t.withPasses(3).withAlpha(0.8))
 *     .build();
 * }</pre>
 */
public final class ModelBuilder {
  private final String name;
  private final List<Decl> decls = new ArrayList<>();
  private Expr loss;
  private TrainSpec train = TrainSpec.DEFAULTS;

  private ModelBuilder(String name) {
    this.name = name;
  }

  public static ModelBuilder model(String name) {
    return new ModelBuilder(name);
  }

  public ModelBuilder input(String n, int... shape) {
    decls.add(new Decl.Input(n, box(shape), CallerPos.here()));
    return this;
  }

  public ModelBuilder label(String n, int... shape) {
    decls.add(new Decl.Label(n, box(shape), CallerPos.here()));
    return this;
  }

  public ModelBuilder let(String n, Expr value) {
    decls.add(new Decl.Let(n, value, CallerPos.here()));
    return this;
  }

  public ModelBuilder loss(Expr e) {
    this.loss = e;
    return this;
  }

  public ModelBuilder train(UnaryOperator<TrainSpec> edit) {
    this.train = edit.apply(train);
    return this;
  }

  public ModelDecl build() {
    return new ModelDecl(name, decls, loss, train, CallerPos.here());
  }

  private static List<Integer> box(int[] shape) {
    List<Integer> l = new ArrayList<>();
    for (int d : shape) {
      l.add(d);
    }
    return l;
  }
}
