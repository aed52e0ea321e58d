package dev.bpnet.dsl.diag;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a phase reported errors; carries all of them, with the warnings reported
 * alongside, in report order.
 */
public final class CompileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient List<Diagnostic> diagnostics;

  public CompileException(List<Diagnostic> diagnostics) {
    super(diagnostics.stream().map(Diagnostic::render).collect(Collectors.joining("\n")));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
