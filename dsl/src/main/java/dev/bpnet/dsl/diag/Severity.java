package dev.bpnet.dsl.diag;

/**
 * How bad a diagnostic is. Errors stop the pipeline after their phase; warnings are reported
 * and compilation goes on (exit code 0 when there are no errors).
 */
public enum Severity {
  ERROR("error"),
  WARNING("warning");

  private final String word;

  Severity(String word) {
    this.word = word;
  }

  /** The word diagnostics start with: {@code error(E4)}, {@code warning(W1)}. */
  public String word() {
    return word;
  }
}
