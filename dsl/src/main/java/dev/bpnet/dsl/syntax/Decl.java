package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/** Declarations in a model body, in source order. */
public sealed interface Decl {
  String name();

  Pos pos();

  /** {@code input x: [784]} — the per-example shape; the batch dimension is implicit. */
  record Input(String name, List<Integer> shape, Pos pos) implements Decl {
    public Input {
      shape = List.copyOf(shape);
    }
  }

  /** {@code label y: [10]}. */
  record Label(String name, List<Integer> shape, Pos pos) implements Decl {
    public Label {
      shape = List.copyOf(shape);
    }
  }

  /** {@code h = relu(dense(x, 512))}. */
  record Let(String name, Expr value, Pos pos) implements Decl {}
}
