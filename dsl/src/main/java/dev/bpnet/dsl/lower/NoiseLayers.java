package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.Map;
import java.util.Set;

/**
 * The regularising layers: {@code dropout}, which acts differently in training steps and at
 * prediction (its training-only part is a leaf the trainer sets before each pass, {@link
 * Leaves.DropoutMask}), and {@code layer_norm}, a composition of existing primitives, so all
 * three passes differentiate it like any other expression.
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
    t.put("layer_norm", (b, c) -> new NoiseLayers(b).layerNorm(c));
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

  /** Layer norm's epsilon, PyTorch's LayerNorm default. */
  static final double LAYER_NORM_EPS = 1e-5;

  /**
   * layer_norm(x): (x - mean) / sqrt(var + 1e-5) * g + b over the last (feature) axis of each
   * example, var the biased variance, with parameters NAME.g (ones) and NAME.b (zeros) of the
   * feature width: PyTorch's LayerNorm(F, elementwise_affine = True). Written with mean, sub,
   * mul, sqrt and div, so the exact third pass differentiates through the statistics.
   */
  private Integer layerNorm(Expr.Call c) {
    return b.withArgs(c, 1, 1, Set.of(), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      if (xs.rank() < 2 || xs.dim(0) != Shape.BATCH) {
        s.error(ErrorCode.E10, c.args().get(0).pos(), "1", "layer_norm", "a batch of values [B, ..., F], got " + xs);
        return null;
      }
      int last = xs.rank() - 1;
      int f = xs.dim(last);
      var o = s.ops;
      int mean = s.graph.label(o.mean(x, java.util.List.of(last), true), s.owner + ".mean");
      int centred = s.graph.label(o.sub(x, mean), s.owner + ".centred");
      int variance = s.graph.label(o.mean(o.mul(centred, centred), java.util.List.of(last), true), s.owner + ".var");
      int sd = s.graph.label(o.apply(new dev.bpnet.dsl.ir.Activations.Sqrt(), o.add(variance, o.c(LAYER_NORM_EPS))),
          s.owner + ".sd");
      int normed = s.graph.label(o.div(centred, sd), s.owner + ".normed");
      int g = s.param("g", Shape.of(f), dev.bpnet.api.Init.ONES, f, f);
      int bias = s.param("b", Shape.of(f), dev.bpnet.api.Init.ZEROS, f, f);
      return s.graph.label(o.biasAdd(o.mul(normed, g), bias, -1), s.owner + ".z");
    });
  }
}
