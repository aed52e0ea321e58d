package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One model: its declarations, the loss expression and its training options. The value it
 * predicts is the declaration named {@code output}, or else found from the loss (lower.Outputs).
 * {@code optimizer} is the optimizer its train block names, with where its arguments were
 * written; null when the block names none (the default, sgd, is then used) or the model was
 * built without a train block's text (the builder API).
 */
public record ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos, OptimizerDecl.Use optimizer) {
  public ModelDecl {
    decls = List.copyOf(decls);
  }

  /** A model whose optimizer is a built-in. */
  public ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos) {
    this(name, decls, loss, train, pos, null);
  }
}
