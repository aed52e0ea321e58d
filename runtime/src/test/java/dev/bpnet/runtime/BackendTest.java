package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The thread count set at run time is the one OpenMP and BLAS report back. */
class BackendTest {
  @Test
  void threadsAreSetAndReadBack() {
    int before = Backend.threads();
    try {
      Backend.setThreads(2);
      assertEquals(2, Backend.threads());
      Backend.setThreads(1);
      assertEquals(1, Backend.threads());
    } finally {
      Backend.setThreads(before);
    }
    assertThrows(IllegalArgumentException.class, () -> Backend.setThreads(0));
  }
}
