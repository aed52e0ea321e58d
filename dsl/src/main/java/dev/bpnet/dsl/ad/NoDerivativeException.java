package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Node;

/** Thrown by the VJP table for a node whose op has no derivative; {@link Passes} reports it. */
final class NoDerivativeException extends RuntimeException {
  private final transient Node node;

  NoDerivativeException(Node node) {
    super("no derivative for " + node.op());
    this.node = node;
  }

  Node node() {
    return node;
  }
}
