package dev.bpnet.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dropout masks on Spark. One machine draws a step's masks for the whole batch from the
 * trainer's generator ({@code rng}, two state words); on Spark each shard draws the masks of its
 * own rows, from a generator set to words derived from the driver's words at that step and the
 * shard's index. A retried task therefore draws the same masks (the run stays bit-identical), and
 * two shards never share a stream. After each step (or round of local SGD) the driver's words
 * move to words derived the same way from a reserved index, so checkpoints, which save the
 * driver's trainer state, resume to the same masks. The masks have the distribution of one
 * machine's (each element kept with probability 1 - p, independently), but are other draws, and
 * depend on the number of shards.
 */
final class ShardNoise {
  private ShardNoise() {}

  private static final String RNG = "rng";
  /** Separates the shards' streams from the driver's next words (shard -1). */
  private static final long SHARD = 0x9e3779b97f4a7c15L;
  private static final long WORD = 0xd1b54a32d192ed03L;

  /** The driver trainer's mask-generator words, or null for a model without dropout. */
  static long[] words(Map<String, INDArray> trainerState) {
    INDArray w = trainerState.get(RNG);
    return w == null ? null : new long[] {w.getLong(0), w.getLong(1)};
  }

  /** The trainer state that sets the mask generator of shard {@code shard} of a step at {@code words}. */
  static Map<String, INDArray> forShard(long[] words, int shard) {
    long k = mix(SHARD * (shard + 2L));
    return Map.of(RNG, Nd4j.createFromArray(mix(words[0] ^ k), mix(words[1] ^ mix(k + WORD))));
  }

  /** Moves the driver trainer's words on after a step that used {@code words}. */
  static Map<String, INDArray> next(Map<String, INDArray> trainerState, long[] words) {
    Map<String, INDArray> m = new LinkedHashMap<>(trainerState);
    m.putAll(forShard(words, -1));
    return m;
  }

  /** SplitMix64's finaliser, a bijection. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
