package dev.bpnet.dsl.lower;

import dev.bpnet.api.Init;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dropout and the normalisation layers: {@code dropout} and {@code batch_norm}, which act differently in
 * training steps and at prediction (through leaves the trainer sets before each pass: {@link
 * Leaves.DropoutMask}, {@link Leaves.Training}), and {@code layer_norm}. Each is a composition
 * of primitives that have VJPs, so all three passes differentiate them like any other expression.
 */
final class DropoutAndNorms {
  private final Builtins b;
  private final Scope s;

  private DropoutAndNorms(Builtins b) {
    this.b = b;
    this.s = b.s;
  }

  /** Adds the layers to the built-ins' table. */
  static void register(Map<String, Builtins.Lowerer> t) {
    t.put("dropout", (b, c) -> new DropoutAndNorms(b).dropout(c));
    t.put("layer_norm", (b, c) -> new DropoutAndNorms(b).layerNorm(c));
    t.put("batch_norm", (b, c) -> new DropoutAndNorms(b).batchNorm(c));
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

  /** Layer and batch norm's epsilon, PyTorch's default. */
  static final double NORM_EPS = 1e-5;

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
      Ops o = s.ops;
      int mean = s.graph.label(o.mean(x, List.of(last), true), s.owner + ".mean");
      int centred = s.graph.label(o.sub(x, mean), s.owner + ".centred");
      int variance = s.graph.label(o.mean(o.mul(centred, centred), List.of(last), true), s.owner + ".var");
      int sd = s.graph.label(o.apply(new Activations.Sqrt(), o.add(variance, o.c(NORM_EPS))),
          s.owner + ".sd");
      int normed = s.graph.label(o.div(centred, sd), s.owner + ".normed");
      int g = s.param("g", Shape.of(f), Init.ONES, f, f);
      int bias = s.param("b", Shape.of(f), Init.ZEROS, f, f);
      return s.graph.label(o.biasAdd(o.mul(normed, g), bias, -1), s.owner + ".z");
    });
  }

  /** Batch norm's running averages' momentum, PyTorch's BatchNorm default. */
  static final double BATCH_NORM_MOMENTUM = 0.1;

  /**
   * batch_norm(x, momentum = 0.1, eps = 1e-5) of a batch [B, F] (statistics per feature, over
   * the batch) or [B, C, H, W] (per channel, over the batch and the image), as PyTorch's
   * BatchNorm1d/2d: in a training step (x - mean) / sqrt(var + eps) g + b with the batch's mean
   * and biased variance, elsewhere with the running ones, NAME.running_mean (from 0) and
   * NAME.running_var (from 1), which each training step moves by momentum towards the batch's
   * mean and unbiased variance: running = (1 - momentum) running + momentum batch.
   */
  private Integer batchNorm(Expr.Call c) {
    return b.withArgs(c, 1, 1, Set.of("momentum", "eps"), a -> {
      int x = a.get(0);
      Shape xs = s.graph.shape(x);
      if (!(xs.rank() == 2 || xs.rank() == 4) || xs.dim(0) != Shape.BATCH) {
        s.error(ErrorCode.E10, c.args().get(0).pos(), "1", "batch_norm",
            "a batch of vectors [B, F] or of images [B, C, H, W], got " + xs);
        return null;
      }
      double momentum = b.number(c, "momentum", -1, BATCH_NORM_MOMENTUM);
      double eps = b.number(c, "eps", -1, NORM_EPS);
      if (Double.isNaN(momentum) || Double.isNaN(eps)) {
        return null;
      }
      if (!(momentum >= 0 && momentum <= 1)) {
        s.error(ErrorCode.E7, c.named().get("momentum").pos(), "momentum", "must be the weight of the batch's statistics"
            + " in the running ones, 0 <= momentum <= 1, got " + Shape.number(momentum));
        return null;
      }
      if (!(eps > 0 && Double.isFinite(eps))) {
        s.error(ErrorCode.E7, c.named().get("eps").pos(), "eps", "must be a positive number added to the variance"
            + " (it keeps the division finite), got " + Shape.number(eps));
        return null;
      }
      Ops o = s.ops;
      int f = xs.dim(1);
      List<Integer> axes = xs.rank() == 2 ? List.of(0) : List.of(0, 2, 3);
      List<Integer> statDims = new ArrayList<>(Collections.nCopies(xs.rank(), 1));
      statDims.set(1, f);
      Shape stat = new Shape(statDims);  // [1, F] or [1, C, 1, 1]: broadcasts against x
      String n = s.owner;
      int g = s.param("g", Shape.of(f), Init.ONES, f, f);
      int bias = s.param("b", Shape.of(f), Init.ZEROS, f, f);
      int runningMean = s.state("running_mean", Shape.of(f), Init.ZEROS, f, f,
          Program.Update.FIXED, null);
      int runningVar = s.state("running_var", Shape.of(f), Init.ONES, f, f,
          Program.Update.FIXED, null);
      int mean = s.graph.label(o.mean(x, axes, true), n + ".batch_mean");
      int centred = s.graph.label(o.sub(x, mean), n + ".batch_centred");
      int var = s.graph.label(o.mean(o.mul(centred, centred), axes, true), n + ".batch_var");
      int training = o.broadcast(s.graph.label(s.graph.leaf(new Leaves.Training()), "training_step"), stat);
      int useMean = s.graph.label(o.where(training, mean, o.reshape(runningMean, stat)), n + ".mean");
      int useVar = s.graph.label(o.where(training, var, o.reshape(runningVar, stat)), n + ".var");
      int sd = s.graph.label(o.apply(new Activations.Sqrt(), o.add(useVar, o.c(eps))), n + ".sd");
      int normed = s.graph.label(o.div(o.sub(x, useMean), sd), n + ".normed");
      int scaled = o.mul(normed, xs.rank() == 2 ? g : o.reshape(g, Shape.of(f, 1, 1)));
      int count = o.size(x, axes);
      s.running.add(new Program.Running(s.paramAt(runningMean).name(), runningMean, mean, -1,
          momentum, c.pos()));
      s.running.add(new Program.Running(s.paramAt(runningVar).name(), runningVar, var, count,
          momentum, c.pos()));
      return s.graph.label(o.biasAdd(scaled, bias, xs.rank() == 2 ? -1 : 1), n + ".z");
    });
  }
}
