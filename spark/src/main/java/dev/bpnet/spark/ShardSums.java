package dev.bpnet.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Weighted sums over shards of what {@link dev.bpnet.runtime.Trainer#gradients} returns, and the
 * shards' outputs. A generated trainer averages over its batch: L, l_x = (1/b) sum_b 1/2
 * ||dl_b/dx_b||^2, g2 = dL/dtheta and g3 = dl_x/dtheta all carry a factor 1/b. A shard of b of the
 * global batch's B examples therefore enters with weight b/B, and the sum over shards is the
 * global batch's value; the direction alpha g2 + (1 - alpha) g3 is linear in both and sums the same.
 *
 * @param loss sum of (b/B) L
 * @param inputLoss sum of (b/B) l_x (NaN without a third pass)
 * @param pass2 sum of (b/B) g2, by parameter
 * @param pass3 sum of (b/B) g3, by parameter (empty without a third pass)
 * @param direction sum of (b/B) direction, by parameter in the order the optimizer takes them
 * @param outputs each shard's model output by shard index
 */
record ShardSums(double loss, double inputLoss, Map<String, Tensor> pass2, Map<String, Tensor> pass3,
    Map<String, Tensor> direction, TreeMap<Integer, Tensor> outputs) implements Summable<ShardSums>, Serializable {
  private static final long serialVersionUID = 1L;

  /** The sums of a partition that holds none of the batch's examples: adds nothing. */
  static ShardSums none() {
    return new ShardSums(0, 0, Map.of(), Map.of(), Map.of(), new TreeMap<>());
  }

  private boolean isNone() {
    return direction.isEmpty();
  }

  /** The sum of two partial sums (tree aggregation's combiner). */
  @Override
  public ShardSums plus(ShardSums o) {
    if (isNone() || o.isNone()) {
      return isNone() ? o : this;
    }
    TreeMap<Integer, Tensor> out = new TreeMap<>(outputs);
    out.putAll(o.outputs);
    return new ShardSums(loss + o.loss, inputLoss + o.inputLoss, sum(pass2, o.pass2), sum(pass3, o.pass3),
        sum(direction, o.direction), out);
  }

  static Map<String, Tensor> sum(Map<String, Tensor> a, Map<String, Tensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new IllegalStateException("shards returned different parameters: " + a.keySet() + " and " + b.keySet());
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    a.forEach((k, v) -> m.put(k, v.plus(b.get(k))));
    return m;
  }

  /** Bytes of one shard's sums (the arrays of this sum's size, and L and l_x); outputs aside. */
  long bytesPerShard() {
    if (isNone()) {
      return 0;
    }
    long n = 16;
    for (Map<String, Tensor> m : java.util.List.of(pass2, pass3, direction)) {
      n += m.values().stream().mapToLong(Tensor::bytes).sum();
    }
    return n;
  }

  /** Bytes of the outputs, all shards together. */
  long outputBytes() {
    return outputs.values().stream().mapToLong(Tensor::bytes).sum();
  }
}
