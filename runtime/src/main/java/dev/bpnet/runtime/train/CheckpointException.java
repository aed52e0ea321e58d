package dev.bpnet.runtime.train;

/**
 * A checkpoint that cannot be used: missing, damaged, or written by another model or with other
 * settings. The message says which file and what is wrong; nothing is changed on disk.
 */
public final class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
