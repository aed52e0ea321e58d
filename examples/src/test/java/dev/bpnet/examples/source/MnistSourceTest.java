package dev.bpnet.examples.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The trainer javac generated from {@code @BpNetSource("mnist/mnist.bpnet")} during this module's
 * build is the trainer the DSL compiles from the same file at run time: same parameters from the
 * same seed, same losses step for step.
 */
class MnistSourceTest {
  @Test
  void buildTimeTrainerIsTheRunTimeOne() {
    Trainer built = new MnistThreePassTrainer(DataType.FLOAT, 7);
    Trainer compiled = TrainerLoader.instantiate(
        FileCompiler.model(SourceFile.read(Path.of("mnist/mnist.bpnet")), null), DataType.FLOAT, 7);
    Dataset data = Mnist.bundled(DataType.FLOAT);
    for (int step = 0; step < 3; step++) {
      INDArray x = data.features().get(NDArrayIndex.interval(32 * step, 32 * step + 32), NDArrayIndex.all());
      INDArray y = data.labels().get(NDArrayIndex.interval(32 * step, 32 * step + 32), NDArrayIndex.all());
      var a = built.step(Map.of("x", x, "y", y));
      var b = compiled.step(Map.of("x", x, "y", y));
      assertEquals(b.loss(), a.loss(), 0.0, "loss of step " + step);
      assertEquals(b.inputLoss(), a.inputLoss(), 0.0, "l_x of step " + step);
    }
  }
}
