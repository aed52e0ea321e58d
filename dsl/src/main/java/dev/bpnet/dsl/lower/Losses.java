package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Ops;
import java.util.List;

/**
 * The losses, composed from primitives so that their first and second derivatives come from
 * the VJP table. Each is a per-example loss l_b averaged over the batch: L = (1/B) sum_b l_b.
 */
final class Losses {
  private final Ops o;

  Losses(Ops o) {
    this.o = o;
  }

  /** l_b = -sum_j y_j log softmax(z)_j. */
  int softmaxCrossEntropy(int logits, int y) {
    int last = o.graph().shape(logits).rank() - 1;
    int perExample = o.neg(o.sum(o.mul(y, o.logSoftmax(logits, -1)), List.of(last), false));
    return batchMean(perExample);
  }

  /** l_b = 1/2 ||y - yhat||^2, as the papers define it. */
  int meanSquaredError(int pred, int y) {
    int d = o.sub(y, pred);
    int rank = o.graph().shape(d).rank();
    int perExample = o.mul(o.c(0.5), o.sum(o.mul(d, d), Ops.allAxes(rank).subList(1, rank), false));
    return batchMean(perExample);
  }

  /** Multiclass hinge (Weston-Watkins): l_b = sum_{j != y} max(0, 1 + z_j - z_y). */
  int multiclassHinge(int logits, int y) {
    int last = o.graph().shape(logits).rank() - 1;
    int zy = o.sum(o.mul(y, logits), List.of(last), true);
    int margins = o.unary(Op.RELU, o.add(o.c(1), o.sub(logits, zy)));
    // the j = y term contributes max(0, 1) = 1; remove it
    int perExample = o.sub(o.sum(margins, List.of(last), false), o.c(1));
    return batchMean(perExample);
  }

  private int batchMean(int perExample) {
    return o.mean(perExample, List.of(0), false);
  }
}
