package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Shape;
import java.util.List;

/**
 * The losses, composed from primitives so that their first and second derivatives come from
 * the VJP table. Each is a per-example loss l_b averaged over the batch: L = (1/B) sum_b l_b.
 */
final class Losses {
  /** The built-in losses' names: the first argument of each is the prediction (see {@link Outputs}). */
  static final java.util.SortedSet<String> NAMES =
      java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(List.of("hinge", "mse", "softmax_cross_entropy")));

  private final Ops o;

  Losses(Ops o) {
    this.o = o;
  }

  /** l_b = -sum_j y_j log softmax(z)_j. */
  int softmaxCrossEntropy(int logits, int y) {
    int last = o.shape(logits).rank() - 1;
    int logP = label(o.logSoftmax(logits, -1), "log_p");
    int perExample = o.neg(label(o.sum(label(o.mul(y, logP), "y_log_p"), List.of(last), false), "sum_y_log_p"));
    return batchMean(perExample);
  }

  /** l_b = 1/2 ||yhat - y||^2, as the papers define it (1/2 ||y - yhat||^2). */
  int meanSquaredError(int pred, int y) {
    int d = label(o.sub(pred, y), "err");
    int rank = o.shape(d).rank();
    int perExample = o.mul(o.c(0.5), label(o.sum(label(o.mul(d, d), "sq_err"), Shape.allAxes(rank).subList(1, rank), false), "sum_sq_err"));
    return batchMean(perExample);
  }

  /** Multiclass hinge (Weston-Watkins): l_b = sum_{j != y} max(0, 1 + z_j - z_y). */
  int multiclassHinge(int logits, int y) {
    int last = o.shape(logits).rank() - 1;
    int zy = label(o.sum(label(o.mul(y, logits), "y_z"), List.of(last), true), "z_y");
    int margins = label(o.relu(label(o.add(o.c(1), label(o.sub(logits, zy), "z_minus_z_y")), "margin")), "hinge");
    // the j = y term contributes max(0, 1) = 1; remove it
    int perExample = o.sub(o.sum(margins, List.of(last), false), o.c(1));
    return batchMean(perExample);
  }

  private int batchMean(int perExample) {
    label(perExample, "l_b");
    return label(o.mean(perExample, List.of(0), false), "L");
  }

  private int label(int id, String name) {
    return o.graph().label(id, name);
  }
}
