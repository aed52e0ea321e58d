package dev.bpnet.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A round of local SGD on {@link StreamedData}: each task takes, for each of the round's global
 * batches, the rows of its partition's block that are in that batch, in the batch's order, and
 * works through them as {@link RoundJob} does through its shards. A partition holds a varying
 * share of each batch (the loop's shuffle is global), perhaps none: that step is a zero-direction
 * step ({@link RoundJob}); a partition holding none of the round's examples adds nothing.
 *
 * @param job the round: starting parameters and state, the batches' sizes B
 * @param input the model's input's name
 * @param label the model's label's name
 * @param picks per partition, per step of the round, the rows of its block in that batch
 */
record StreamRound(RoundJob job, String input, String label, int[][][] picks) implements Serializable {
  private static final long serialVersionUID = 1L;

  RoundSums run(StreamedData.Block b) {
    int[][] mine = picks[b.partition()];
    List<Shard> shards = new ArrayList<>(mine.length);
    boolean any = false;
    for (int[] rows : mine) {
      any |= rows.length > 0;
      shards.add(rows.length == 0 ? new Shard(b.partition(), 0, java.util.Map.of())
          : StreamJob.shard(b, rows, input, label));
    }
    return any ? job.run(b.partition(), shards) : RoundSums.none(mine.length);
  }
}
