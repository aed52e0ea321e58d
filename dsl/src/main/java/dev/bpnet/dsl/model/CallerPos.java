package dev.bpnet.dsl.model;

import dev.bpnet.dsl.diag.Pos;

/** Positions for builder-made models: the line of the user's code that called the builder. */
final class CallerPos {
  private CallerPos() {}

  static Pos here() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> !f.getClassName().startsWith("dev.bpnet.dsl.model."))
        .findFirst()
        .map(f -> new Pos(f.getFileName() == null ? f.getClassName() : f.getFileName(), f.getLineNumber(), 1))
        .orElse(Pos.UNKNOWN));
  }
}
