package dev.bpnet.runtime.train;

import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * metrics.csv: a header, then one row per epoch, appended as epochs end (runs of thousands of
 * tiny epochs stay linear). Figures not measured are empty cells. The test column holds a figure
 * only in the rows of the epochs whose parameters were scored on the test set: every row with
 * test_every_epoch, else the kept epoch's row, filled in once as the run ends.
 */
final class MetricsCsv {
  private final Path file;
  private final String testColumn;

  MetricsCsv(Path file, boolean regression) {
    this.file = file;
    this.testColumn = regression ? "test_mse" : "test_accuracy";
  }

  String header() {
    return "epoch,train_loss,train_input_loss,train_error,val_loss,val_input_loss,val_error," + testColumn + ",seconds";
  }

  /**
   * A fresh file with the header (at epoch 0), or, when resuming after {@code epochs}, the file
   * cut back to the rows of those epochs: rows a killed run wrote after its last checkpoint go.
   * With {@code clearTest}, test figures an earlier end of the run wrote go too.
   */
  void start(int epochs, boolean clearTest) {
    rewrite(epochs, clearTest ? -1 : 0, Double.NaN);
  }

  /** Writes {@code figure} into the test cell of epoch {@code epoch}'s row. */
  void setTest(int epoch, double figure) {
    rewrite(Integer.MAX_VALUE, epoch, figure);
  }

  /**
   * The file's rows up to epoch {@code upTo} (none at 0); the test cell of epoch {@code testAt}
   * set to {@code figure}, or with {@code testAt} -1 every test cell emptied.
   */
  private void rewrite(int upTo, int testAt, double figure) {
    try {
      List<String> keep = new ArrayList<>();
      keep.add(header());
      if (upTo > 0 && Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int comma = line.indexOf(',');
          if (comma > 0 && line.substring(0, comma).chars().allMatch(Character::isDigit)
              && Integer.parseInt(line.substring(0, comma)) <= upTo) {
            int epoch = Integer.parseInt(line.substring(0, comma));
            keep.add(testAt == -1 ? withTest(line, "") : epoch == testAt ? withTest(line, cell(figure)) : line);
          }
        }
      }
      byte[] text = (String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(file, out -> out.write(text));
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /** The row with its test cell, the second to last, replaced. */
  private static String withTest(String row, String cell) {
    String[] cells = row.split(",", -1);
    cells[cells.length - 2] = cell;
    return String.join(",", cells);
  }

  void append(EpochMetrics m) {
    String row = String.join(",", Integer.toString(m.epoch()), cell(m.trainLoss()), cell(m.trainInputLoss()),
        cell(m.trainError()), cell(m.valLoss()), cell(m.valInputLoss()), cell(m.valError()), cell(m.test()),
        String.format(Locale.ROOT, "%.2f", m.seconds())) + "\n";
    try {
      Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new DataException(file + ": cannot write: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
  }

  /** Six significant digits: regression losses fall far below 1e-4. */
  private static String cell(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }
}
