package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The sweep's progress: runs done, running, elapsed and the time left at the rate runs have
 * finished; plain lines off a terminal, a line redrawn in place on one.
 */
class SweepProgressTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  @Test
  void statusCountsRunsAndEstimatesTheTimeLeftFromTheRunsDone() {
    AtomicLong now = new AtomicLong(1000 * S);
    StringWriter w = new StringWriter();
    try (SweepProgress p = new SweepProgress(new PrintWriter(w), 10, false, now::get)) {
      p.started();
      p.started();
      assertEquals("0/10 done, 2 running, 0 s, time left unknown", p.status());
      now.addAndGet(30 * S);
      p.finished("runs/seed=1: epoch 3/3");
      // one run in 30 s, 9 left: 270 s at that rate
      assertEquals("1/10 done, 1 running, 30 s, about 4 min 30 s left", p.status());
      now.addAndGet(30 * S);
      p.finished("runs/seed=2: epoch 3/3");
      assertEquals("2/10 done, 0 running, 1 min 00 s, about 4 min 00 s left", p.status());
    }
    String out = w.toString();
    assertTrue(out.startsWith("[1/10 done, 1 running, 30 s, about 4 min 30 s left] runs/seed=1: epoch 3/3\n"), out);
    assertTrue(out.contains("[2/10 done, 0 running, 1 min 00 s, about 4 min 00 s left] runs/seed=2: epoch 3/3\n"), out);
    assertFalse(out.contains("\r") || out.contains("\033"), "no terminal control off a terminal: " + out);
  }

  @Test
  void onATerminalTheStatusIsRedrawnInPlaceAndFinishedRunsPrintAboveIt() {
    AtomicLong now = new AtomicLong(0);
    StringWriter w = new StringWriter();
    try (SweepProgress p = new SweepProgress(new PrintWriter(w), 2, true, now::get)) {
      p.started();
      now.addAndGet(5 * S);
      p.finished("runs/seed=1");
    }
    String out = w.toString();
    assertTrue(out.startsWith("\r0/2 done, 1 running, 0 s, time left unknown\033[K"), out);
    assertTrue(out.contains("\r\033[K[1/2 done, 0 running, 5 s, about 5 s left] runs/seed=1\n"
        + "\r1/2 done, 0 running, 5 s, about 5 s left\033[K"), "the status cleared, the run's line, the status again: " + out);
    assertTrue(out.endsWith("\r\033[K"), "closing clears the status: " + out);
  }

  @Test
  void durationsReadAsSecondsMinutesOrHours() {
    assertEquals("45 s", SweepProgress.duration(44.6));
    assertEquals("3 min 05 s", SweepProgress.duration(185));
    assertEquals("2 h 07 min", SweepProgress.duration(2 * 3600 + 7 * 60 + 30));
    assertEquals(90.0, SweepProgress.left(30, 1, 4));
  }
}
