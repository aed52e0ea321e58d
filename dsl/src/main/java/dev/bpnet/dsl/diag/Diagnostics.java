package dev.bpnet.dsl.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects the diagnostics of a phase, errors and warnings, in report order. Errors stop the
 * pipeline at the end of the phase ({@link #stopIfErrors}); warnings never do.
 *
 * <p>Most phases hand their warnings on in their result (the parser's train-option
 * diagnostics, for one). The lowering cannot: it makes its own {@code Diagnostics} and returns
 * a {@code Program}, which has no place for them. So a {@code Diagnostics} made inside
 * {@link #collectWarnings} also gives its warnings to that call, which returns them with the
 * phase's result (as the ANTLR 3 tool's ErrorManager kept a listener per thread).
 */
public final class Diagnostics {
  /** The warnings of the innermost {@link #collectWarnings} running on this thread, if any. */
  private static final ThreadLocal<List<Diagnostic>> COLLECTING = new ThreadLocal<>();

  private final List<Diagnostic> list = new ArrayList<>();
  /** Where warnings also go: the collecting call this instance was made in, or null. */
  private final List<Diagnostic> collector = COLLECTING.get();

  /** A phase's result and the warnings reported while it ran. */
  public record Collected<T>(T value, List<Diagnostic> warnings) {
    public Collected {
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Runs {@code phase} and returns its result with the warnings of every {@code Diagnostics}
   * made while it ran. Meant for a phase whose diagnostics are private to it (the lowering);
   * one that returns its warnings itself would have them twice. When the phase stops with a
   * {@link CompileException}, the warnings are added to it.
   */
  public static <T> Collected<T> collectWarnings(Supplier<T> phase) {
    List<Diagnostic> outer = COLLECTING.get();
    List<Diagnostic> warnings = new ArrayList<>();
    COLLECTING.set(warnings);
    try {
      return new Collected<>(phase.get(), warnings);
    } catch (CompileException e) {
      List<Diagnostic> all = new ArrayList<>(e.diagnostics());
      warnings.stream().filter(w -> !e.diagnostics().contains(w)).forEach(all::add);
      throw new CompileException(all);
    } finally {
      if (outer == null) {
        COLLECTING.remove();
      } else {
        COLLECTING.set(outer);
      }
    }
  }

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
    if (collector != null && !d.isError()) {
      collector.add(d);
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
