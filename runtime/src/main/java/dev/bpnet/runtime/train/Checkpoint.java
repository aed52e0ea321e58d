package dev.bpnet.runtime.train;

import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainer's state between two epochs: detached copies of every parameter (feedback matrices,
 * fixed or updated, included: they are parameters of the generated trainer) and of the
 * optimizer's state, with what identifies the run. {@link CheckpointStore} writes it to disk.
 *
 * @param info where the run stands and what wrote it
 * @param parameters parameter values by name, in declaration order
 * @param optimizerState {@link dev.bpnet.runtime.Optimizer#state()}
 * @param trainerState {@link Trainer#state()}: the dropout generator, for models with dropout
 * @param best the best validation epoch so far, for runs that follow it (early stopping,
 *     {@code keep = best}); null otherwise
 */
public record Checkpoint(Info info, Map<String, INDArray> parameters, Map<String, INDArray> optimizerState,
    Map<String, INDArray> trainerState, BestEpoch best) {

  /**
   * @param model the model's name
   * @param modelHash identifies the compiled model (see {@link TrainingRun#modelHash()})
   * @param dtype float32 or float64
   * @param epoch epochs completed; the next epoch to run has this 0-based index
   * @param step updates applied since the start of training
   * @param epochs the epochs the run was asked for
   * @param seconds training time so far (metrics.csv continues from it)
   * @param seed the batch-shuffle seed: epoch e's order is a function of (seed, e) alone
   * @param hyperparameters the settings a resumed run must share (batch, optimizer, ...)
   */
  public record Info(String model, String modelHash, String dtype, int epoch, long step, int epochs,
      double seconds, long seed, Map<String, String> hyperparameters) {
    public Info {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(modelHash, "modelHash");
      hyperparameters = Map.copyOf(hyperparameters);
    }

    /** Whether the run this checkpoint belongs to has done all its epochs. */
    public boolean finished() {
      return epoch >= epochs;
    }
  }

  public Checkpoint {
    parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    optimizerState = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(optimizerState));
    trainerState = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trainerState));
  }

  /** A checkpoint of a trainer that keeps no state of its own, in a run that does not follow its best epoch. */
  public Checkpoint(Info info, Map<String, INDArray> parameters, Map<String, INDArray> optimizerState) {
    this(info, parameters, optimizerState, Map.of(), null);
  }

  /** The trainer's state now, as copies that later steps do not change. */
  public static Checkpoint capture(Trainer trainer, Info info) {
    return capture(trainer, info, null);
  }

  /** The trainer's state now, with the best validation epoch so far (null for none). */
  public static Checkpoint capture(Trainer trainer, Info info, BestEpoch best) {
    return new Checkpoint(info, copy(trainer.parameters()), trainer.optimizer().state(), trainer.state(), best);
  }

  /** Copies of {@code parameters} that later steps do not change, outside any workspace. */
  static Map<String, INDArray> copy(Map<String, INDArray> parameters) {
    Map<String, INDArray> params = new LinkedHashMap<>();
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      parameters.forEach((k, v) -> params.put(k, v.dup('c')));
    }
    return params;
  }

  /** Whether early stopping ended the run at this checkpoint (it has run out of patience). */
  public boolean stoppedEarly() {
    return best != null && best.exhausted(info.epoch());
  }

  /** The same state under new run information (the epoch count of a longer run, say). */
  public Checkpoint with(Info newInfo) {
    return new Checkpoint(newInfo, parameters, optimizerState, trainerState, best);
  }

  /** Puts this state back into {@code trainer}: parameters assigned in place, optimizer and trainer state restored. */
  public void restoreInto(Trainer trainer) {
    List<String> problems = differences(trainer);
    if (!problems.isEmpty()) {
      throw new CheckpointException("the checkpoint does not fit this model: " + String.join("; ", problems));
    }
    Map<String, INDArray> live = trainer.parameters();
    parameters.forEach((k, v) -> live.get(k).assign(v));
    try {
      trainer.optimizer().restoreState(optimizerState);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException("the checkpoint's optimizer state does not fit this model's optimizer: "
          + e.getMessage(), e);
    }
    try {
      trainer.restoreState(trainerState);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException("the checkpoint's trainer state does not fit this model: " + e.getMessage(), e);
    }
  }

  /**
   * How this checkpoint's parameters differ from {@code trainer}'s: missing or extra names,
   * shapes, data types. Empty when they match.
   */
  public List<String> differences(Trainer trainer) {
    List<String> out = new ArrayList<>();
    Map<String, INDArray> live = trainer.parameters();
    for (Map.Entry<String, INDArray> e : live.entrySet()) {
      INDArray saved = parameters.get(e.getKey());
      if (saved == null) {
        out.add("parameter " + e.getKey() + " " + Arrays.toString(e.getValue().shape()) + " is not in the checkpoint");
      } else if (!Arrays.equals(saved.shape(), e.getValue().shape())) {
        out.add("parameter " + e.getKey() + " is " + Arrays.toString(saved.shape()) + " in the checkpoint but "
            + Arrays.toString(e.getValue().shape()) + " in this model");
      } else if (saved.dataType() != e.getValue().dataType()) {
        out.add("parameter " + e.getKey() + " is " + saved.dataType() + " in the checkpoint but "
            + e.getValue().dataType() + " here");
      }
    }
    parameters.keySet().stream().filter(k -> !live.containsKey(k))
        .forEach(k -> out.add("the checkpoint has parameter " + k + ", which this model does not"));
    out.addAll(stateDifferences(new ArrayList<>(live.values())));
    return out;
  }

  /**
   * Per-parameter optimizer arrays ({@code <what>/<i>}, i counting the parameters the optimizer
   * updates in declaration order) that no parameter could own: the i-th must be laid out like a
   * parameter after the one the (i-1)-th is laid out like. The optimizer cannot tell, and would
   * fail only at its first update.
   */
  private List<String> stateDifferences(List<INDArray> live) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> prefixes = new java.util.TreeSet<>();
    optimizerState.keySet().forEach(k -> {
      java.util.regex.Matcher m = PER_PARAMETER.matcher(k);
      if (m.matches()) {
        prefixes.add(m.group(1));
      }
    });
    for (String prefix : prefixes) {
      int next = 0;
      for (int i = 0; optimizerState.containsKey(prefix + "/" + i); i++) {
        INDArray a = optimizerState.get(prefix + "/" + i);
        while (next < live.size() && !(Arrays.equals(live.get(next).shape(), a.shape())
            && live.get(next).dataType() == a.dataType())) {
          next++;
        }
        if (next == live.size()) {
          out.add("optimizer state " + prefix + "/" + i + " is " + Arrays.toString(a.shape()) + " " + a.dataType()
              + ", which fits none of the parameters it could belong to");
          break;
        }
        next++;
      }
    }
    return out;
  }

  private static final java.util.regex.Pattern PER_PARAMETER = java.util.regex.Pattern.compile("(.+)/(\\d+)");
}
