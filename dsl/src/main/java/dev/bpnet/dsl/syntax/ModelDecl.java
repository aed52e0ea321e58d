package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One model: its declarations, the loss expression, the name of the value it predicts
 * (the loss's first argument unless given) and its training options.
 */
public record ModelDecl(String name, List<Decl> decls, Expr loss, TrainSpec train, Pos pos) {
  public ModelDecl {
    decls = List.copyOf(decls);
  }
}
