package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * What a VJP rule may use: the graph being extended, its operations, and the autodiff
 * transform's handling of learning rules and of primitives without a derivative.
 */
public interface Differentiation {
  Ops ops();

  /** The cotangents of a RULE node's inputs: the rule's backward body, or its true derivative. */
  List<Integer> rule(Node n, int ct);

  /** The error for a primitive that has no derivative, naming the node (and its rule, if any). */
  RuntimeException noDerivative(Node n);
}
