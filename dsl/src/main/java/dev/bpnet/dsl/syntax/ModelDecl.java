package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import java.util.List;
import java.util.Map;

/**
 * One model: its declarations, the loss expression and its training options. The value it
 * predicts is the declaration named {@code output}, or else found from the loss (lower.Outputs).
 * {@code optimizer} is the optimizer its train block names, with where its arguments were
 * written; null when the block names none (the default, sgd, is then used) or the model was
 * built without a train block's text (the builder API). {@code written} says where each train
 * option was written, for checks that need the whole model (empty without a train block's text).
 */
public record ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos, OptimizerDecl.Use optimizer,
    Map<String, Pos> written) {
  public ModelDecl {
    decls = List.copyOf(decls);
    written = Map.copyOf(written);
  }

  /** A model whose optimizer is a built-in. */
  public ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos) {
    this(name, decls, loss, train, pos, null, Map.of());
  }
}
