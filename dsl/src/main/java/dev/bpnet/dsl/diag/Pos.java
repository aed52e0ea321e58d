package dev.bpnet.dsl.diag;

/** A source position: file, 1-based line and column. Builder-made nodes use the caller's. */
public record Pos(String file, int line, int col) {
  public static final Pos UNKNOWN = new Pos("<unknown>", 0, 0);

  @Override
  public String toString() {
    return file + ":" + line + ":" + col;
  }
}
