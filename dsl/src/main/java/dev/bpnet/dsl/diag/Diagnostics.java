package dev.bpnet.dsl.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Collects the diagnostics of a phase; phases stop the pipeline when any were reported. */
public final class Diagnostics {
  private final List<Diagnostic> list = new ArrayList<>();

  public void error(ErrorCode code, Pos pos, Object... args) {
    list.add(new Diagnostic(code, pos, code.format(args)));
  }

  /** An error about an unknown {@code name}, with the closest of {@code known} as a hint. */
  public void unknown(ErrorCode code, Pos pos, String name, Collection<String> known, Object... args) {
    String best = Suggest.closest(name, known);
    list.add(new Diagnostic(code, pos, code.format(args), best == null ? null : "did you mean '" + best + "'?"));
  }

  public void add(Diagnostic d) {
    list.add(d);
  }

  public boolean hasErrors() {
    return !list.isEmpty();
  }

  public List<Diagnostic> all() {
    return List.copyOf(list);
  }

  /** Throws {@link CompileException} with everything collected so far, if anything was. */
  public void stopIfErrors() {
    if (hasErrors()) {
      throw new CompileException(all());
    }
  }
}
