package dev.bpnet.runtime;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every generated forward-only class ({@code <Model>Model}, written beside the trainer by
 * {@code bpnet compile}) offers: a trained model's output for batches of inputs, with no
 * training buffers. Generated classes add typed overloads named after the model's inputs (for
 * example {@code predict(x)}) and static {@code load(Path)} methods.
 *
 * <p><b>Threading.</b> Unlike a {@link Trainer}, which belongs to one thread at a time, a Model is
 * safe to share: its parameters are its own copies, never written after construction, and each
 * thread that calls {@link #predict} computes in a workspace of its own (kept per thread and
 * model, reallocated only when that thread's batch size changes). Any batch size works.
 */
public interface Model {

  /** The model's name as declared. */
  String modelName();

  /** The names of the model's inputs, in declaration order (the keys of {@link #predict}'s map). */
  List<String> inputNames();

  /** The floating-point type of parameters and arithmetic. */
  DataType dataType();

  /**
   * The parameters the forward pass reads, by name, in declaration order. The arrays are the
   * model's own: read them, never write them (other threads may be predicting).
   */
  Map<String, INDArray> parameters();

  /**
   * The model's output (the value its loss is applied to: logits for a softmax cross-entropy)
   * for a batch of inputs, as a new array; the inputs are copied, never kept. Thread-safe.
   */
  INDArray predict(Map<String, INDArray> inputs);
}
