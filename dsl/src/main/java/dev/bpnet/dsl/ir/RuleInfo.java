package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;

/**
 * What a RULE node stands for: the rule's name, where it was declared, and whether its
 * backward computation is the true derivative of its forward body ({@code exact} rules) or a
 * learning rule that replaces it (linear, difference and feedback-alignment backprop).
 */
public record RuleInfo(String name, boolean trueGradient, Pos pos) {
  /** "linear_tanh (rules.bpnet:4:12), replaces the true gradient". */
  public String describe() {
    return name + " (" + pos + ")" + (trueGradient ? ", exact" : ", replaces the true gradient");
  }
}
