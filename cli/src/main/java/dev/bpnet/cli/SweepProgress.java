package dev.bpnet.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress of a whole sweep: runs done of those to run, runs running, the time since the
 * sweep started and an estimate of the time left (the runs left at the rate runs have finished so
 * far, which counts the --jobs running at once). Each finished run is a line that starts with
 * this status. On a terminal, {@code live}, the status is also a line of its own, redrawn every
 * second below the finished runs; elsewhere (a file, a pipe) only plain lines are printed: one
 * per finished run, and one with the status when a minute has passed without any.
 */
final class SweepProgress implements AutoCloseable {
  static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final PrintWriter out;
  private final int total;
  private final boolean live;
  private final LongSupplier clock;
  private final long start;
  private final ScheduledExecutorService ticker;
  private int done;
  private int running;
  private long lastLine;
  private boolean drawn;

  SweepProgress(PrintWriter out, int total, boolean live, LongSupplier clock) {
    this.out = out;
    this.total = total;
    this.live = live;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastLine = start;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sweep-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  synchronized void started() {
    running++;
    redraw();
  }

  /** A run ended: its line, after the status it leaves the sweep in. */
  synchronized void finished(String message) {
    running--;
    done++;
    clear();
    out.println("[" + status() + "] " + message);
    lastLine = clock.getAsLong();
    redraw();
  }

  /** {@code 3/20 done, 2 running, 1 min 05 s, about 5 min 40 s left}. */
  synchronized String status() {
    double elapsed = (clock.getAsLong() - start) / 1e9;
    return String.format(Locale.ROOT, "%d/%d done, %d running, %s, %s", done, total, running, duration(elapsed),
        done == 0 ? "time left unknown" : "about " + duration(left(elapsed, done, total)) + " left");
  }

  /** Seconds left: the runs left at the rate of those done. */
  static double left(double elapsed, int done, int total) {
    return elapsed / done * (total - done);
  }

  /** {@code 45 s}, {@code 3 min 05 s}, {@code 2 h 07 min}. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
  }

  private synchronized void tick() {
    if (live) {
      redraw();
    } else if (clock.getAsLong() - lastLine >= QUIET_NANOS) {
      out.println("[" + status() + "]");
      out.flush();
      lastLine = clock.getAsLong();
    }
  }

  private void redraw() {
    if (live) {
      out.print("\r" + status() + "\033[K");
      drawn = true;
    }
    out.flush();
  }

  private void clear() {
    if (drawn) {
      out.print("\r\033[K");
      drawn = false;
    }
  }

  @Override
  public synchronized void close() {
    ticker.shutdownNow();
    clear();
    out.flush();
  }
}
