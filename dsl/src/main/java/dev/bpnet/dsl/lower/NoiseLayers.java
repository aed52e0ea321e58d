package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.Map;
import java.util.Set;

/**
 * The layers that act differently in training steps and at prediction: {@code dropout}. Each
 * checks its options and lowers to primitives whose training-only part is a leaf the trainer
 * sets before each pass ({@link Leaves.DropoutMask}).
 */
final class NoiseLayers {
  private final Builtins b;
  private final Scope s;

  private NoiseLayers(Builtins b) {
    this.b = b;
    this.s = b.s;
  }

  /** Adds the layers to the built-ins' table. */
  static void register(Map<String, Builtins.Lowerer> t) {
    t.put("dropout", (b, c) -> new NoiseLayers(b).dropout(c));
  }

  /**
   * dropout(x, p = 0.5): inverted dropout. In a training step each element is 0 with
   * probability p, else x / (1 - p); elsewhere (predict, evaluation, export) x itself.
   */
  private Integer dropout(Expr.Call c) {
    return b.withArgs(c, 1, 2, Set.of("p"), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      double p = b.number(c, "p", 1, 0.5);
      if (Double.isNaN(p)) {
        return null;
      }
      if (!(p >= 0 && p < 1)) {
        Expr at = c.named().containsKey("p") ? c.named().get("p") : c.args().get(1);
        String why = "a drop probability p with 0 <= p < 1, got " + Shape.number(p);
        if (c.named().containsKey("p")) {
          s.error(ErrorCode.E7, at.pos(), "p", "must be a drop probability with 0 <= p < 1, got " + Shape.number(p));
        } else {
          s.error(ErrorCode.E10, at.pos(), "2", "dropout", why);
        }
        return null;
      }
      if (xs.rank() < 1 || xs.dim(0) != Shape.BATCH) {
        s.error(ErrorCode.E10, c.args().get(0).pos(), "1", "dropout", "a batch of values [B, ...], got " + xs);
        return null;
      }
      if (p == 0) {
        return x;  // nothing is ever dropped: no mask, no generator
      }
      // the graph's size makes each call's mask its own (hash-consing would share equal leaves)
      int mask = s.graph.label(s.graph.leaf(new Leaves.DropoutMask(s.graph.size(), p, xs)), s.owner + ".mask");
      return s.graph.label(s.ops.apply(new Arithmetic.Dropout(), x, mask), s.owner + ".dropout");
    });
  }
}
