package dev.bpnet.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * A step (or a prediction) on {@link StreamedData}: each task takes, from the block of examples
 * its partition holds, the rows of the global batch that are there, in the batch's order, and
 * computes as {@link StepJob} does on a shard. A partition holding none of the batch's examples
 * adds nothing.
 *
 * @param job what to compute at which parameters; B is the global batch's
 * @param input the model's input's name
 * @param label the model's label's name
 * @param picks per partition, the rows of its block that are in the batch
 */
record StreamJob(StepJob job, String input, String label, int[][] picks) implements Serializable {
  private static final long serialVersionUID = 1L;

  ShardSums run(StreamedData.Block b) {
    int[] rows = picks[b.partition()];
    return rows.length == 0 ? ShardSums.none() : job.run(shard(b, rows));
  }

  Tensor predict(StreamedData.Block b) {
    int[] rows = picks[b.partition()];
    return rows.length == 0 ? null : job.predict(shard(b, rows));
  }

  private Shard shard(StreamedData.Block b, int[] rows) {
    return shard(b, rows, input, label);
  }

  /** Rows {@code rows} of block {@code b}, in that order, as a shard of input and label. */
  static Shard shard(StreamedData.Block b, int[] rows, String input, String label) {
    return new Shard(b.partition(), rows.length, Map.of(input, b.features().pick(rows), label, b.labels().pick(rows)));
  }
}
