package dev.bpnet.dsl.syntax;

import java.util.function.Supplier;

/**
 * Runs a compiler phase on a thread with a large stack. The parser (ANTLR) and the tree walks
 * after it recurse once per nesting level of an expression, so a file of a few thousand nested
 * parentheses would overflow a default stack before the nesting limit
 * ({@link Nesting#MAX_DEPTH}) could be checked and reported. The stack is reserved, not
 * committed: it costs memory only as deep as a compilation actually goes.
 */
public final class DeepStack {
  /** Enough for the parser to reach, and report, nesting far beyond the limit. */
  static final long STACK_BYTES = 1L << 30;

  private static final ThreadLocal<Boolean> ON_DEEP_STACK = ThreadLocal.withInitial(() -> false);

  private DeepStack() {}

  /** The result of {@code work}, computed on a large stack; its exceptions and errors are rethrown as they are. */
  public static <T> T run(Supplier<T> work) {
    if (ON_DEEP_STACK.get()) {
      return work.get();
    }
    Object[] result = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      ON_DEEP_STACK.set(true);
      try {
        result[0] = work.get();
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "bpnet-compile", STACK_BYTES);
    // the caller's class loader (javac's, in the annotation processor) must stay visible
    t.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        // the compilation is short and holds no locks the caller waits on: finish it, keep the flag
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] instanceof RuntimeException e) {
      throw e;
    }
    if (failure[0] instanceof Error e) {
      throw e;
    }
    if (failure[0] != null) {
      throw new IllegalStateException(failure[0]);
    }
    @SuppressWarnings("unchecked")
    T r = (T) result[0];
    return r;
  }
}
