package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The ND4J statement for each primitive, writing into the node's preallocated buffer. Fused
 * ND4J ops are used where they exist (sigmoid/tanh/relu backprop, bias add, softmax), gemm
 * takes transposes as flags, and scalar operands use ND4J's scalar ops.
 */
final class OpStatements {
  private static final String OPS = "org.nd4j.linalg.api.ops.impl.";
  private static final ClassName KERNELS = ClassName.get("dev.bpnet.runtime", "Kernels");
  private static final ClassName CMP = KERNELS.nestedClass("Cmp");

  private final Emitter e;
  private final Graph g;
  /** Per node: its helper view (a keep-dims reduction target or a transpose source). */
  private final Map<Integer, String> views = new HashMap<>();
  /** Per node and input position: the 0-d buffer standing in for a host scalar operand. */
  private final Map<Integer, Map<Integer, String>> scalars = new HashMap<>();

  OpStatements(Emitter e) {
    this.e = e;
    this.g = e.graph();
  }

  private static ClassName op(String pkg, String name) {
    return ClassName.get(OPS + pkg, name);
  }

  void allocHelpers(Node n, CodeBlock.Builder b) {
    String out = e.name(n.id());
    switch (n.op()) {
      case SUM, MEAN -> {
        if (n.attrs().keepDims()) {
          Shape reduced = reducedShape(n);
          String f = e.helperField(n.id(), "Reduced", "View of the reduction without its kept axes.");
          b.addStatement("$N = $N.reshape('c', new long[] {$L})", f, out, Emitter.dims(reduced));
          views.put(n.id(), f);
        }
      }
      case TRANSPOSE -> {
        String f = e.helperField(n.id(), "Source", "Permuted view of the input, copied each step.");
        String perm = n.attrs().ints().stream().map(String::valueOf).collect(Collectors.joining(", "));
        b.addStatement("$N = $N.permute($L)", f, e.name(n.input(0)), perm);
        views.put(n.id(), f);
      }
      default -> { }
    }
    // ops that need tensor operands get 0-d buffers for host scalars
    if (needsTensorOperands(n)) {
      Map<Integer, String> m = new HashMap<>();
      for (int i = 0; i < n.inputs().size(); i++) {
        int in = n.input(i);
        if (g.isHost(in)) {
          String f = e.helperField(in, "Scalar", "A host scalar as a 0-d array, refilled each step.");
          b.addStatement("$N = $T.create(dtype)", f, Emitter.ND4J);
          m.put(i, f);
        }
      }
      scalars.put(n.id(), m);
    }
  }

  private boolean needsTensorOperands(Node n) {
    boolean hostBounds = n.op() == Op.CLAMP && g.isHost(n.input(1)) && g.isHost(n.input(2));
    return !(n.op().isElementwiseBinary() || n.op() == Op.BROADCAST || hostBounds);
  }

  void statement(Node n, CodeBlock.Builder b) {
    String out = e.name(n.id());
    List<String> in = operands(n, b);
    String a = in.isEmpty() ? null : in.get(0);
    String x = in.size() < 2 ? null : in.get(1);
    switch (n.op()) {
      case ADD, SUB, MUL, DIV, POW, GT, GE, LT, LE, EQ, NE -> binary(n, b, out);
      case NEG -> exec(b, op("transforms.same", "Negative"), a, out);
      case EXP -> exec(b, op("transforms.strict", "Exp"), a, out);
      case LOG -> exec(b, op("transforms.strict", "Log"), a, out);
      case SQRT -> exec(b, op("transforms.floating", "Sqrt"), a, out);
      case SIGMOID -> exec(b, op("transforms.strict", "Sigmoid"), a, out);
      case TANH -> exec(b, op("transforms.strict", "Tanh"), a, out);
      case RELU -> b.addStatement("$T.exec(new $T($N, $N, 0.0))", Emitter.ND4J, op("scalar", "RectifiedLinear"), a, out);
      case LEAKY_RELU -> b.addStatement("$T.exec(new $T($N, $N, $L))", Emitter.ND4J, op("scalar", "LeakyReLU"), a, out, Emitter.literal(n.attrs().value()));
      case SIGMOID_BP -> exec(b, op("transforms.gradient", "SigmoidDerivative"), a, x, out);
      case TANH_BP -> exec(b, op("transforms.gradient", "TanhDerivative"), a, x, out);
      case RELU_BP -> exec(b, op("scalar", "RectifiedLinearDerivative"), a, x, out);
      case LEAKY_RELU_BP -> b.addStatement("$T.exec(new $T($N, $N, $N, $L))", Emitter.ND4J, op("transforms.gradient", "LeakyReLUBp"), a, x, out, Emitter.literal(n.attrs().value()));
      case CLAMP -> clamp(n, b, in, out);
      case WHERE -> b.addStatement("$T.where($N, $N, $N, $N)", KERNELS, a, x, in.get(2), out);
      case MATMUL -> b.addStatement("$T.gemm($N, $N, $N, $L, $L, 1.0, 0.0)", Emitter.ND4J, a, x, out, n.attrs().transA(), n.attrs().transB());
      case BIAS_ADD -> b.addStatement("$T.exec(new $T($N, $N, $N, false))", Emitter.ND4J, op("broadcast", "BiasAdd"), a, x, out);
      case TRANSPOSE -> b.addStatement("$N.assign($N)", out, views.get(n.id()));
      case BROADCAST -> broadcast(n, b, out);
      case SUM -> reduce(n, b, op("reduce.same", "Sum"), a, out);
      case MEAN -> reduce(n, b, op("reduce.floating", "Mean"), a, out);
      case SOFTMAX -> b.addStatement("$T.exec(new $T($N, $N, $L))", Emitter.ND4J, op("transforms.custom", "SoftMax"), a, out, n.attrs().ints().get(0));
      case LOG_SOFTMAX -> logSoftmax(n, b, a, out);
      default -> throw new IllegalStateException("no statement for " + n.op());
    }
  }

