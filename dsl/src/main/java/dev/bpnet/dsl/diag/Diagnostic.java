package dev.bpnet.dsl.diag;

/**
 * One error: a stable code, where, what, and an optional hint ("did you mean 'relu'?").
 * {@link #render()} is the one-line form {@code error(E4): model.bpnet:3:14: message}.
 */
public record Diagnostic(ErrorCode code, Pos pos, String message, String hint) {
  public Diagnostic(ErrorCode code, Pos pos, String message) {
    this(code, pos, message, null);
  }

  public String render() {
    return "error(" + code.name() + "): " + pos + ": " + message + (hint == null ? "" : "; " + hint);
  }
}
