package dev.bpnet.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a round of local steps returns, summed over shards with weight b/B: the parameters and
 * the optimizer's floating-point state (their weighted sums are the averages), and per step the
 * loss, l_x and the shard's output. Counts and random-generator states cannot be averaged: every
 * shard took the same number of steps, so they must agree, and they are kept as they are.
 *
 * @param loss per step, sum of (b/B) L at each shard's own parameters
 * @param inputLoss per step, sum of (b/B) l_x (NaN without a third pass)
 * @param params sum of (b/B) parameters after the round
 * @param state sum of (b/B) floating-point optimizer state after the round
 * @param stateTypes the ND4J data type of each floating-point state array
 * @param exactState the other optimizer state (counts, generator states), as ND4J bytes; equal on all shards
 * @param outputs per shard index, the model's output of each step
 */
record RoundSums(double[] loss, double[] inputLoss, Map<String, Tensor> params, Map<String, Tensor> state,
    Map<String, String> stateTypes, Map<String, byte[]> exactState, TreeMap<Integer, Tensor[]> outputs)
    implements Summable<RoundSums>, Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * What a partition of data on the executors returns when it holds none of a round's examples:
   * its weight in the average is 0, and it adds nothing (not even its optimizer counts).
   */
  static RoundSums none(int steps) {
    return new RoundSums(new double[steps], new double[steps], Map.of(), Map.of(), Map.of(), Map.of(), new TreeMap<>());
  }

  private boolean isNone() {
    return params.isEmpty();
  }

  @Override
  public RoundSums plus(RoundSums o) {
    if (isNone() || o.isNone()) {
      return isNone() ? o : this;
    }
    double[] l = loss.clone();
    double[] lx = inputLoss.clone();
    for (int i = 0; i < l.length; i++) {
      l[i] += o.loss[i];
      lx[i] += o.inputLoss[i];
    }
    if (!exactState.keySet().equals(o.exactState.keySet())
        || exactState.entrySet().stream().anyMatch(e -> !Arrays.equals(e.getValue(), o.exactState.get(e.getKey())))) {
      throw new IllegalStateException("shards ended a round with different optimizer counts or generator states: "
          + exactState.keySet() + " and " + o.exactState.keySet());
    }
    TreeMap<Integer, Tensor[]> out = new TreeMap<>(outputs);
    out.putAll(o.outputs);
    return new RoundSums(l, lx, ShardSums.sum(params, o.params), ShardSums.sum(state, o.state),
        new LinkedHashMap<>(stateTypes), exactState, out);
  }

  /** Bytes of one shard's sums (parameters, optimizer state and losses); outputs aside. */
  long bytesPerShard() {
    if (isNone()) {
      return 0;
    }
    long n = 16L * loss.length;
    n += params.values().stream().mapToLong(Tensor::bytes).sum() + state.values().stream().mapToLong(Tensor::bytes).sum();
    return n + exactState.values().stream().mapToLong(b -> b.length).sum();
  }

  /** Bytes of the outputs, all shards together. */
  long outputBytes() {
    return outputs.values().stream().flatMap(Arrays::stream).filter(java.util.Objects::nonNull).mapToLong(Tensor::bytes).sum();
  }
}
