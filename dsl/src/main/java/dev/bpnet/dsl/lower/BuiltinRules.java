package dev.bpnet.dsl.lower;

import dev.bpnet.api.FeedbackThird;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.Arithmetic.Cmp;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.RuleBackward;
import dev.bpnet.dsl.ir.RuleInfo;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Expr;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

/**
 * The papers' activation rules as built-ins, wrapping an activation call:
 * {@code straight_through(tanh(z))} (linear backprop, Yazdani, "Linear Backprop in non-linear
 * networks": the backward pass treats the activation as the identity) and
 * {@code difference(sigmoid(z))} (difference backprop, "Difference back propagation with
 * inverse sigmoid function": the secant slope (a' - a)/(z' - z) with a' = clip(a - lr da),
 * z' = f^-1(a')). They are the same RULE nodes a user activation makes, so they compose with
 * the third pass. Feedback alignment ({@code feedback = random | random_updated} on {@code dense}
 * and {@code conv2d}) is a layer rule of the same kind.
 */
final class BuiltinRules {
  private final Scope s;
  private final Ops o;

  BuiltinRules(Scope s) {
    this.s = s;
    this.o = s.ops;
  }

  Integer wrap(Expr.Call c, int a) {
    Node act = s.graph.node(a);
    boolean difference = c.fn().equals("difference");
    boolean invertible = act.op() instanceof Activations.Sigmoid || act.op() instanceof Activations.Tanh
        || act.op() instanceof Activations.LeakyRelu;
    boolean activation = act.op() instanceof Activations.Unary && !(act.op() instanceof Activations.StopGradient)
        && !(act.op() instanceof Activations.Sign) && !(act.op() instanceof Activations.Round);
    if (difference ? !invertible : !activation) {
      s.error(ErrorCode.E10, c.args().get(0).pos(), "1", c.fn(), "a call of "
          + (difference ? "sigmoid, tanh or leaky_relu" : "an activation such as relu or tanh"));
      return null;
    }
    Boolean perExample = difference ? perExample(c) : Boolean.FALSE;
    if (perExample == null) {
      return null;
    }
    int z = act.input(0);
    String name = c.fn() + "(" + act.op().name() + ")";
    int node = o.apply(new Leaves.Rule(name), a, z);
    String prefix = s.owner + "." + c.fn();
    int ct = s.cotangent(act.shape());
    int dz = difference ? secant(act, node, z, ct, prefix, perExample) : ct;
    s.graph.registerRule(node, new RuleBackward(new RuleInfo(name, false, c.pos()), ct, List.of(-1, dz), new BitSet()));
    return node;
  }

  /**
   * Feedback alignment (the report "Asymmetric backpropagation", authors unnamed) on a layer whose
   * product with its weights W is linear in its input (x W, a convolution): the product forward,
   * dL/dx = {@code inputGradient(ct, B)} with a random B of W's shape in place of W (G B^T for
   * dense, convT(G, B) for conv2d), as a layer rule; W keeps its true gradient through the
   * product. {@code random} keeps B fixed; {@code random_updated} gives B W's update each step
   * (R*). B is state NAME.B, initialised like W from the seed. Null after reporting a bad mode.
   */
  Integer feedback(Expr.Call c, int x, int w, int fanIn, int fanOut, String label, IntSupplier product,
      IntBinaryOperator inputGradient) {
    Expr fb = c.named().get("feedback");
    String mode = fb instanceof Expr.Ref r ? r.name() : "";
    if (!mode.equals("random") && !mode.equals("random_updated")) {
      s.diag.unknown(ErrorCode.E7, fb.pos(), mode, List.of("random", "random_updated"), "feedback",
          "expected random or random_updated");
      return null;
    }
    FeedbackThird thirdTo = thirdTo(c);
    if (thirdTo == null) {
      return null;
    }
    Program.Param wp = s.paramAt(w);
    int b = s.state("B", wp.shape(), s.train.init(), fanIn, fanOut,
        mode.equals("random") ? Program.Update.FIXED : Program.Update.FOLLOW, wp.name());
    int bIndex = s.params.size() - 1;
    s.params.set(bIndex, s.params.get(bIndex).withThirdTo(thirdTo));
    int xw = s.graph.label(product.getAsInt(), s.owner + "." + label);
    String name = "feedback_" + mode;
    int rule = o.apply(new Leaves.Rule(name), xw, x, w);
    // the backward template: dL/dx through B; W keeps its true gradient through the product
    int ct = s.cotangent(s.graph.shape(xw));
    int dx = s.graph.label(inputGradient.applyAsInt(ct, b), s.owner + "." + name + ".dx");
    BitSet derived = new BitSet();
    derived.set(2);
    s.graph.registerRule(rule, new RuleBackward(new RuleInfo(name, false, fb.pos()), ct, List.of(-1, dx, -1), derived));
    return s.graph.label(rule, s.owner + "." + label);
  }

