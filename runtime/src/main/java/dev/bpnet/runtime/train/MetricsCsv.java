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
 * tiny epochs stay linear). Figures not measured are empty cells.
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
   */
  void start(int epochs) {
    try {
      List<String> keep = new ArrayList<>();
      keep.add(header());
      if (epochs > 0 && Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int comma = line.indexOf(',');
          if (comma > 0 && line.substring(0, comma).chars().allMatch(Character::isDigit)
              && Integer.parseInt(line.substring(0, comma)) <= epochs) {
            keep.add(line);
          }
        }
      }
      byte[] text = (String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(file, out -> out.write(text));
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + dev.bpnet.runtime.io.IoErrors.describe(e), e);
    }
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
