package dev.bpnet.dsl.ir;

/**
 * Which generated method computes a node. FORWARD needs only inputs; LOSS also needs labels;
 * BACKWARD is pass 2 and THIRD pass 3. CSE returns an earlier node, so a value needed by a
 * later pass that an earlier pass already computes is computed once, in the earlier pass.
 */
public enum Phase {
  FORWARD, LOSS, BACKWARD, THIRD
}
