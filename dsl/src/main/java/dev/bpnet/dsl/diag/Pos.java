package dev.bpnet.dsl.diag;

/**
 * A source span: file, 1-based line and column of its start, and its length in characters
 * (the caret under it in diagnostics). Builder-made nodes use the caller's line.
 */
public record Pos(String file, int line, int col, int length) {
  public static final Pos UNKNOWN = new Pos("<unknown>", 0, 0, 0);

  public Pos(String file, int line, int col) {
    this(file, line, col, 1);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + col;
  }
}
