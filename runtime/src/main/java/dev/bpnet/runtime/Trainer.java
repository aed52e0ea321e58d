package dev.bpnet.runtime;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every generated trainer offers, whatever its model. Generated classes add typed
 * overloads named after the model's inputs and labels (for example {@code step(x, y)}).
 *
 * <p>Feeds are keyed by the names of the model's inputs and labels. Arrays handed in are
 * copied into the trainer's own buffers, so callers may reuse or mutate them afterwards.
 *
 * <p><b>Threading.</b> A trainer is not thread-safe: every method computes in the trainer's
 * buffers (allocated for one batch size; when it changes, they are freed and allocated anew) and {@link #step} writes
 * its parameters. Use a trainer from one thread at a time; to predict from several threads,
 * build the generated forward-only class ({@code <Model>Model}, a {@link Model}) from the
 * trainer's {@link #parameters()}: it copies them and keeps a workspace per thread.
 */
public interface Trainer {

  /** The model's name as declared. */
  String modelName();

  /** The names of the model's inputs, in declaration order (the keys of feeds). */
  java.util.List<String> inputNames();

  /** The names of the model's labels, in declaration order. */
  java.util.List<String> labelNames();

  /**
   * Each input's and label's dimensions without the batch ({@code x -> [784]},
   * {@code y -> [10]}), inputs first, in declaration order: what {@code TrainingLoop.run} checks
   * data against. Generated trainers say; others may not.
   *
   * @throws UnsupportedOperationException from trainers that do not say
   */
  default Map<String, java.util.List<Integer>> exampleDims() {
    throw new UnsupportedOperationException(getClass().getName() + " does not give its inputs' and labels' shapes");
  }

  /** The floating-point type of parameters, buffers and arithmetic. */
  DataType dataType();

  /** Parameters by name, in declaration order; the arrays are live (not copies). */
  Map<String, INDArray> parameters();

  /** One training step on a mini-batch: forward, backward, third pass if any, update. */
  StepResult step(Map<String, INDArray> feeds);

  /** The model's output (the value the loss is applied to) for a batch of inputs. */
  INDArray predict(Map<String, INDArray> inputs);

  /** Losses and per-pass gradients for one batch, without updating anything. */
  Gradients gradients(Map<String, INDArray> feeds);

  /**
   * Losses and per-pass gradients for one batch as a training step computes them, without
   * updating anything but the trainer's random generator: fresh dropout masks, drawn as {@link
   * #step} draws them. {@link #gradients} evaluates instead (dropout is the identity there).
   * The same for models without dropout.
   */
  default Gradients trainingGradients(Map<String, INDArray> feeds) {
    return gradients(feeds);
  }

  /**
   * What the trainer keeps between steps besides parameters and the optimizer, as named detached
   * copies: {@code rng}, the dropout masks' generator (two int64 words), for a model with
   * dropout. Checkpoints save it, so a resumed run draws the masks the uninterrupted one would.
   * Empty for most models.
   */
  default Map<String, INDArray> state() {
    return Map.of();
  }

  /**
   * Restores what {@link #state()} returned.
   *
   * @throws IllegalArgumentException if the state has entries this trainer does not know, or
   *     lacks one it needs (naming it)
   */
  default void restoreState(Map<String, INDArray> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(modelName() + " keeps no state besides its parameters, got " + state.keySet());
    }
  }

  /** The optimizer that turns update directions into parameter changes. */
  Optimizer optimizer();

  /**
   * Called by training loops before each epoch (0-based), instead of the optimizer's own
   * {@link Optimizer#startEpoch}: trainers with an alpha schedule set alpha here, then the
   * optimizer's learning-rate schedule moves on.
   */
  default void startEpoch(int epoch) {
    optimizer().startEpoch(epoch);
  }

  /**
   * The model's output from the forward pass of the last {@link #step} or {@link #gradients}
   * call: the trainer's live buffer, overwritten by the next call (and freed by the next call
   * with another batch size: copy it to keep it), so training loops can score the batch without
   * a second forward pass. Null before the first call, and for trainers that do not keep it.
   */
  default INDArray lastOutput() {
    return null;
  }
}
