package dev.bpnet.dsl.codegen;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.Convolutions;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.LinearAlgebra;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Reductions;
import dev.bpnet.dsl.ir.Shape;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emission-level fusions of the op chains that the softmax cross-entropy lowering and the input
 * loss leave in a step: the loss (multiply, row sums, negate, mean), the log_softmax VJP (scale,
 * exp, row sums, multiply, subtract) and a sum of a product over every axis (l_x's sum(d(x)^2)).
 * Each generic statement is one ND4J op execution of 12-25 us whatever its size (a full Sum of
 * 128x784 about 75); each chain becomes one kernel call ({@code Kernels.negatedMeanDot},
 * {@code Kernels.logSoftmaxVjp}, {@code Kernels.dot}) computing the same math. Also a convolution
 * with its bias add and ReLU ({@link ConvEpilogue}): one bound op. The IR, and so the third pass that
 * differentiates it, is untouched: a chain is fused only when its intermediate values are read
 * by nothing else (no other statement, view or API method), so they get no buffer and skipping
 * them changes nothing but rounding.
 */
final class Fusions {
  /** A chain ending at {@code last}: its {@code absorbed} nodes get no buffer and no statement. */
  sealed interface Chain {
    List<Node> absorbed();

    /** One kernel call computing the chain; its comment lists the chain's math. */
    void emit(Emission e);
  }

  /** last = mean(-sum(a * b, axes [1]), axes [0]) of [B, n] tensors a, b. */
  record CrossEntropy(List<Node> absorbed, int a, int b) implements Chain {
    public void emit(Emission e) {
      e.comment("fused: $N = -(1/B) sum($N * $N), one BLAS dot", e.out(), e.name(a), e.name(b));
      e.step("$T.negatedMeanDot($N, $N, $N)", Emission.KERNELS, e.name(a), e.name(b), e.out());
    }
  }

  /** last = sum(a * b) over every axis (the input loss's sum(d(x)^2)). */
  record Dot(List<Node> absorbed, int a, int b) implements Chain {
    public void emit(Emission e) {
      e.comment("fused: $N = sum($N * $N), one BLAS dot", e.out(), e.name(a), e.name(b));
      e.step("$T.dot($N, $N, $N)", Emission.KERNELS, e.name(a), e.name(b), e.out());
    }
  }

  /**
   * last = s g - exp(logP) * sum(s g, axes [1], keepDims) with s a host scalar ({@code scale},
   * -1 when there is none and {@code g} is the scaled tensor itself).
   */
  record LogSoftmaxVjp(List<Node> absorbed, int g, int scale, int logP) implements Chain {
    public void emit(Emission e) {
      String s = scale < 0 ? "1.0" : e.host(scale);
      e.comment("fused: $N = s g - exp($N) * rowsum(s g), g = $N, s = $L", e.out(), e.name(logP), e.name(g), s);
      e.step("$T.logSoftmaxVjp($N, $L, $N, $N)", Emission.KERNELS, e.name(g), s, e.name(logP), e.out());
    }
  }

  /**
   * last = relu(conv(x, k) + b), or without the bias or the ReLU: one bound convolution with its
   * epilogue (oneDNN post-ops where it binds: the same bits, two passes over the output fewer).
   * The ReLU's VJP reads its output, so the sum before it is read by the ReLU alone.
   */
  record ConvEpilogue(List<Node> absorbed, Node conv, int bias, boolean relu) implements Chain {
    public void emit(Emission e) {
      e.comment("fused: $N = $L, one convolution with its epilogue", e.out(),
          (relu ? "relu(" : "") + "conv(" + e.name(conv.input(0)) + ", " + e.name(conv.input(1)) + ")"
              + (bias < 0 ? "" : " + " + e.name(bias)) + (relu ? ")" : ""));
      ((Convolutions.Conv2d) conv.op()).emitFused(e, conv, bias, relu);
    }
  }

  private final Graph g;
  private final Map<Integer, Integer> consumers = new HashMap<>();
  private final Set<Integer> pinned;
  private final Map<Integer, Chain> chains = new HashMap<>();
  /** Each absorbed node's chain end. */
  private final Map<Integer, Integer> absorbedBy = new HashMap<>();
  private final Set<Integer> absorbed = absorbedBy.keySet();
  private final boolean enabled;

  /** Finds the fusable chains among the layout's nodes; none when {@code enabled} is false. */
  Fusions(TrainingGraph tg, Layout layout, boolean enabled) {
    this.g = tg.graph();
    this.pinned = new HashSet<>(tg.roots());
    this.enabled = enabled;
    for (Node n : layout.tensors) {
      n.inputs().forEach(i -> consumers.merge(i, 1, Integer::sum));
    }
    if (!enabled) {
      return;
    }
    for (Node n : layout.tensors) {
      Chain c = n.op() instanceof Reductions.Mean ? crossEntropy(n)
          : n.op() instanceof Arithmetic.Sub ? logSoftmaxVjp(n)
          : n.op() instanceof Reductions.Sum ? dot(n) : null;
      if (c != null) {
        add(n, c);
      }
    }
    // from the last node back, so that a ReLU takes its bias add before the bias add could end a chain
    for (int i = layout.tensors.size() - 1; i >= 0; i--) {
      Node n = layout.tensors.get(i);
      if (!absorbed.contains(n.id()) && !chains.containsKey(n.id())) {
        Chain c = convEpilogue(n);
        if (c != null) {
          add(n, c);
        }
      }
    }
  }

  private void add(Node last, Chain c) {
    chains.put(last.id(), c);
    c.absorbed().forEach(a -> absorbedBy.put(a.id(), last.id()));
  }

  /**
   * False when generating the reference code that tests compare against: every IR node its own
   * ND4J statement, and column sums as gemms with a row of ones.
   */
  boolean enabled() {
    return enabled;
  }

  /** The chain that ends at a node, or null. */
  Chain at(int id) {
    return chains.get(id);
  }

  /** True for a node computed inside a later node's fused kernel. */
  boolean absorbed(int id) {
    return absorbed.contains(id);
  }

  /** The node whose fused kernel computes an absorbed node. */
  int absorbedBy(int id) {
    return absorbedBy.get(id);
  }

  /** relu(conv + b), relu(conv) or conv + b with b along the channels of an NCHW convolution's output. */
  private Chain convEpilogue(Node last) {
    boolean relu = last.op() instanceof Activations.Relu;
    Node inner = relu ? g.node(last.input(0)) : last;
    int bias = -1;
    List<Node> absorbedNodes = new java.util.ArrayList<>();
    if (inner.op() instanceof LinearAlgebra.BiasAdd add && inner.shape().rank() == 4
        && Shape.axis(add.axis(), 4) == 1 && !g.isHost(inner.input(1))) {
      if (relu && !privateTo(inner, 1)) {
        return null;
      }
      if (relu) {
        absorbedNodes.add(inner);
      }
      bias = inner.input(1);
      inner = g.node(inner.input(0));
    } else if (!relu) {
      return null;
    }
    if (!(inner.op() instanceof Convolutions.Conv2d) || !privateTo(inner, 1)) {
      return null;
    }
    absorbedNodes.add(0, inner);
    return new ConvEpilogue(List.copyOf(absorbedNodes), inner, bias, relu);
  }

  private Chain crossEntropy(Node mean) {
    if (!axes(mean, 0) || keepDims(mean) || !mean.shape().isScalar()) {
      return null;
    }
    Node neg = g.node(mean.input(0));
    if (!(neg.op() instanceof Arithmetic.Neg) || !privateTo(neg, 1)) {
      return null;
    }
    Node sum = g.node(neg.input(0));
    if (!(sum.op() instanceof Reductions.Sum) || !axes(sum, 1) || keepDims(sum) || !privateTo(sum, 1)) {
      return null;
    }
    Node mul = g.node(sum.input(0));
    if (!(mul.op() instanceof Arithmetic.Mul) || !privateTo(mul, 1) || mul.shape().rank() != 2
        || !sameTensors(mul, mul.input(0), mul.input(1))) {
      return null;
    }
    return new CrossEntropy(List.of(mul, sum, neg), mul.input(0), mul.input(1));
  }

  private Chain dot(Node sum) {
    Node mul = g.node(sum.input(0));
    int rank = mul.shape().rank();
    if (!sum.shape().isScalar() || keepDims(sum) || rank == 0 || !((Reductions.Sum) sum.op()).axes().equals(Shape.allAxes(rank))
        || !(mul.op() instanceof Arithmetic.Mul) || !privateTo(mul, 1)) {
      return null;
    }
    int a = mul.input(0);
    int b = mul.input(1);
    if (g.isHost(a) || g.isHost(b) || !g.shape(a).equals(mul.shape()) || !g.shape(b).equals(mul.shape())) {
      return null;
    }
    return new Dot(List.of(mul), a, b);
  }

  private Chain logSoftmaxVjp(Node sub) {
    if (sub.shape().rank() != 2) {
      return null;
    }
    Node a = g.node(sub.input(0));
    Node mul = g.node(sub.input(1));
    if (!(mul.op() instanceof Arithmetic.Mul) || !privateTo(mul, 1) || !sameTensors(sub, a.id(), a.id())) {
      return null;
    }
    Node exp = g.node(mul.input(0));
    Node sum = g.node(mul.input(1));
    if (!(exp.op() instanceof Activations.Exp)) {
      Node t = exp;
      exp = sum;
      sum = t;
    }
    if (!(exp.op() instanceof Activations.Exp) || !privateTo(exp, 1) || !sameTensors(sub, exp.input(0), exp.input(0))
        || !(sum.op() instanceof Reductions.Sum) || !axes(sum, 1) || !keepDims(sum) || sum.input(0) != a.id() || !privateTo(sum, 1)) {
      return null;
    }
    int logP = exp.input(0);
    // a = y * s with a host scalar s, read only by this chain: scale inside the kernel
    if (a.op() instanceof Arithmetic.Mul && privateTo(a, 2)) {
      int l = a.input(0);
      int r = a.input(1);
      if (g.isHost(r) && sameTensors(sub, l, l)) {
        return new LogSoftmaxVjp(List.of(a, exp, sum, mul), l, r, logP);
      }
      if (g.isHost(l) && sameTensors(sub, r, r)) {
        return new LogSoftmaxVjp(List.of(a, exp, sum, mul), r, l, logP);
      }
    }
    return new LogSoftmaxVjp(List.of(exp, sum, mul), a.id(), -1, logP);
  }

  private static boolean axes(Node n, int axis) {
    return n.op() instanceof Reductions.Reduce r && r.axes().equals(List.of(axis));
  }

  private static boolean keepDims(Node n) {
    return ((Reductions.Reduce) n.op()).keepDims();
  }

  /** The node is read by exactly {@code uses} statements (all in the chain) and by no API method. */
  private boolean privateTo(Node n, int uses) {
    return !pinned.contains(n.id()) && consumers.getOrDefault(n.id(), 0) == uses;
  }

  /** Both operands are tensors (not host scalars) of the reference node's rank-2 shape. */
  private boolean sameTensors(Node ref, int x, int y) {
    return !g.isHost(x) && !g.isHost(y) && g.shape(x).equals(ref.shape()) && g.shape(y).equals(ref.shape())
        && ref.shape().rank() == 2;
  }
}
