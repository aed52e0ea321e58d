package dev.bpnet.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * One partition's part of a global batch: consecutive rows of every feed.
 *
 * @param index the shard's place in the batch (0-based); results are put back in this order
 * @param rows b, the shard's examples
 * @param feeds the rows of each input and label, by name
 */
record Shard(int index, int rows, Map<String, Tensor> feeds) implements Serializable {
  private static final long serialVersionUID = 1L;
}