  /** Operand names; host scalars of tensor-only ops are first copied into their 0-d buffers. */
  private List<String> operands(Node n, CodeBlock.Builder b) {
    List<String> names = new ArrayList<>();
    Map<Integer, String> m = scalars.getOrDefault(n.id(), Map.of());
    for (int i = 0; i < n.inputs().size(); i++) {
      int in = n.input(i);
      String f = m.get(i);
      if (f != null) {
        b.addStatement("$N.assign($L)", f, e.host(in));
        names.add(f);
      } else {
        names.add(g.isHost(in) ? null : e.name(in));
      }
    }
    return names;
  }

  private static void exec(CodeBlock.Builder b, ClassName op, String a, String out) {
    b.addStatement("$T.exec(new $T($N, $N))", Emitter.ND4J, op, a, out);
  }

  private static void exec(CodeBlock.Builder b, ClassName op, String a, String x, String out) {
    b.addStatement("$T.exec(new $T($N, $N, $N))", Emitter.ND4J, op, a, x, out);
  }

  private void binary(Node n, CodeBlock.Builder b, String out) {
    int l = n.input(0);
    int r = n.input(1);
    boolean hl = g.isHost(l);
    boolean hr = g.isHost(r);
    if (n.op().isComparison()) {
      b.addStatement("$T.compare($T.$L, $L, $L, $N)", KERNELS, CMP, n.op().name(),
          hl ? e.host(l) : e.name(l), hr ? e.host(r) : e.name(r), out);
      return;
    }
    if (!hl && !hr) {
      String cls = switch (n.op()) {
        case ADD -> "AddOp";
        case SUB -> "SubOp";
        case MUL -> "MulOp";
        case DIV -> "DivOp";
        default -> "PowPairwise";
      };
      exec(b, op("transforms.pairwise.arithmetic", cls), e.name(l), e.name(r), out);
    } else if (hr) {
      String t = e.name(l);
      String s = e.host(r);
      switch (n.op()) {
        case ADD -> b.addStatement("$N.add($L, $N)", t, s, out);
        case SUB -> b.addStatement("$N.sub($L, $N)", t, s, out);
        case MUL -> b.addStatement("$N.mul($L, $N)", t, s, out);
        case DIV -> b.addStatement("$N.div($L, $N)", t, s, out);
        default -> b.addStatement("$T.exec(new $T($N, $N, $L))", Emitter.ND4J, op("scalar", "Pow"), t, out, s);
      }
    } else {
      String s = e.host(l);
      String t = e.name(r);
      switch (n.op()) {
        case ADD -> b.addStatement("$N.add($L, $N)", t, s, out);
        case SUB -> b.addStatement("$N.rsub($L, $N)", t, s, out);
        case MUL -> b.addStatement("$N.mul($L, $N)", t, s, out);
        case DIV -> b.addStatement("$N.rdiv($L, $N)", t, s, out);
        default -> {
          // s^t = exp(t ln s)
          b.addStatement("$N.mul(Math.log($L), $N)", t, s, out);
          exec(b, op("transforms.strict", "Exp"), out, out);
        }
      }
    }
  }

  private void clamp(Node n, CodeBlock.Builder b, List<String> in, String out) {
    if (g.isHost(n.input(1)) && g.isHost(n.input(2))) {
      b.addStatement("$T.clamp($N, $L, $L, $N)", KERNELS, in.get(0), e.host(n.input(1)), e.host(n.input(2)), out);
    } else {
      b.addStatement("$T.clamp($N, $N, $N, $N)", KERNELS, in.get(0), in.get(1), in.get(2), out);
    }
  }

  private void broadcast(Node n, CodeBlock.Builder b, String out) {
    int x = n.input(0);
    if (g.isHost(x)) {
      b.addStatement("$N.assign($L)", out, e.host(x));
    } else {
      b.addStatement("$T.broadcast($N, $N)", KERNELS, e.name(x), out);
    }
  }

  private void reduce(Node n, CodeBlock.Builder b, ClassName cls, String a, String out) {
    String target = n.attrs().keepDims() ? views.get(n.id()) : out;
    String axes = n.attrs().ints().stream().map(String::valueOf).collect(Collectors.joining(", "));
    b.addStatement("$T.exec(new $T($N, $N, $L))", Emitter.ND4J, cls, a, target, axes);
  }

  private void logSoftmax(Node n, CodeBlock.Builder b, String a, String out) {
    int axis = n.attrs().ints().get(0);
    if (axis != -1 && axis != n.shape().rank() - 1) {
      throw new IllegalStateException("log_softmax is generated for the last axis only");
    }
    exec(b, op("transforms.custom", "LogSoftMax"), a, out);
  }

  private Shape reducedShape(Node n) {
    Shape x = g.shape(n.input(0));
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (!n.attrs().ints().contains(i)) {
        d.add(x.dim(i));
      }
    }
    return new Shape(d);
  }
}
