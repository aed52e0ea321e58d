package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SmokeTest {
  @Test
  void generatesCompilesAndSteps() {
    var m = Models.mlp("Tiny", 4, new int[] {5}, 3, "sigmoid", "softmax_cross_entropy",
        t -> t.withPasses(3).withAlpha(0.5).withThird("exact"));
    System.out.println(BpNetCompiler.generate(m, "dev.bpnet.generated"));
    Trainer tr = BpNetCompiler.load(m);
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
    for (int i = 0; i < 6; i++) {
      y.putScalar(i, i % 3, 1.0);
    }
    StepResult r = tr.step(Map.of("x", x, "y", y));
    System.out.println(r);
    assertTrue(Double.isFinite(r.loss()));
  }
}
