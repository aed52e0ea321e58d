package dev.bpnet.dsl.diag;

/**
 * One error or warning: a stable code (which carries the severity), where, what, and an
 * optional hint ("did you mean 'relu'?"). {@link #render()} is the one-line form
 * {@code error(E4): model.bpnet:3:14: message} or {@code warning(W2): ...}.
 */
public record Diagnostic(ErrorCode code, Pos pos, String message, String hint) {
  public Diagnostic(ErrorCode code, Pos pos, String message) {
    this(code, pos, message, null);
  }

  public Severity severity() {
    return code.severity();
  }

  public boolean isError() {
    return code.severity() == Severity.ERROR;
  }

  /** How the diagnostic starts: {@code error(E4)}, {@code warning(W1)}. */
  public String label() {
    return code.severity().word() + "(" + code.code() + ")";
  }

  public String render() {
    return label() + ": " + pos + ": " + message + (hint == null ? "" : "; " + hint);
  }
}
