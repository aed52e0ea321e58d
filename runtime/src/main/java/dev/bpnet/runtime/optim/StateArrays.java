package dev.bpnet.runtime.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One state array per parameter (a velocity, a moment, a previous gradient), zero when made.
 * Made on the first update and remade only for a parameter whose shape, type or order changed,
 * so steps after the first allocate nothing. Made outside any workspace: state outlives steps.
 */
final class StateArrays {
  private final List<INDArray> arrays = new ArrayList<>();

  /** The state of parameter {@code i}, laid out like {@code param}. */
  INDArray get(int i, INDArray param) {
    while (arrays.size() <= i) {
      arrays.add(null);
    }
    INDArray state = arrays.get(i);
    if (state == null || !sameLayout(state, param)) {
      state = zerosLike(param);
      arrays.set(i, state);
    }
    return state;
  }

  /** Copies of the arrays made so far into {@code out}, keyed {@code prefix/i}. */
  void exportTo(String prefix, Map<String, INDArray> out) {
    for (int i = 0; i < arrays.size(); i++) {
      if (arrays.get(i) != null) {
        out.put(prefix + "/" + i, detached(arrays.get(i)));
      }
    }
  }

  /**
   * Replaces the arrays by copies of {@code prefix/i} entries of {@code state}, removing them from
   * it (what is left over is then unknown to the optimizer); arrays without an entry start at zero.
   */
  void importFrom(String prefix, Map<String, INDArray> state) {
    arrays.clear();
    for (int i = 0; state.containsKey(prefix + "/" + i); i++) {
      arrays.add(detached(state.remove(prefix + "/" + i)));
    }
  }

  static boolean sameLayout(INDArray a, INDArray b) {
    return a.dataType() == b.dataType() && a.ordering() == b.ordering()
        && Arrays.equals(a.shape(), b.shape());
  }

  static INDArray zerosLike(INDArray param) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.create(param.dataType(), param.shape(), param.ordering());
    }
  }

  /** A c-ordered copy outside any workspace (parameters are c-ordered, so layouts match). */
  static INDArray detached(INDArray a) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return a.dup('c');
    }
  }

  /** Fails on entries of {@code state} that no one took. */
  static void requireConsumed(String optimizer, Map<String, INDArray> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(optimizer + " does not keep " + state.keySet()
          + ": the checkpoint was written with another optimizer");
    }
  }

  /** The int64 scalar {@code name} of {@code state}, removed from it, or {@code fallback}. */
  static long takeLong(Map<String, INDArray> state, String name, long fallback) {
    INDArray a = state.remove(name);
    return a == null ? fallback : a.getLong(0);
  }

  static INDArray scalar(long v) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.scalar(v);
    }
  }
}
