package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One model: its declarations, the loss expression and its training options. The value it
 * predicts is the declaration named {@code output}, or else found from the loss (lower.Outputs).
 * {@code optimizer} is the optimizer its train block names, with where, when that is one written
 * in the language; null for a built-in.
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
