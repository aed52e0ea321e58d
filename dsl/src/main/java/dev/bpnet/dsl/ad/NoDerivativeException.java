package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Node;

/** A primitive without a derivative on a differentiated path; {@link Passes} reports it as E30. */
final class NoDerivativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Node node;

  NoDerivativeException(Node node) {
    super("no derivative for " + node.op().name());
    this.node = node;
  }

  Node node() {
    return node;
  }
}