  /**
   * g3 = b | w | none on a feedback layer: where the third-pass gradient that reaches B goes
   * ({@link FeedbackThird}). The one place that decides: the layer's own argument, else the train
   * option g3 (which --set and sweeps set for every feedback layer), else b. Null after an error.
   */
  private FeedbackThird thirdTo(Expr.Call c) {
    Expr t = c.named().get("g3");
    s.feedbackLayer = true;
    if (t == null) {
      s.trainG3Taken = true;
      return s.train.feedbackThird();
    }
    String word = t instanceof Expr.Ref r ? r.name() : "";
    if (!FeedbackThird.WORDS.contains(word)) {
      s.diag.unknown(ErrorCode.E7, t.pos(), word, FeedbackThird.WORDS, "g3", "expected b (the third-pass gradient stays on the feedback"
          + " matrix B), w (it goes to W) or none");
      return null;
    }
    return FeedbackThird.of(word);
  }

  /**
   * g3 = ... on a layer without feedback = ...: the layer has no B, so the option changes nothing
   * (W1). A layer with feedback reads it in {@link #feedback}.
   */
  static void warnUnusedThirdTo(Scope s, Expr.Call c) {
    Expr t = c.named().get("g3");
    if (t != null && !c.named().containsKey("feedback")) {
      s.diag.warning(ErrorCode.W1, t.pos(), "remove 'g3', or add feedback = random or random_updated", "g3",
          "the layer has no feedback matrix B (it is an option of feedback alignment)");
    }
  }

  /**
   * difference(..., target = batch | example): which dl/da the target a' = a - lr dl/da takes.
   * {@code batch} (the default): the cotangent da of the batch's loss, as an autograd function
   * receives it, so that for a loss averaged over the batch each example's target moves by 1/B
   * of its own gradient; {@code example}: each example's own dl_b/da_b = B da (for such a loss),
   * so that an example's g2 and l_x do not depend on the batch it is in. Null after an error.
   */
  private Boolean perExample(Expr.Call c) {
    Expr t = c.named().get("target");
    if (t == null) {
      return false;
    }
    String mode = t instanceof Expr.Ref r ? r.name() : "";
    if (!mode.equals("batch") && !mode.equals("example")) {
      s.diag.unknown(ErrorCode.E7, t.pos(), mode, List.of("batch", "example"), "target", "expected batch or example");
      return null;
    }
    return mode.equals("example");
  }

  /** dz = da (a' - a)/(z' - z), 0 where z' = z; the inner where keeps the untaken side finite. */
  private int secant(Node act, int a, int z, int da, String prefix, boolean perExample) {
    Shape shape = s.graph.shape(z);
    int lr = s.graph.leaf(new Leaves.Hyper("lr"));
    int eps = s.graph.leaf(new Leaves.Hyper("eps"));
    // per example: B da, each example's own gradient when the loss is the batch's mean
    int step = perExample ? o.mul(o.size(a, List.of(0)), da) : da;
    int target = o.sub(a, o.mul(lr, step));
    int a1;
    int z1;
    if (act.op() instanceof Activations.Sigmoid) {
      a1 = o.clamp(target, eps, o.sub(o.c(1), eps));
      z1 = o.neg(o.log(o.sub(o.div(o.c(1), a1), o.c(1))));
    } else if (act.op() instanceof Activations.Tanh) {
      a1 = o.clamp(target, o.sub(eps, o.c(1)), o.sub(o.c(1), eps));
      z1 = o.mul(o.c(0.5), o.log(o.div(o.add(o.c(1), a1), o.sub(o.c(1), a1))));
    } else {
      a1 = target;
      double slope = ((Activations.LeakyRelu) act.op()).slope();
      z1 = o.where(full(o.compare(Cmp.GT, a1, o.c(0)), shape), a1, o.div(a1, o.c(slope)));
    }
    s.graph.label(a1, prefix + ".a1");
    s.graph.label(z1, prefix + ".z1");
    int same = full(o.compare(Cmp.EQ, z1, z), shape);
    int safe = o.where(same, full(o.c(1), shape), o.sub(z1, z));
    return s.graph.label(o.mul(da, o.where(same, full(o.c(0), shape), o.div(o.sub(a1, a), safe))), prefix + ".dz");
  }

  private int full(int x, Shape shape) {
    return s.graph.shape(x).equals(shape) ? x : o.broadcast(x, shape);
  }
}
