package dev.bpnet.dsl.ir;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * Element-wise functions of one tensor: exp, log, sqrt, the activations, their fused backward
 * kernels ((z, g) -> g * f'(z)), and stop_gradient, sign and round. {@link #FUNCTIONS} is what
 * the language calls them: adding an activation is a record here and a line there.
 */
public final class Activations {
  private Activations() {}

  /**
   * A function of the language that applies one of these primitives: its name, its numeric
   * option (with the default) if it has one, and the initialisation gain of a dense layer it
   * follows (2 for ReLU-like units, He et al.; 1 otherwise).
   */
  public record Function(String name, String option, double dflt, DoubleFunction<Primitive> make, double gain) {
    static Function of(Primitive p, double gain) {
      return new Function(p.name(), null, Double.NaN, v -> p, gain);
    }
  }

  /** The language's element-wise functions, by name. */
  public static final Map<String, Function> FUNCTIONS = functions(
      Function.of(new Exp(), 1), Function.of(new Log(), 1), Function.of(new Sqrt(), 1),
      Function.of(new Sigmoid(), 1), Function.of(new Tanh(), 1), Function.of(new Relu(), 2),
      new Function("leaky_relu", "slope", 0.01, LeakyRelu::new, 2),
      Function.of(new Softplus(), 1),
      new Function("elu", "alpha", 1.0, Elu::new, 1),
      Function.of(new Gelu(), 1),
      Function.of(new Swish(), 1),
      Function.of(new StopGradient(), 1), Function.of(new Arithmetic.Neg(), 1),
      Function.of(new Sign(), 1), Function.of(new Round(), 1), Function.of(new Abs(), 1));

  private static Map<String, Function> functions(Function... fs) {
    Map<String, Function> m = new LinkedHashMap<>();
    for (Function f : fs) {
      m.put(f.name(), f);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** f(x) element-wise, computed by one ND4J op bound to its buffers. */
  public interface Unary extends HostScalar {
    /** The ND4J op: package below ops.impl, class, and extra constructor arguments. */
    String opPackage();

    String opClass();

    default String opArgs() {
      return "";
    }

    default Shape shape(List<Shape> in) {
      return in.get(0);
    }

    default void emit(Emission e, Node n) {
      e.exec(Emission.op(opPackage(), opClass()), "$N, $N" + opArgs(), e.tensor(n.input(0)), e.out());
    }

    default String math(List<String> a) {
      return name() + "(" + a.get(0) + ")";
    }
  }

  public record Exp() implements Unary {
    public String name() {
      return "exp";
    }

    public void export(Export x, Node n) {
      x.same(n, "Exp");
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "Exp";
    }

    public double apply(double... x) {
      return Math.exp(x[0]);
    }

    public String java(List<String> x) {
      return "Math.exp(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().mul(ct, n.id()));
    }
  }

  public record Log() implements Unary {
    public String name() {
      return "log";
    }

    public void export(Export x, Node n) {
      x.same(n, "Log");
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "Log";
    }

    public double apply(double... x) {
      return Math.log(x[0]);
    }

    public String java(List<String> x) {
      return "Math.log(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().div(ct, n.input(0)));
    }
  }

  public record Sqrt() implements Unary {
    public String name() {
      return "sqrt";
    }

    public void export(Export x, Node n) {
      x.same(n, "Sqrt");
    }

    public String opPackage() {
      return "transforms.floating";
    }

    public String opClass() {
      return "Sqrt";
    }

    public double apply(double... x) {
      return Math.sqrt(x[0]);
    }

    public String java(List<String> x) {
      return "Math.sqrt(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return List.of(o.div(o.mul(ct, o.c(0.5)), n.id()));
    }
  }

  public record Sigmoid() implements Unary {
    public String name() {
      return "sigmoid";
    }

    public void export(Export x, Node n) {
      x.same(n, "Sigmoid");
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "Sigmoid";
    }

    public double apply(double... x) {
      return 1 / (1 + Math.exp(-x[0]));
    }

    public String java(List<String> x) {
      return "(1.0 / (1.0 + Math.exp(-" + x.get(0) + ")))";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new SigmoidBp(), n.input(0), ct));
    }
  }

  public record Tanh() implements Unary {
    public String name() {
      return "tanh";
    }

    public void export(Export x, Node n) {
      x.same(n, "Tanh");
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "Tanh";
    }

    public double apply(double... x) {
      return Math.tanh(x[0]);
    }

    public String java(List<String> x) {
      return "Math.tanh(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new TanhBp(), n.input(0), ct));
    }
  }

  public record Relu() implements Unary {
    public String name() {
      return "relu";
    }

    public void export(Export x, Node n) {
      x.same(n, "Relu");
    }

    public String opPackage() {
      return "scalar";
    }

    public String opClass() {
      return "RectifiedLinear";
    }

    public String opArgs() {
      return ", 0.0";
    }

    public double apply(double... x) {
      return Math.max(x[0], 0);
    }

    public String java(List<String> x) {
      return "Math.max(" + x.get(0) + ", 0.0)";
    }

    /**
     * ct * [a > 0] with a = relu(z) itself, the same mask as [z > 0]: so z is read by nothing but
     * the ReLU, and a convolution, its bias and the ReLU can be one fused op that never stores z.
     */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new ReluBp(), n.id(), ct));
    }
  }

  public record LeakyRelu(double slope) implements Unary {
    public String name() {
      return "leaky_relu";
    }

    public void export(Export x, Node n) {
      x.same(n, "LeakyRelu", Map.of("alpha", slope));
    }

    public String opPackage() {
      return "scalar";
    }

    public String opClass() {
      return "LeakyReLU";
    }

    public String opArgs() {
      return ", " + Emission.literal(slope);
    }

    public String math(List<String> a) {
      return "leaky_relu(" + a.get(0) + ", " + slope + ")";
    }

    public String attributes() {
      return "slope " + Shape.number(slope);
    }

    public double apply(double... x) {
      return x[0] > 0 ? x[0] : slope * x[0];
    }

    public String java(List<String> x) {
      return "(" + x.get(0) + " > 0 ? " + x.get(0) + " : " + Emission.literal(slope) + " * " + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of(d.ops().apply(new LeakyReluBp(slope), n.input(0), ct));
    }
  }

  /** softplus(x) = log(1 + e^x), a smooth ReLU; its derivative is sigmoid(x). */
  public record Softplus() implements Unary {
    public String name() {
      return "softplus";
    }

    public void export(Export x, Node n) {
      x.same(n, "Softplus");
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "SoftPlus";
    }

    public double apply(double... x) {
      return Math.max(x[0], 0) + Math.log1p(Math.exp(-Math.abs(x[0])));
    }

    public String java(List<String> x) {
      return "(Math.max(" + x.get(0) + ", 0.0) + Math.log1p(Math.exp(-Math.abs(" + x.get(0) + "))))";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return List.of(o.mul(ct, o.sigmoid(n.input(0))));
    }
  }

  /**
   * |x|, for L1 terms: its derivative is sign(x) (0 at 0, the subgradient ND4J and PyTorch
   * take), whose own derivative is 0 wherever it exists, so sign's is stopped rather than refused.
   */
  public record Abs() implements Unary {
    public String name() {
      return "abs";
    }

    public String opPackage() {
      return "transforms.same";
    }

    public String opClass() {
      return "Abs";
    }

    public double apply(double... x) {
      return Math.abs(x[0]);
    }

    public String java(List<String> x) {
      return "Math.abs(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      return List.of(o.mul(ct, o.apply(new StopGradient(), o.apply(new Sign(), n.input(0)))));
    }
  }

  /** elu(x) = x for x > 0, alpha (e^x - 1) otherwise (Clevert et al.); derivative 1 or elu(x) + alpha. */
  public record Elu(double alpha) implements Unary {
    public String name() {
      return "elu";
    }

    public void export(Export x, Node n) {
      x.same(n, "Elu", Map.of("alpha", alpha));
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "ELU";
    }

    public String opArgs() {
      return ", " + Emission.literal(alpha);
    }

    public String math(List<String> a) {
      return "elu(" + a.get(0) + ", " + alpha + ")";
    }

    public String attributes() {
      return "alpha " + Shape.number(alpha);
    }

    public double apply(double... x) {
      return x[0] > 0 ? x[0] : alpha * Math.expm1(x[0]);
    }

    public String java(List<String> x) {
      return "(" + x.get(0) + " > 0 ? " + x.get(0) + " : " + Emission.literal(alpha) + " * Math.expm1(" + x.get(0) + "))";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int positive = o.compare(Arithmetic.Cmp.GT, n.input(0), o.c(0));
      int negativeSlope = o.mul(o.sub(o.c(1), positive), o.add(n.id(), o.c(alpha)));
      return List.of(o.mul(ct, o.add(positive, negativeSlope)));
    }
  }

  /**
   * gelu(x) = x/2 (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi): the tanh form of the GELU
   * (Hendrycks and Gimpel), as PyTorch's gelu(approximate = 'tanh'); within 1e-3 of the erf
   * form. One runtime kernel: ND4J's PreciseGELU computes another function.
   */
  public record Gelu() implements Unary {
    static final double K = Math.sqrt(2 / Math.PI);
    static final double C = 0.044715;

    public String name() {
      return "gelu";
    }

    public void export(Export x, Node n) {
      // opset 13 has no Gelu: its tanh form, as computed here
      String v = x.in(n, 0);
      String cube = x.node("Mul", List.of(v, x.node("Mul", List.of(v, v), Map.of())), Map.of());
      String inner = x.node("Mul", List.of(x.scalar(K), x.node("Add", List.of(v, x.node("Mul", List.of(x.scalar(C), cube), Map.of())), Map.of())), Map.of());
      String t = x.node("Add", List.of(x.scalar(1), x.node("Tanh", List.of(inner), Map.of())), Map.of());
      x.node("Mul", List.of(x.node("Mul", List.of(x.scalar(0.5), v), Map.of()), t), x.out(n), Map.of());
    }

    public String opPackage() {
      return "";
    }

    public String opClass() {
      return "";
    }

    public void emit(Emission e, Node n) {
      e.step("$T.gelu($N, $N)", Emission.KERNELS, e.tensor(n.input(0)), e.out());
    }

    public double apply(double... x) {
      double v = x[0];
      return 0.5 * v * (1 + Math.tanh(K * (v + C * v * v * v)));
    }

    public String java(List<String> x) {
      String v = x.get(0);
      return "(0.5 * " + v + " * (1.0 + Math.tanh(" + K + " * (" + v + " + " + C + " * " + v + " * " + v + " * " + v + "))))";
    }

    /** d/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) k (1 + 3c x^2), u = k (x + c x^3). */
    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int x = n.input(0);
      int x2 = o.mul(x, x);
      int u = o.mul(o.add(x, o.mul(o.mul(x2, x), o.c(C))), o.c(K));
      int du = o.mul(o.add(o.mul(x2, o.c(3 * C)), o.c(1)), o.c(K));
      int slope = o.add(o.mul(o.add(o.tanh(u), o.c(1)), o.c(0.5)), o.mul(o.mul(x, o.c(0.5)), o.apply(new TanhBp(), u, du)));
      return List.of(o.mul(ct, slope));
    }
  }

  /** swish(x) = x sigmoid(x) (SiLU; Ramachandran et al.); derivative s + x s (1 - s). */
  public record Swish() implements Unary {
    public String name() {
      return "swish";
    }

    public void export(Export x, Node n) {
      String v = x.in(n, 0);
      x.node("Mul", List.of(v, x.node("Sigmoid", List.of(v), Map.of())), x.out(n), Map.of());
    }

    public String opPackage() {
      return "transforms.strict";
    }

    public String opClass() {
      return "Swish";
    }

    public double apply(double... x) {
      return x[0] / (1 + Math.exp(-x[0]));
    }

    public String java(List<String> x) {
      return "(" + x.get(0) + " / (1.0 + Math.exp(-" + x.get(0) + ")))";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int x = n.input(0);
      return List.of(o.mul(ct, o.add(o.sigmoid(x), o.apply(new SigmoidBp(), x, x))));
    }
  }

  /** Identity forward, zero backward: a value the gradient treats as a constant. A view. */
  public record StopGradient() implements Unary {
    public String name() {
      return "stop_gradient";
    }

    public void export(Export x, Node n) {
      x.alias(n, x.in(n, 0));
    }

    public String opPackage() {
      return "";
    }

    public String opClass() {
      return "";
    }

    public void emit(Emission e, Node n) {
      // a view of its input (see view)
    }

    public String view(Emission e, Node n) {
      return e.name(n.input(0));
    }

    public double apply(double... x) {
      return x[0];
    }

    public String java(List<String> x) {
      return x.get(0);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList((Integer) null);
    }
  }

  /**
   * sign(x), with no derivative: usable where nothing differentiates through it (a backward
   * rule of a 2-pass trainer, such as sign-symmetric feedback), refused elsewhere.
   */
  public record Sign() implements Unary {
    public String name() {
      return "sign";
    }

    public void export(Export x, Node n) {
      x.same(n, "Sign");
    }

    public String opPackage() {
      return "transforms.same";
    }

    public String opClass() {
      return "Sign";
    }

    public double apply(double... x) {
      return Math.signum(x[0]);
    }

    public String java(List<String> x) {
      return "Math.signum(" + x.get(0) + ")";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      throw d.noDerivative(n);
    }
  }

  /** round(x), half away from zero as ND4J rounds; no derivative, like sign. */
  public record Round() implements Unary {
    public String name() {
      return "round";
    }

    public void export(Export x, Node n) {
      // half away from zero, as here; ONNX's Round goes to even
      String v = x.in(n, 0);
      String mag = x.node("Floor", List.of(x.node("Add", List.of(x.node("Abs", List.of(v), Map.of()), x.scalar(0.5)), Map.of())), Map.of());
      x.node("Mul", List.of(x.node("Sign", List.of(v), Map.of()), mag), x.out(n), Map.of());
    }

    public String opPackage() {
      return "transforms.same";
    }

    public String opClass() {
      return "Round";
    }

    public double apply(double... x) {
      return Math.signum(x[0]) * Math.floor(Math.abs(x[0]) + 0.5);
    }

    public String java(List<String> x) {
      return "(Math.signum(" + x.get(0) + ") * Math.floor(Math.abs(" + x.get(0) + ") + 0.5))";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      throw d.noDerivative(n);
    }
  }

  /** A fused backward kernel (z, g) -> g * f'(z): one ND4J op instead of a chain. */
  public interface Backward extends Primitive {
    default Shape shape(List<Shape> in) {
      return Arithmetic.broadcastAll(this, in);
    }
  }

  public record SigmoidBp() implements Backward {
    public String name() {
      return "sigmoid_bp";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int z = n.input(0);
      // d/dz [g s(1-s)] = g s(1-s)(1-2s)
      return Arrays.asList(o.mul(o.apply(this, z, o.mul(ct, n.input(1))), o.sub(o.c(1), o.mul(o.c(2), o.sigmoid(z)))),
          o.apply(this, z, ct));
    }

    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.gradient", "SigmoidDerivative"), "$N, $N, $N", e.tensor(n.input(0)),
          e.tensor(n.input(1)), e.out());
    }

    public String math(List<String> a) {
      return a.get(1) + " * sigmoid'(" + a.get(0) + ")";
    }
  }

  public record TanhBp() implements Backward {
    public String name() {
      return "tanh_bp";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      Ops o = d.ops();
      int z = n.input(0);
      // d/dz [g (1-t^2)] = g (1-t^2)(-2t)
      return Arrays.asList(o.mul(o.apply(this, z, o.mul(ct, n.input(1))), o.mul(o.c(-2), o.tanh(z))), o.apply(this, z, ct));
    }

    public void emit(Emission e, Node n) {
      e.exec(Emission.op("transforms.gradient", "TanhDerivative"), "$N, $N, $N", e.tensor(n.input(0)),
          e.tensor(n.input(1)), e.out());
    }

    public String math(List<String> a) {
      return a.get(1) + " * tanh'(" + a.get(0) + ")";
    }
  }

  /**
   * g * [z > 0] (the ReLU's VJP passes its output as z: the same mask). Emitted as one bound
   * {@code Kernels.ReluVjp} (oneDNN's eltwise backward, one pass, where it binds; else a mask and a
   * multiply); in the unfused reference a Step mask and a multiply, 0.08 ms at 784-512-10 against
   * 0.4 for ND4J's fused relu_bp (measured, one thread).
   */
  public record ReluBp() implements Backward {
    public String name() {
      return "relu_bp";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(null, d.ops().apply(this, n.input(0), ct));
    }

    public void emit(Emission e, Node n) {
      if (e.fused()) {
        var cls = Emission.KERNELS.nestedClass("ReluVjp");
        String f = e.field(cls);
        e.alloc("$N = new $T($N, $N, $N, buffers)", f, cls, e.tensor(n.input(0)), e.tensor(n.input(1)), e.out());
        e.step("$N.run()", f);
        return;
      }
      String mask = e.helper("Mask", "1 where the ReLU input is positive, 0 elsewhere.");
      e.alloc("$N = $L", mask, Emission.zeros(e.shape(n.input(0))));
      e.exec(Emission.op("scalar", "Step"), "$N, $N, 0.0", e.tensor(n.input(0)), mask);
      e.exec(Emission.op("transforms.pairwise.arithmetic", "MulOp"), "$N, $N, $N", e.tensor(n.input(1)), mask, e.out());
    }

    public String math(List<String> a) {
      return a.get(1) + " * [" + a.get(0) + " > 0]";
    }
  }

  public record LeakyReluBp(double slope) implements Backward {
    public String name() {
      return "leaky_relu_bp";
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return Arrays.asList(null, d.ops().apply(this, n.input(0), ct));
    }

    /**
     * g * [z >= 0 ? 1 : slope], as a mask and a multiply. ND4J's fused LeakyReLUBp passes the
     * slope to its kernel as a float (0.2 becomes 0.20000000298), so in float64 its gradients were
     * off by up to 1.5e-8 relative; the scalar op LeakyReLUDerivative takes it in the arrays' type.
     * Also faster at [128, 512] float32, one thread: 40-90 us against 680-1000 us for
     * LeakyReLUBp and 270-560 us for a Java loop over the buffers (measured). At z = 0 both ND4J
     * ops give g, as before.
     */
    public void emit(Emission e, Node n) {
      String mask = e.helper("Slope", "1 where the leaky ReLU input is at least 0, its slope elsewhere.");
      e.alloc("$N = $L", mask, Emission.zeros(e.shape(n.input(0))));
      e.exec(Emission.op("transforms.gradient", "LeakyReLUDerivative"), "$N, $N, $L", e.tensor(n.input(0)), mask,
          Emission.literal(slope));
      e.exec(Emission.op("transforms.pairwise.arithmetic", "MulOp"), "$N, $N, $N", e.tensor(n.input(1)), mask, e.out());
    }

    public String math(List<String> a) {
      return a.get(1) + " * leaky_relu'(" + a.get(0) + ", " + slope + ")";
    }

    public String attributes() {
      return "slope " + Shape.number(slope);
    }
  }

  /** The walk test's applications of this family: every function of the language, and the kernels. */
  static List<Primitives.Sample> samples(int rank) {
    Shape s = Primitives.batch(rank);
    Primitives.Operand x = Primitives.Operand.of(s);
    List<Primitives.Sample> l = new java.util.ArrayList<>();
    for (Function f : FUNCTIONS.values()) {
      Primitive p = f.make().apply(f.option() == null ? Double.NaN : 0.3);
      boolean positive = p instanceof Log || p instanceof Sqrt;
      Primitives.Expect expect = p instanceof Sign || p instanceof Round ? Primitives.Expect.NONE
          : p instanceof StopGradient ? Primitives.Expect.ZERO : Primitives.Expect.GRADIENT;
      l.add(new Primitives.Sample(p, List.of(positive ? Primitives.Operand.positive(s) : x), expect));
    }
    for (Primitive p : List.of(new SigmoidBp(), new TanhBp(), new ReluBp(), new LeakyReluBp(0.2))) {
      l.add(Primitives.Sample.of(p, x, x));
    }
    return l;
  }
}
