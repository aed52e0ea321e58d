package dev.bpnet.dsl.diag;

/** One error, rendered as {@code error(E4): model.bpnet:3:14: message}. */
public record Diagnostic(ErrorCode code, Pos pos, String message) {
  public String render() {
    return "error(" + code.name() + "): " + pos + ": " + message;
  }
}
