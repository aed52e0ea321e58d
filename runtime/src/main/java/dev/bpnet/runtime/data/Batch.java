package dev.bpnet.runtime.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One mini-batch: rows of a {@link Dataset}'s features and labels, gathered into fresh arrays
 * owned by the receiver (a trainer may copy them into its buffers or keep them).
 *
 * @param features [B, d]
 * @param labels [B, k]: one-hot classes or regression targets
 */
public record Batch(INDArray features, INDArray labels) {

  /** Number of examples in the batch (the last batch of an epoch may be smaller). */
  public int size() {
    return features.rows();
  }
}
