package dev.bpnet.runtime.train;

import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Optimizer;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A float32 trainer named {@code name} with input x and label y that does nothing: tests override
 * the one method they exercise (its parameters, its predictions).
 */
abstract class StubTrainer implements Trainer {
  private final String name;

  StubTrainer(String name) {
    this.name = name;
  }

  public String modelName() {
    return name;
  }

  public List<String> inputNames() {
    return List.of("x");
  }

  public List<String> labelNames() {
    return List.of("y");
  }

  public DataType dataType() {
    return DataType.FLOAT;
  }

  public Map<String, INDArray> parameters() {
    return Map.of();
  }

  public StepResult step(Map<String, INDArray> feeds) {
    throw new UnsupportedOperationException();
  }

  public INDArray predict(Map<String, INDArray> inputs) {
    throw new UnsupportedOperationException();
  }

  public Gradients gradients(Map<String, INDArray> feeds) {
    throw new UnsupportedOperationException();
  }

  public Optimizer optimizer() {
    throw new UnsupportedOperationException();
  }
}
