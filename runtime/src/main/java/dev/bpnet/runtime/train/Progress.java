package dev.bpnet.runtime.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The live line of one epoch (me.tongfei:progressbar): batches done, running loss, l_x, error. */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;
  private final boolean regression;

  /** A bar on the terminal if {@code live}, else nothing at all. */
  Progress(boolean live, int epoch, int epochs, int batches, boolean regression) {
    this.regression = regression;
    this.bar = live ? new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs))
        .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .continuousUpdate().build() : null;
  }

  void step(BatchScore s) {
    if (bar == null) {
      return;
    }
    bar.step();
    double lx = s.inputLoss();
    double err = s.error();
    bar.setExtraMessage(String.format(" loss %.4g%s%s", s.loss(), Double.isNaN(lx) ? "" : String.format(" l_x %.4g", lx),
        Double.isNaN(err) ? "" : regression ? String.format(" mse %.4g", err) : String.format(" acc %.2f%%", 100 * (1 - err))));
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
