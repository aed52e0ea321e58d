package dev.bpnet.runtime.data;

/**
 * A data file or data set that cannot be used: malformed, truncated, inconsistent or unreadable.
 *
 * <p>Unchecked because there is nothing a training loop can do about bad data except stop and
 * say why; the message always names the source (file or resource) and what is wrong with it, so
 * that it is useful without a stack trace.
 */
public class DataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A problem described fully by its message. */
  public DataException(String message) {
    super(message);
  }

  /** A problem caused by a lower-level failure (an I/O or decompression error). */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
