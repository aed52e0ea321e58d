package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;
import java.util.Map;

/**
 * An optimizer written in the language:
 * {@code optimizer name(lr = 0.01, nesterov = false) { state v = zeros; v = ...; update = ... }}.
 * The body is a per-parameter rule: it reads the parameter {@code theta}, its update direction
 * {@code g}, the update count {@code t} (1 at the first update), the {@code epoch} (from 0), the
 * hyperparameters and its own state, and assigns {@code update}; the parameter becomes
 * {@code theta + update}. Statements run in order, so a name means its latest assignment.
 */
public record OptimizerDecl(String name, List<Hyper> hypers, List<Stmt> body, Pos pos) {
  public OptimizerDecl {
    hypers = List.copyOf(hypers);
    body = List.copyOf(body);
  }

  /**
   * A hyperparameter and its default: a number, or a flag (written true or false, held as 1 or 0).
   */
  public record Hyper(String name, double dflt, boolean flag, Pos pos) {}

  /** A statement of the rule. */
  public sealed interface Stmt {
    Pos pos();
  }

  /** {@code state name = init}: per-parameter state of the parameter's shape, made once from init. */
  public record State(String name, Expr init, String text, Pos pos) implements Stmt {}

  /** {@code require cond}: a condition on the hyperparameters, checked where the optimizer is used. */
  public record Require(Expr cond, String text, Pos pos) implements Stmt {}

  /** {@code name = value}. */
  public record Assign(String name, Expr value, String text, Pos pos) implements Stmt {}

  /**
   * Where a train block names this optimizer: the call's position and those of the arguments it
   * gives (a failed require points at the argument that broke it).
   */
  public record Use(OptimizerDecl decl, Map<String, Pos> given, Pos at) {
    public Use {
      given = Map.copyOf(given);
    }
  }

  /** The hyperparameter called {@code n}, or null. */
  public Hyper hyper(String n) {
    return hypers.stream().filter(h -> h.name().equals(n)).findFirst().orElse(null);
  }
}
