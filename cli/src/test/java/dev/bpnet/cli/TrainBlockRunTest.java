package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.Npz;
import dev.bpnet.runtime.train.EpochMetrics;
import dev.bpnet.runtime.train.TrainBlockRun;
import dev.bpnet.runtime.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The generated trainer's {@code TRAIN} constant is its train block, and
 * {@code TrainingLoop.run(cls, TRAIN)} trains as {@code bpnet train} does: on
 * examples/mnist/mnist.bpnet (cut to 2 epochs), the same metrics.csv figures epoch for epoch
 * and the same parameters bit for bit.
 */
class TrainBlockRunTest {
  static final Path MNIST = Path.of("../examples/mnist/mnist.bpnet");

  @TempDir Path dir;

  @Test
  void reproducesBpnetTrain() throws Exception {
    TrainingGraph tg = FileCompiler.model(SourceFile.read(MNIST), null);
    Class<? extends Trainer> cls = InMemoryJavac.compile(FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE),
        Trainer.class);
    TrainSpec train = (TrainSpec) cls.getField("TRAIN").get(null);
    assertEquals(tg.program().train(), train, "TRAIN is the model's train block");
    assertEquals(30, train.epochs());
    assertEquals("mnist", train.data());

    TrainBlockRun<? extends Trainer> run = TrainingLoop.run(cls, train.withEpochs(2));
    assertEquals(2, run.epochs().size());

    Path out = dir.resolve("run");
    CliEndToEndTest.Result r = CliEndToEndTest.bpnet("train", MNIST.toString(), "--epochs", "2", "--out", out.toString());
    assertEquals(0, r.code(), CliEndToEndTest.show(r));
    List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
    for (EpochMetrics m : run.epochs()) {
      String[] cells = rows.get(m.epoch()).split(",");  // row 0 is the header; epochs count from 1
      assertEquals(Integer.toString(m.epoch()), cells[0]);
      // the test figure is taken once, at the end: the last row's
      double test = m.epoch() == run.outcome().keptEpoch() ? run.outcome().test() : m.test();
      double[] figures = {m.trainLoss(), m.trainInputLoss(), m.trainError(), m.valLoss(), m.valInputLoss(), m.valError(),
          test};
      for (int i = 0; i < figures.length; i++) {
        // metrics.csv leaves a figure not taken empty (the test set is scored once, at the end)
        String want = Double.isNaN(figures[i]) ? "" : String.format(Locale.ROOT, "%.6g", figures[i]);
        assertEquals(i + 1 < cells.length ? cells[i + 1] : "", want, "epoch " + m.epoch() + ", column " + (i + 1));
      }
    }
    Map<String, INDArray> cli = Npz.read(out.resolve("params.npz"));
    run.trainer().parameters().forEach((name, value) -> assertArrayEquals(
        cli.get(name).castTo(DataType.DOUBLE).reshape(cli.get(name).length()).toDoubleVector(),
        value.castTo(DataType.DOUBLE).reshape(value.length()).toDoubleVector(), name));
    System.out.printf(Locale.ROOT, "TrainingLoop.run(MnistThreePassTrainer, TRAIN.withEpochs(2)): loss %.4f, val error %.4f,"
        + " test %.4f%n", run.last().trainLoss(), run.last().valError(), run.outcome().test());
  }

  @Test
  void refusesDataThatDoesNotFitTheModel() throws Exception {
    TrainingGraph tg = FileCompiler.model(SourceFile.read(MNIST), null);
    Class<? extends Trainer> cls = InMemoryJavac.compile(FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE),
        Trainer.class);
    TrainSpec train = (TrainSpec) cls.getField("TRAIN").get(null);
    DataException e = assertThrows(DataException.class, () -> TrainingLoop.run(cls, train.withData("cosine", Map.of())));
    assertTrue(e.getMessage().contains("features per example but the model's input 'x' is [784]"), e.getMessage());
    DataException missing = assertThrows(DataException.class, () -> TrainingLoop.run(cls, train.withData("mnsit")));
    assertTrue(missing.getMessage().contains("did you mean 'mnist'?"), missing.getMessage());
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> TrainingLoop.run(cls, train.withData("mnist", Map.of("train", 40.0)).withBatch(64)));
    assertTrue(batch.getMessage().contains("batch = 64 is larger than the 36 training examples"), batch.getMessage());
  }
}
