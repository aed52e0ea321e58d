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
 * The ND4J code of each primitive: what allocation prepares and what a step runs. ND4J op
 * objects are built once per batch size, bound to their buffers, and re-executed each step
 * (building one costs about as much as running it at these sizes). Host scalars are
 * constant for a batch size, so they are bound then too.
 *
 * <p>Measured choices (784-512-10, one thread): the ReLU backward pass is a Step mask and a
 * multiply (0.08 ms) rather than ND4J's fused relu_bp (0.4 ms); a sum over the batch axis of a
 * matrix is a direct BLAS gemv with a vector of ones rather than a Sum over dimension 0
 * (0.15-0.3 ms) or a gemm with a row of ones (0.05 ms through ND4J's Mmul op).
 */
final class OpStatements {
  private static final String OPS = "org.nd4j.linalg.api.ops.impl.";
  private static final ClassName KERNELS = ClassName.get("dev.bpnet.runtime", "Kernels");
  private static final ClassName CMP = KERNELS.nestedClass("Cmp");

  private final Emitter e;
  private final Graph g;
  private final Map<Integer, CodeBlock> steps = new HashMap<>();
  private CodeBlock.Builder alloc;
  private CodeBlock.Builder step;
  private Node cur;
  private final Map<String, String> onesRows = new HashMap<>();

  OpStatements(Emitter e) {
    this.e = e;
    this.g = e.graph();
  }

  private static ClassName op(String pkg, String name) {
    return ClassName.get(OPS + pkg, name);
  }

  /** Adds n's helper and op allocations to {@code allocation}; records its step code. */
  void prepare(Node n, CodeBlock.Builder allocation) {
    cur = n;
    alloc = allocation;
    step = CodeBlock.builder();
    emit(n, e.name(n.id()));
    steps.put(n.id(), step.build());
  }

  CodeBlock step(Node n) {
    return steps.get(n.id());
  }

  /** Binds an ND4J op object to buffers at allocation time; the step executes it. */
  private void exec(ClassName cls, String format, Object... args) {
    String f = e.opField(cur.id(), cls);
    alloc.addStatement("$N = new $T($L)", f, cls, CodeBlock.of(format, args));
    step.addStatement("$T.exec($N)", Emitter.ND4J, f);
  }

  /** An operand as a tensor: a host scalar becomes a 0-d buffer filled at allocation. */
  private String tensor(int id) {
    if (!g.isHost(id)) {
      return e.name(id);
    }
    String f = e.helperField(id, "Scalar", "A host scalar as a 0-d array, set when buffers are allocated.");
    alloc.addStatement("$N = $T.create(dtype)", f, Emitter.ND4J);
    alloc.addStatement("$N.assign($L)", f, e.host(id));
    return f;
  }

  private void emit(Node n, String out) {
    Fusions.Chain chain = e.fusions().at(n.id());
    if (chain != null) {
      fused(chain, out);
      return;
    }
    List<Integer> in = n.inputs();
    switch (n.op()) {
      case ADD, SUB, MUL, DIV, POW -> arithmetic(n, out);
      case HYPER -> step.addStatement("$N.assign($L)", out, n.attrs().name().equals("lr") ? "optimizer.learningRate()"
          : CodeBlock.of("dtype == $T.DOUBLE ? 1e-16 : 1e-7", TrainerGenerator.DATA_TYPE));
      case GT, GE, LT, LE, EQ, NE -> step.addStatement("$T.compare($T.$L, $L, $L, $N)", KERNELS, CMP, n.op().name(),
          operand(in.get(0)), operand(in.get(1)), out);
      case NEG -> exec(op("transforms.same", "Negative"), "$N, $N", tensor(in.get(0)), out);
      case EXP -> exec(op("transforms.strict", "Exp"), "$N, $N", tensor(in.get(0)), out);
      case LOG -> exec(op("transforms.strict", "Log"), "$N, $N", tensor(in.get(0)), out);
      case SQRT -> exec(op("transforms.floating", "Sqrt"), "$N, $N", tensor(in.get(0)), out);
      case SIGN -> exec(op("transforms.same", "Sign"), "$N, $N", tensor(in.get(0)), out);
      case ROUND -> exec(op("transforms.same", "Round"), "$N, $N", tensor(in.get(0)), out);
      case SIGMOID -> exec(op("transforms.strict", "Sigmoid"), "$N, $N", tensor(in.get(0)), out);
      case TANH -> exec(op("transforms.strict", "Tanh"), "$N, $N", tensor(in.get(0)), out);
      case RELU -> exec(op("scalar", "RectifiedLinear"), "$N, $N, 0.0", tensor(in.get(0)), out);
      case LEAKY_RELU -> exec(op("scalar", "LeakyReLU"), "$N, $N, $L", tensor(in.get(0)), out, Emitter.literal(n.attrs().value()));
      case SIGMOID_BP -> exec(op("transforms.gradient", "SigmoidDerivative"), "$N, $N, $N", tensor(in.get(0)), tensor(in.get(1)), out);
      case TANH_BP -> exec(op("transforms.gradient", "TanhDerivative"), "$N, $N, $N", tensor(in.get(0)), tensor(in.get(1)), out);
      case RELU_BP -> reluBackward(n, out);
      case LEAKY_RELU_BP -> exec(op("transforms.gradient", "LeakyReLUBp"), "$N, $N, $N, $L", tensor(in.get(0)), tensor(in.get(1)), out,
          Emitter.literal(n.attrs().value()));
      case CLAMP -> clamp(n, out);
      case WHERE -> step.addStatement("$T.where($N, $N, $N, $N)", KERNELS, tensor(in.get(0)), tensor(in.get(1)), tensor(in.get(2)), out);
      case MATMUL -> step.addStatement("$T.gemm($N, $N, $N, $L, $L, 1.0, 0.0)", Emitter.ND4J, tensor(in.get(0)),
          tensor(in.get(1)), out, n.attrs().transA(), n.attrs().transB());
      case BIAS_ADD -> exec(op("broadcast", "BiasAdd"), "$N, $N, $N, false", tensor(in.get(0)), tensor(in.get(1)), out);
      case TRANSPOSE -> transpose(n, out);
      case BROADCAST -> broadcast(n, out);
      case SUM, MEAN -> reduce(n, out);
      case SOFTMAX -> exec(op("transforms.custom", "SoftMax"), "$N, $N, $L", tensor(in.get(0)), out, n.attrs().ints().get(0));
      case LOG_SOFTMAX -> logSoftmax(n, out);
      default -> throw new IllegalStateException("no statement for " + n.op());
    }
  }

  private String operand(int id) {
    return g.isHost(id) ? e.host(id) : e.name(id);
  }

  private void arithmetic(Node n, String out) {
    int l = n.input(0);
    int r = n.input(1);
    if (!g.isHost(l) && !g.isHost(r)) {
      String cls = switch (n.op()) {
        case ADD -> "AddOp";
        case SUB -> "SubOp";
        case MUL -> "MulOp";
        case DIV -> "DivOp";
        default -> "PowPairwise";
      };
      exec(op("transforms.pairwise.arithmetic", cls), "$N, $N, $N", e.name(l), e.name(r), out);
      return;
    }
    boolean scalarRight = g.isHost(r);
    String t = e.name(scalarRight ? l : r);
    String s = e.host(scalarRight ? r : l);
    if (n.op() == Op.POW) {
      if (scalarRight) {
        exec(op("scalar", "Pow"), "$N, $N, $L", t, out, s);
      } else {
        // s^t = exp(t ln s)
        exec(op("scalar", "ScalarMultiplication"), "$N, null, $N, Math.log($L)", t, out, s);
        exec(op("transforms.strict", "Exp"), "$N, $N", out, out);
      }
      return;
    }
    String cls = switch (n.op()) {
      case ADD -> "ScalarAdd";
      case MUL -> "ScalarMultiplication";
      case SUB -> scalarRight ? "ScalarSubtraction" : "ScalarReverseSubtraction";
      default -> scalarRight ? "ScalarDivision" : "ScalarReverseDivision";
    };
    exec(op("scalar", cls), "$N, null, $N, $L", t, out, s);
  }

  private void reluBackward(Node n, String out) {
    String mask = e.helperField(n.id(), "Mask", "1 where the ReLU input is positive, 0 elsewhere.");
    alloc.addStatement("$N = $L", mask, Emitter.create(g.shape(n.input(0))));
    exec(op("scalar", "Step"), "$N, $N, 0.0", tensor(n.input(0)), mask);
    exec(op("transforms.pairwise.arithmetic", "MulOp"), "$N, $N, $N", tensor(n.input(1)), mask, out);
  }

  private void clamp(Node n, String out) {
    if (g.isHost(n.input(1)) && g.isHost(n.input(2))) {
      step.addStatement("$T.clamp($N, $L, $L, $N)", KERNELS, tensor(n.input(0)), e.host(n.input(1)), e.host(n.input(2)), out);
    } else {
      step.addStatement("$T.clamp($N, $N, $N, $N)", KERNELS, tensor(n.input(0)), tensor(n.input(1)), tensor(n.input(2)), out);
    }
  }

  private void transpose(Node n, String out) {
    String f = e.helperField(n.id(), "Source", "Permuted view of the input, copied each step.");
    String perm = n.attrs().ints().stream().map(String::valueOf).collect(Collectors.joining(", "));
    alloc.addStatement("$N = $N.permute($L)", f, e.name(n.input(0)), perm);
    step.addStatement("$N.assign($N)", out, f);
  }

  private void broadcast(Node n, String out) {
    int x = n.input(0);
    if (g.isHost(x)) {
      step.addStatement("$N.assign($L)", out, e.host(x));
    } else {
      step.addStatement("$T.broadcast($N, $N)", KERNELS, e.name(x), out);
    }
  }

  private void reduce(Node n, String out) {
    Shape xs = g.shape(n.input(0));
    boolean mean = n.op() == Op.MEAN;
    if (xs.rank() == 2 && n.attrs().ints().equals(List.of(0))) {
      batchAxisSum(n, out, mean);
      return;
    }
    String target = out;
    if (n.attrs().keepDims()) {
      target = e.helperField(n.id(), "Reduced", "View of the reduction without its kept axes.");
      alloc.addStatement("$N = $N.reshape('c', new long[] {$L})", target, out, Emitter.dims(reducedShape(n)));
    }
    String axes = n.attrs().ints().stream().map(String::valueOf).collect(Collectors.joining(", "));
    ClassName cls = mean ? op("reduce.floating", "Mean") : op("reduce.same", "Sum");
    exec(cls, "$N, $N, $L", tensor(n.input(0)), target, axes);
  }

  /**
   * Column sums (or means) of a matrix: one BLAS gemv bound to its arrays (Kernels.ColumnSums);
   * unfused, ones[1, B] @ x into a [1, n] view of out.
   */
  private void batchAxisSum(Node n, String out, boolean mean) {
    Shape xs = g.shape(n.input(0));
    String scale = mean ? "1.0 / " + (xs.dim(0) == Shape.BATCH ? "batch" : xs.dim(0)) : "1.0";
    if (!e.fusions().enabled()) {
      String length = xs.dim(0) == Shape.BATCH ? "batch" : xs.dim(0) + "L";
      String onesRow = onesRows.get(length);
      if (onesRow == null) {
        onesRow = e.sharedField(length.equals("batch") ? "onesRow" : "onesRow" + xs.dim(0), "A row of ones: column sums as a gemm.");
        alloc.addStatement("$N = $T.ones(dtype, 1L, $L)", onesRow, Emitter.ND4J, length);
        onesRows.put(length, onesRow);
      }
      String row = e.helperField(n.id(), "Row", "[1, n] view of the column sums.");
      alloc.addStatement("$N = $N.reshape('c', new long[] {1L, $LL})", row, out, xs.dim(1));
      step.addStatement("$T.gemm($N, $N, $N, false, false, $L, 0.0)", Emitter.ND4J, onesRow, tensor(n.input(0)), row, scale);
      return;
    }
    String f = e.opField(cur.id(), KERNELS.nestedClass("ColumnSums"));
    alloc.addStatement("$N = new $T($N, $N, $L)", f, KERNELS.nestedClass("ColumnSums"), tensor(n.input(0)), out, scale);
    step.addStatement("$N.run()", f);
  }

  /** One kernel call for a fused chain (see {@link Fusions}); its comment lists the chain's math. */
  private void fused(Fusions.Chain chain, String out) {
    if (chain instanceof Fusions.CrossEntropy c) {
      step.add("// fused: $N = -(1/B) sum($N * $N), one BLAS dot\n", out, e.name(c.a()), e.name(c.b()));
      step.addStatement("$T.negatedMeanDot($N, $N, $N)", KERNELS, e.name(c.a()), e.name(c.b()), out);
    } else if (chain instanceof Fusions.Dot d) {
      step.add("// fused: $N = sum($N * $N), one BLAS dot\n", out, e.name(d.a()), e.name(d.b()));
      step.addStatement("$T.dot($N, $N, $N)", KERNELS, e.name(d.a()), e.name(d.b()), out);
    } else if (chain instanceof Fusions.LogSoftmaxVjp v) {
      String s = v.scale() < 0 ? "1.0" : e.host(v.scale());
      step.add("// fused: $N = s g - exp($N) * rowsum(s g), g = $N, s = $L\n", out, e.name(v.logP()), e.name(v.g()), s);
      step.addStatement("$T.logSoftmaxVjp($N, $L, $N, $N)", KERNELS, e.name(v.g()), s, e.name(v.logP()), out);
    }
  }

  private void logSoftmax(Node n, String out) {
    int axis = n.attrs().ints().get(0);
    if (axis != -1 && axis != n.shape().rank() - 1) {
      throw new IllegalStateException("log_softmax is generated for the last axis only");
    }
    exec(op("transforms.custom", "LogSoftMax"), "$N, $N", tensor(n.input(0)), out);
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
