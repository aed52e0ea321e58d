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

  /** The name of restored arrays until the first update has checked them against the parameters. */
  private String restored;

  /** The state of parameter {@code i}, laid out like {@code param}. */
  INDArray get(int i, INDArray param) {
    while (arrays.size() <= i) {
      arrays.add(null);
    }
    INDArray state = arrays.get(i);
    if (restored != null && (state == null || !sameLayout(state, param))) {
      // a restored state that does not fit is damage: starting it again at zero would change
      // the results of the run without a word
      throw new IllegalArgumentException(restored + "/" + i + (state == null ? " is missing" : " is "
          + Arrays.toString(state.shape()) + " " + state.dataType()) + ", but the parameter it belongs to is "
          + Arrays.toString(param.shape()) + " " + param.dataType());
    }
    if (state == null || !sameLayout(state, param)) {
      state = zerosLike(param);
      arrays.set(i, state);
    }
    return state;
  }

  /** After an update of {@code params} parameters has used them: the restored arrays fit. */
  void checked(int params) {
    if (restored != null && arrays.size() > params) {
      throw new IllegalArgumentException(restored + "/" + params + " belongs to no parameter (there are "
          + params + " to update)");
    }
    restored = null;
  }

  /** How many arrays there are (restored or made by updates). */
  int size() {
    return arrays.size();
  }

  /** Array {@code i}, or null. */
  INDArray at(int i) {
    return i < arrays.size() ? arrays.get(i) : null;
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
    importFrom(prefix, state, false);
  }

  /**
   * As above; with {@code required} (the optimizer has updated, so it made them) there must be at
   * least {@code prefix/0}. Each must be a floating-point array; the first update checks that
   * there is one for each parameter, laid out like it.
   */
  void importFrom(String prefix, Map<String, INDArray> state, boolean required) {
    arrays.clear();
    restored = null;
    for (int i = 0; state.containsKey(prefix + "/" + i); i++) {
      INDArray a = state.remove(prefix + "/" + i);
      if (!a.dataType().isFPType() || a.rank() == 0) {
        throw new IllegalArgumentException(prefix + "/" + i + " is a " + a.dataType() + " array of shape "
            + Arrays.toString(a.shape()) + ", expected floating-point values laid out like a parameter");
      }
      arrays.add(detached(a));
    }
    String stray = state.keySet().stream().filter(k -> k.startsWith(prefix + "/")).findFirst().orElse(null);
    if (stray != null) {
      throw new IllegalArgumentException(stray + " without " + prefix + "/" + arrays.size()
          + " (the arrays are numbered from 0 without gaps)");
    }
    if (required && arrays.isEmpty()) {
      throw new IllegalArgumentException(prefix + "/0 is missing (the optimizer has updated, so it has them)");
    }
    if (!arrays.isEmpty()) {
      restored = prefix;
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

  /**
   * The update count {@code name} of {@code state}, removed from it: it must be there, a 0-d
   * whole number of 0 or more (a missing or fractional count would silently change every
   * step-dependent rate and correction of the resumed run).
   */
  static long takeCount(Map<String, INDArray> state, String name) {
    INDArray a = state.remove(name);
    if (a == null) {
      throw new IllegalArgumentException(name + " (the update count) is missing");
    }
    if (!a.dataType().isIntType() || a.rank() != 0 || a.getLong(0) < 0) {
      throw new IllegalArgumentException(name + " is " + describe(a) + ", expected the update count: "
          + "a whole number (int64) of 0 or more");
    }
    return a.getLong(0);
  }

  /** "a FLOAT64 scalar 4.5", "a LONG array of shape [2]": for messages. */
  static String describe(INDArray a) {
    return a.rank() == 0 ? "a " + a.dataType() + " scalar " + (a.dataType().isFPType() ? a.getDouble(0) : a.getLong(0))
        : "a " + a.dataType() + " array of shape " + Arrays.toString(a.shape());
  }

  static INDArray scalar(long v) {
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return Nd4j.scalar(v);
    }
  }
}
