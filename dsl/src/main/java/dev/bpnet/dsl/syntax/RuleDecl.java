package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Pos;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A rule with a hand-written backward computation:
 * {@code activation [exact] name(z) -> a { forward...  backward(da) { dz = ... } }} or
 * {@code layer [exact] name(x, units) -> y { W = param(...) ... backward(dy) { dx = ... } }}.
 * The forward statements define {@code result}; the backward ones define {@code d<name>} for
 * the inputs and parameters whose gradient the rule replaces (an activation: its input).
 * Everything else keeps its true gradient. A rule is a learning rule that replaces the true
 * gradient unless it is marked {@code exact}.
 */
public record RuleDecl(Kind kind, boolean exact, String name, List<String> params, String result,
    List<Decl.Let> forward, String grad, List<Decl.Let> backward, Pos pos) {
  public enum Kind { ACTIVATION, LAYER }

  public RuleDecl {
    params = List.copyOf(params);
    forward = List.copyOf(forward);
    backward = List.copyOf(backward);
  }

  /** An activation rule (the form the builder API and older callers make). */
  public RuleDecl(String name, String input, String result, List<Decl.Let> forward, String grad,
      List<Decl.Let> backward, Pos pos) {
    this(Kind.ACTIVATION, false, name, List.of(input), result, forward, grad, backward, pos);
  }

  /** An activation's one input. */
  public String input() {
    return params.get(0);
  }

  /** The name the backward statements of an activation must assign: d + input ("dz"). */
  public String inputGradient() {
    return "d" + input();
  }

  /**
   * The inputs and param(...) values whose gradient the backward body assigns ("dx = ..."
   * overrides x); other names starting with d are the body's own temporaries.
   */
  public Set<String> overridden() {
    Set<String> defined = new LinkedHashSet<>(params);
    forward.stream().filter(l -> l.value() instanceof Expr.Call c && c.fn().equals("param"))
        .forEach(l -> defined.add(l.name()));
    Set<String> out = new LinkedHashSet<>();
    for (Decl.Let l : backward) {
      String n = l.name();
      if (n.length() > 1 && n.startsWith("d") && defined.contains(n.substring(1))) {
        out.add(n.substring(1));
      }
    }
    return out;
  }

  public String kindWord() {
    return kind == Kind.ACTIVATION ? "activation" : "layer";
  }
}
