package dev.bpnet.dsl.ad;

/**
 * Which generated method computes a node, derived from what needs it: FORWARD what
 * {@code predict} needs (inputs only), LOSS what the loss adds (labels), BACKWARD what pass 2's
 * gradients add, THIRD what only pass 3 needs. So a value is computed once, in the first pass
 * that needs it, whatever the order the compiler made it in.
 */
public enum Phase {
  FORWARD, LOSS, BACKWARD, THIRD
}
