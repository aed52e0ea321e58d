package dev.bpnet.runtime.optim;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Temporary space for an optimizer that needs one elementwise temporary per parameter but uses
 * it only while updating that parameter: one flat buffer per data type, sized to the largest
 * parameter of that type, lent to each parameter as a view laid out like it. Temporaries then
 * cost the largest parameter, not the sum of all of them.
 */
final class SharedScratch {
  private final Map<DataType, INDArray> flat = new EnumMap<>(DataType.class);
  private final List<INDArray> views = new ArrayList<>();

  /** Makes a view for every parameter; allocates only when the parameters' layouts changed. */
  void prepare(List<INDArray> params) {
    if (fits(params)) {
      return;
    }
    Map<DataType, Long> need = new EnumMap<>(DataType.class);
    for (INDArray p : params) {
      need.merge(p.dataType(), p.length(), Math::max);
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      need.forEach((type, length) -> {
        INDArray buffer = flat.get(type);
        if (buffer == null || buffer.length() < length) {
          flat.put(type, Nd4j.create(type, Math.max(1, length)));
        }
      });
      views.clear();
      for (INDArray p : params) {
        long[] shape = p.shape();
        views.add(Nd4j.create(flat.get(p.dataType()).data(), shape,
            Nd4j.getStrides(shape, p.ordering()), 0, p.ordering(), p.dataType()));
      }
    }
  }

  /**
   * y += a * x with the product rounded before the sum, as two element-wise ops through
   * {@code scratch}. BLAS axpy would fuse them where its CPU kernel uses FMA, and only in its
   * vector body (the tail of a length that is no multiple of the block rounds twice), so its last
   * bit would depend on the machine and the length; the optimizers compiled from rules in the
   * language round every operation, and these agree with them bit for bit.
   */
  static void addScaled(INDArray y, double a, INDArray x, INDArray scratch) {
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(x, null, scratch, a));
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(y, scratch, y));
  }

  /** The scratch of parameter {@code i} (valid after {@link #prepare}); it aliases the others. */
  INDArray view(int i) {
    return views.get(i);
  }

  private boolean fits(List<INDArray> params) {
    if (views.size() != params.size()) {
      return false;
    }
    for (int i = 0; i < params.size(); i++) {
      if (!StateArrays.sameLayout(views.get(i), params.get(i))) {
        return false;
      }
    }
    return true;
  }
}
