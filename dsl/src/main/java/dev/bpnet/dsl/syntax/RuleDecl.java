package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * A user activation with its own backward rule:
 * {@code activation name(input) -> result { forward...  backward(grad) { backward... } }}.
 * The forward statements define {@code result}; the backward ones define {@code d<input>}
 * from {@code grad}, the cotangent of the result. It replaces the true derivative, so it is
 * not a true gradient unless it happens to compute one.
 */
public record RuleDecl(String name, String input, String result, List<Decl.Let> forward,
    String grad, List<Decl.Let> backward, Pos pos) {
  public RuleDecl {
    forward = List.copyOf(forward);
    backward = List.copyOf(backward);
  }

  /** The name the backward statements must assign: d + input ("dz"). */
  public String inputGradient() {
    return "d" + input;
  }
}
