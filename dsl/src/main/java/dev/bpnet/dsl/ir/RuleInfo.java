package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * What a RULE node stands for: the rule's name, where it was declared, and whether its
 * backward computation is the true derivative of its forward body ({@code exact} rules) or a
 * learning rule that replaces it (linear, difference and feedback-alignment backprop).
 */
public record RuleInfo(String name, boolean trueGradient, Pos pos) {

  /** The cotangent of each input of a RULE node (null where none), from that of its value. */
  @FunctionalInterface
  public interface Vjp {
    List<Integer> apply(int cotangent);
  }

  /** "linear_tanh (rules.bpnet:4:12), replaces the true gradient". */
  public String describe() {
    return name + " (" + pos + ")" + (trueGradient ? ", exact" : ", replaces the true gradient");
  }
}
