package dev.bpnet.dsl.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Collects the diagnostics of a phase, errors and warnings, in report order. Errors stop the
 * pipeline at the end of the phase ({@link #stopIfErrors}); warnings never do: each phase hands
 * them on with its result (the parser's train-option diagnostics, the lowered
 * {@code Program}'s warnings).
 */
public final class Diagnostics {
  private final List<Diagnostic> list = new ArrayList<>();

  /** Reports an error; {@code code} must be one. */
  public void error(ErrorCode code, Pos pos, Object... args) {
    add(new Diagnostic(expect(code, Severity.ERROR), pos, code.format(args)));
  }

  /** Reports a warning, with a hint (or null) on what to do about it; {@code code} must be one. */
  public void warning(ErrorCode code, Pos pos, String hint, Object... args) {
    add(new Diagnostic(expect(code, Severity.WARNING), pos, code.format(args), hint));
  }

  /** An error about an unknown {@code name}, with the closest of {@code known} as a hint. */
  public void unknown(ErrorCode code, Pos pos, String name, Collection<String> known, Object... args) {
    String best = Suggest.closest(name, known);
    add(new Diagnostic(expect(code, Severity.ERROR), pos, code.format(args), best == null ? null : "did you mean '" + best + "'?"));
  }

  public void add(Diagnostic d) {
    list.add(d);
  }

  /** How many diagnostics were reported so far: a mark for {@link #rewrite}. */
  public int size() {
    return list.size();
  }

  /** Replaces each diagnostic reported since {@code mark} (a {@link #size()}) by {@code f} of it. */
  public void rewrite(int mark, java.util.function.UnaryOperator<Diagnostic> f) {
    for (int i = mark; i < list.size(); i++) {
      list.set(i, f.apply(list.get(i)));
    }
  }

  public boolean hasErrors() {
    return list.stream().anyMatch(Diagnostic::isError);
  }

  /** Everything reported, errors and warnings, in report order. */
  public List<Diagnostic> all() {
    return List.copyOf(list);
  }

  public List<Diagnostic> errors() {
    return list.stream().filter(Diagnostic::isError).toList();
  }

  public List<Diagnostic> warnings() {
    return list.stream().filter(d -> !d.isError()).toList();
  }

  /** Throws {@link CompileException} with everything collected so far, warnings too, if there are errors. */
  public void stopIfErrors() {
    if (hasErrors()) {
      throw new CompileException(all());
    }
  }

  private static ErrorCode expect(ErrorCode code, Severity severity) {
    if (code.severity() != severity) {
      throw new IllegalArgumentException(code.code() + " is a " + code.severity().word() + ", not a " + severity.word());
    }
    return code;
  }
}
