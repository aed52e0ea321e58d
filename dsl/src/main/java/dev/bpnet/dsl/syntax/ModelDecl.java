package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One model: its declarations, the loss expression and its training options. The value it
 * predicts is the declaration named {@code output}, or else found from the loss (lower.Outputs).
 */
public record ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos) {
  public ModelDecl {
    decls = List.copyOf(decls);
  }
}
