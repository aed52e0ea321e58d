package dev.bpnet.dsl.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.Init;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.TrainerBatch;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Arithmetic;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.HostScalar;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Primitive;
import dev.bpnet.dsl.ir.Primitives;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The primitive walk: every registered primitive ({@link Primitives}), applied to operands of
 * rank 2 and rank 4, in float64. Each sample becomes a small program, L = sum(r * out + out^2 /
 * 4) with out = op(operands) and operands x + theta (an input plus a parameter), and its
 * generated trainer is checked: g2 against finite differences of L (first order), the exact
 * g3 against finite differences of l_x (the VJP of the VJP, second order), l_x against finite
 * differences of L in the inputs, and for element-wise primitives the generated ND4J code, and
 * its VJP where a derivative is written here, against a double-precision reference to 1e-14
 * (a constant rounded to float32 is off by 1e-8). A primitive class no family samples fails
 * {@link #everyPrimitiveIsSampledAtRank2And4}.
 */
class PrimitiveWalkTest {
  private static final Pos HERE = new Pos("PrimitiveWalkTest", 1, 1);
  private static final int BATCH = 2;

  static Stream<Arguments> samples() {
    List<Arguments> l = new ArrayList<>();
    for (int rank : new int[] {2, 4}) {
      List<Primitives.Sample> s = Primitives.samples(rank);
      for (int i = 0; i < s.size(); i++) {
        l.add(Arguments.of(rank + "/" + i + " " + describe(s.get(i)), s.get(i)));
      }
    }
    return l.stream();
  }

  private static String describe(Primitives.Sample s) {
    String attrs = s.op().attributes();
    return s.op().name() + (attrs.isEmpty() ? "" : "[" + attrs + "]") + s.operands().stream()
        .map(o -> o.domain() == Primitives.Domain.CONSTANT ? Shape.number(o.value()) : o.shape().toString())
        .toList();
  }

  /**
   * Every sample's trainer, compiled in one javac task when the first test asks ({@link
   * TrainerBatch}): 20 trainers took 160-200 ms each one task apiece, 32-48 ms each in one task.
   */
  private static final class Compiled {
    static final TrainerBatch<String> ALL;

    static {
      Map<String, java.util.function.Function<String, com.palantir.javapoet.JavaFile>> sources = new LinkedHashMap<>();
      samples().forEach(a -> {
        String name = (String) a.get()[0];
        Primitives.Sample s = (Primitives.Sample) a.get()[1];
        if (s.expect() != Primitives.Expect.NONE) {
          sources.put(name, pkg -> dev.bpnet.dsl.compile.FileCompiler.generate(Passes.build(new Walk(s).program), pkg));
        }
      });
      ALL = TrainerBatch.compile(sources);
    }
  }

  @Test
  void everyPrimitiveIsSampledAtRank2And4() {
    Set<Class<?>> all = new HashSet<>();
    for (Class<?> family : Primitives.FAMILIES) {
      for (Class<?> c : family.getDeclaredClasses()) {
        if (c.isRecord() && Primitive.class.isAssignableFrom(c)) {
          all.add(c);
        }
      }
    }
    assertTrue(all.size() > 30, "found only " + all.size() + " primitive classes");
    for (int rank : new int[] {2, 4}) {
      Set<Class<?>> sampled = new HashSet<>();
      Primitives.samples(rank).forEach(s -> sampled.add(s.op().getClass()));
      for (Class<?> c : all) {
        assertTrue(sampled.contains(c) || Primitives.STRUCTURAL.contains(c),
            c.getName() + " is registered nowhere: sample it in its family's samples(" + rank + ")");
      }
    }
    for (Class<?> c : all) {
      assertTrue(c.getName().contains("$"), c + " must be declared in its family's file");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void vjpAndItsVjpMatchFiniteDifferences(String name, Primitives.Sample sample) {
    assertTrue(sample.op().name().matches("[a-z_]+"), "name " + sample.op().name());
    Walk w = new Walk(sample);
    if (sample.expect() == Primitives.Expect.NONE) {
      CompileException e = assertThrows(CompileException.class, () -> Passes.build(w.program));
      assertEquals(ErrorCode.E30, e.diagnostics().get(0).code());
      return;
    }
    TrainingGraph tg = Passes.build(w.program);
    Trainer tr = Compiled.ALL.trainer(name, DataType.DOUBLE, 5, () -> {
      try {
        return TrainerLoader.instantiate(tg, DataType.DOUBLE, 5);
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage() + "\n" + dev.bpnet.dsl.compile.FileCompiler.generate(tg, "walk"), e);
      }
    });
    Random r = new Random(name.hashCode());
    for (INDArray p : tr.parameters().values()) {
      p.assign(gaussian(r, p.shape()).muli(0.7));
    }
    Map<String, INDArray> feeds = w.feeds(r);
    Gradients g = tr.gradients(feeds);
    if (sample.expect() == Primitives.Expect.ZERO) {
      g.pass2().forEach((k, v) -> assertEquals(0.0, v.amaxNumber().doubleValue(), 0.0, "g2 of " + k + " flows through " + name));
      return;
    }
    double e2 = GradientCheckTest.maxError(tr, g.pass2(), f -> tr.gradients(feeds).loss());
    String report = String.format("primitive %-40s g2 %.1e", name, e2);
    assertTrue(e2 < GradientCheckTest.TOL, "g2 " + e2);
    if (tg.hasThirdPass()) {
      double e3 = GradientCheckTest.maxError(tr, g.pass3(), f -> tr.gradients(feeds).inputLoss());
      double ex = GradientCheckTest.inputLossError(tr, feeds, w.inputs.stream().map(Program.Leaf::name).toList(), g.inputLoss());
      report += String.format(", exact g3 %.1e, l_x %.1e", e3, ex);
      assertTrue(e3 < GradientCheckTest.TOL, "exact g3 " + e3);
      assertTrue(ex < GradientCheckTest.TOL, "l_x " + ex);
    }
    Reference ref = Reference.of(sample.op());
    if (ref != null) {
      double eh = w.hostError(ref, tr, feeds);
      report += String.format(", host %.1e", eh);
      assertTrue(eh < HOST_TOL, "ND4J and the double-precision reference differ by " + eh);
      double ev = w.vjpError(ref, tr, feeds, g);
      if (!Double.isNaN(ev)) {
        report += String.format(", vjp %.1e", ev);
        assertTrue(ev < HOST_TOL, "the generated VJP and the double-precision derivative differ by " + ev);
      }
    }
    System.out.println(report);
  }

  /**
   * How far generated float64 code may be from a double-precision reference, relative: a few
   * ulps of the transcendental functions. A constant rounded to float32 anywhere (ND4J ops that
   * take their scalar as a float, as LeakyReLUBp did its slope) is off by about 1e-8.
   */
  private static final double HOST_TOL = 1e-14;

  @Test
  void everyElementWiseFunctionHasADoublePrecisionReference() {
    for (var f : dev.bpnet.dsl.ir.Activations.FUNCTIONS.values()) {
      Primitive p = f.make().apply(0.3);
      if (!(p instanceof dev.bpnet.dsl.ir.Activations.Sign) && !(p instanceof dev.bpnet.dsl.ir.Activations.Round)
          && !(p instanceof dev.bpnet.dsl.ir.Activations.StopGradient)) {
        assertTrue(Reference.of(p) != null && Reference.of(p).derivative(0.7) != null, "no derivative reference for " + f.name());
      }
    }
  }

  /**
   * An element-wise primitive's value, and where known its derivative in its first operand, in
   * double precision: the primitive's own host evaluation, and for the fused backward kernels
   * (which have none) and every derivative, formulas written out here, apart from the compiler.
   */
  private record Reference(Primitive op) {
    static Reference of(Primitive op) {
      boolean kernel = op instanceof dev.bpnet.dsl.ir.Activations.Backward;
      return kernel || op instanceof HostScalar h && h.readsValues() ? new Reference(op) : null;
    }

    double value(double... a) {
      if (op instanceof HostScalar h) {
        return h.apply(a);
      }
      Double d = derivative(a[0]);
      return a[1] * d;
    }

    /** f'(x) of a one-operand function; for a backward kernel g * f'(z), f'(z); null if not written here. */
    Double derivative(double x) {
      double s = 1 / (1 + Math.exp(-x));
      double k = Math.sqrt(2 / Math.PI);
      if (op instanceof dev.bpnet.dsl.ir.Activations.LeakyRelu l) {
        return x > 0 ? 1 : l.slope();
      } else if (op instanceof dev.bpnet.dsl.ir.Activations.LeakyReluBp l) {
        return x >= 0 ? 1 : l.slope();
      } else if (op instanceof dev.bpnet.dsl.ir.Activations.Elu e) {
        return x > 0 ? 1 : e.alpha() * Math.exp(x);
      }
      return switch (op.name()) {
        case "exp" -> Math.exp(x);
        case "log" -> 1 / x;
        case "sqrt" -> 0.5 / Math.sqrt(x);
        case "sigmoid", "sigmoid_bp" -> s * (1 - s);
        case "tanh", "tanh_bp" -> 1 - Math.tanh(x) * Math.tanh(x);
        case "relu", "relu_bp" -> x > 0 ? 1.0 : 0.0;
        case "softplus" -> s;
        case "swish" -> s + x * s * (1 - s);
        case "neg" -> -1.0;
        case "abs" -> Math.signum(x);
        case "gelu" -> {
          double u = k * (x + 0.044715 * x * x * x);
          double t = Math.tanh(u);
          yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x);
        }
        default -> null;
      };
    }
  }

  /** A sample as a program, with the operands' leaves. */
  private static final class Walk {
    final List<Program.Leaf> inputs = new ArrayList<>();
    final List<Program.Leaf> labels = new ArrayList<>();
    final List<Program.Param> params = new ArrayList<>();
    final Program program;
    private final Primitives.Sample sample;

    Walk(Primitives.Sample sample) {
      this.sample = sample;
      GraphBuilder g = new GraphBuilder().at(HERE);
      Ops o = new Ops(g);
      List<Integer> operands = new ArrayList<>();
      for (int k = 0; k < sample.operands().size(); k++) {
        operands.add(operand(g, o, k, sample.operands().get(k)));
      }
      if (inputs.isEmpty()) {
        input(g, "batch", Shape.of(Shape.BATCH, 1));  // the batch size comes from the inputs
      }
      int out = g.add(sample.op(), operands);
      assertFalse(g.isHost(out), "a sample must compute a tensor");
      Shape s = g.shape(out);
      int r;
      if (s.isScalar()) {
        r = o.c(0.7);
      } else if (s.dim(0) == Shape.BATCH) {
        r = g.at(HERE).leaf(new Leaves.Input("r", s));
        labels.add(new Program.Leaf("r", r, s, HERE));
      } else {
        r = param(g, "r", s);
      }
      int loss = o.add(o.sumAll(o.mul(r, out)), o.mul(o.sumAll(o.mul(out, out)), o.c(0.25)));
      TrainSpec train = TrainSpec.DEFAULTS.withPasses(3).withAlpha(0.5).withThird("exact").withDtype("float64");
      program = new Program("Walk", g.build(), inputs, labels, params, out, loss, train);
    }

    private int operand(GraphBuilder g, Ops o, int k, Primitives.Operand op) {
      Shape s = op.shape();
      switch (op.domain()) {
        case CONSTANT:
          return o.c(op.value());
        case MASK:
          return o.compare(Arithmetic.Cmp.GT, input(g, "x" + k, s), o.c(0));
        default:
          int u;
          if (!s.isScalar() && s.dim(0) == Shape.BATCH) {
            Shape example = new Shape(s.dims().subList(1, s.rank()));
            u = o.add(input(g, "x" + k, s), param(g, "p" + k, example));
          } else {
            u = param(g, "p" + k, s);
          }
          return op.domain() == Primitives.Domain.POSITIVE ? o.add(o.sigmoid(u), o.c(0.5)) : u;
      }
    }

    private int input(GraphBuilder g, String name, Shape s) {
      int id = g.leaf(new Leaves.Input(name, s));
      inputs.add(new Program.Leaf(name, id, s, HERE));
      return id;
    }

    private int param(GraphBuilder g, String name, Shape s) {
      int id = g.leaf(new Leaves.Param(name, s));
      int n = (int) s.staticSize();
      params.add(new Program.Param(name, id, s, Init.ZEROS, 1.0, n, n));
      return id;
    }

    Map<String, INDArray> feeds(Random r) {
      Map<String, INDArray> f = new LinkedHashMap<>();
      for (Program.Leaf l : inputs) {
        f.put(l.name(), gaussian(r, concrete(l.shape())));
      }
      for (Program.Leaf l : labels) {
        f.put(l.name(), gaussian(r, concrete(l.shape())));
      }
      return f;
    }

    /**
     * max |ND4J's output - the primitive's host evaluation| over the output's elements, for
     * samples whose operands all have the output's shape or are constants.
     */
    double hostError(Reference h, Trainer tr, Map<String, INDArray> feeds) {
      INDArray out = tr.predict(feeds);
      List<INDArray> values = operandValues(tr, feeds, out);
      if (values == null) {
        return 0;  // broadcast operands: covered by the gradient checks
      }
      double worst = 0;
      for (long i = 0; i < out.length(); i++) {
        double want = h.value(args(values, i));
        worst = Math.max(worst, Math.abs(out.getDouble(i) - want) / Math.max(1, Math.abs(want)));
      }
      return worst;
    }

    private double[] args(List<INDArray> values, long i) {
      double[] args = new double[values.size()];
      for (int k = 0; k < args.length; k++) {
        args[k] = values.get(k) == null ? sample.operands().get(k).value() : values.get(k).getDouble(i);
      }
      return args;
    }

    /**
     * max |generated dL/dp - the reference|, relative, for the parameter p of the operand a
     * derivative is written for: the first operand of a function, the cotangent g of a backward
     * kernel (d(g f'(z))/dg = f'(z)). dL/dout = r + out/2, summed over the batch; NaN where no
     * reference applies.
     */
    double vjpError(Reference h, Trainer tr, Map<String, INDArray> feeds, Gradients g) {
      boolean kernel = h.op() instanceof dev.bpnet.dsl.ir.Activations.Backward;
      int k = kernel ? 1 : 0;
      INDArray out = tr.predict(feeds);
      List<INDArray> values = operandValues(tr, feeds, out);
      if (values == null || values.size() != k + 1 || h.derivative(0.5) == null
          || sample.operands().get(k).domain() != Primitives.Domain.ANY || !g.pass2().containsKey("p" + k)) {
        return Double.NaN;
      }
      INDArray grad = g.pass2().get("p" + k);
      double[] want = new double[(int) grad.length()];
      long perExample = grad.length();
      INDArray r = feeds.get("r");
      for (long i = 0; i < out.length(); i++) {
        double[] a = args(values, i);
        double ct = r.getDouble(i) + 0.5 * h.value(a);
        want[(int) (i % perExample)] += ct * h.derivative(a[0]);
      }
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(grad.getDouble(i) - want[i]) / Math.max(1, Math.abs(want[i])));
      }
      return worst;
    }

    /** The operands' values as the trainer saw them, or null where one is broadcast. */
    private List<INDArray> operandValues(Trainer tr, Map<String, INDArray> feeds, INDArray out) {
      List<INDArray> values = new ArrayList<>();
      for (int k = 0; k < sample.operands().size(); k++) {
        Primitives.Operand op = sample.operands().get(k);
        if (op.domain() == Primitives.Domain.CONSTANT) {
          values.add(null);
          continue;
        }
        if (op.shape().dim(0) != Shape.BATCH || !concrete(op.shape()).equals(toList(out.shape()))) {
          return null;
        }
        INDArray x = feeds.get("x" + k);
        INDArray v = op.domain() == Primitives.Domain.MASK ? x.gt(0).castTo(DataType.DOUBLE)
            : x.add(tr.parameters().get("p" + k).reshape(prepend(tr.parameters().get("p" + k).shape())).broadcast(x.shape()));
        if (op.domain() == Primitives.Domain.POSITIVE) {
          v = org.nd4j.linalg.ops.transforms.Transforms.sigmoid(v, true).addi(0.5);
        }
        values.add(v);
      }
      return values;
    }
  }

  private static long[] prepend(long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = 1;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  private static List<Long> toList(long[] a) {
    List<Long> l = new ArrayList<>();
    for (long v : a) {
      l.add(v);
    }
    return l;
  }

  /** A shape with the batch dimension made concrete. */
  private static List<Long> concrete(Shape s) {
    List<Long> l = new ArrayList<>();
    s.dims().forEach(d -> l.add(d == Shape.BATCH ? BATCH : (long) d));
    return l;
  }

  private static INDArray gaussian(Random r, List<Long> shape) {
    return gaussian(r, shape.stream().mapToLong(Long::longValue).toArray());
  }

  private static INDArray gaussian(Random r, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] v = new double[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return Nd4j.createFromArray(v).reshape(shape).castTo(DataType.DOUBLE);
  }
}
