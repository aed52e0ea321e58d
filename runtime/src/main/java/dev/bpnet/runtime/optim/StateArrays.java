package dev.bpnet.runtime.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  static boolean sameLayout(INDArray a, INDArray b) {
    return a.dataType() == b.dataType() && a.ordering() == b.ordering()
        && Arrays.equals(a.shape(), b.shape());
  }

  static INDArray zerosLike(INDArray param) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.create(param.dataType(), param.shape(), param.ordering());
    }
  }
}
