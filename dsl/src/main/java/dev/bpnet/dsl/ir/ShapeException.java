package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;

/** A shape error found while building a node; the lowering turns it into diagnostic E4. */
public final class ShapeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Pos pos;
  private final String op;

  public ShapeException(Pos pos, String op, String message) {
    super(message);
    this.pos = pos;
    this.op = op;
  }

  public Pos pos() {
    return pos;
  }

  public String op() {
    return op;
  }
}
