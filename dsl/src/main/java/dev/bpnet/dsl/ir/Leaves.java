package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * Leaves and values that stand for others: inputs, parameters, constants, sizes,
 * hyperparameters, a rule's value and the placeholder of a rule's backward template.
 */
public final class Leaves {
  private Leaves() {}

  /** A leaf with a declared name (as {@code .npz} files and the trainer's API call it). */
  public interface Named extends Primitive {
    String var();
  }

  /** Leaves have no inputs, so no cotangents to give. */
  private interface Leaf extends Primitive {
    @Override
    default List<Integer> vjp(Differentiation d, Node n, int ct) {
      return List.of();
    }
  }

  /** A leaf of a declared shape whose values the trainer holds rather than computes. */
  private interface Declared extends Named, Leaf {
    Shape declared();

    default Shape shape(List<Shape> in) {
      return declared();
    }

    default void emit(Emission e, Node n) {
      // inputs are fed (the feed methods copy each batch in); parameters are initialised by the
      // constructor and moved by the optimizer
    }

    default String math(List<String> a) {
      return var();
    }
  }

  /** An input or label, fed each step. */
  public record Input(String var, Shape declared) implements Declared {
    public String name() {
      return "input";
    }

    public void export(Export x, Node n) {
      x.alias(n, x.input(n, var));
    }
  }

  /** A trainable parameter, or untrained state (a feedback matrix). */
  public record Param(String var, Shape declared) implements Declared {
    public String name() {
      return "param";
    }

    public void export(Export x, Node n) {
      x.alias(n, x.parameter(n, var));
    }
  }

  /** A training hyperparameter a rule reads, refreshed each step: {@code lr}, or {@code eps}. */
  public record Hyper(String var) implements Named, Leaf {
    public String name() {
      return "hyper";
    }

    public Shape shape(List<Shape> in) {
      return Shape.SCALAR;
    }

    public void emit(Emission e, Node n) {
      if (var.equals("lr")) {
        e.step("$N.assign(optimizer.learningRate())", e.out());
      } else {
        // difference backprop's clipping margin: 1e-16 in float64, a float32-safe value in float32
        e.step("$N.assign(dtype == $T.DOUBLE ? 1e-16 : 1e-7)", e.out(), Emission.DATA_TYPE);
      }
    }

    public String math(List<String> a) {
      return var.equals("lr") ? "the optimizer's learning rate this step" : "1e-16 in float64, 1e-7 in float32";
    }
  }

  /** A number. */
  public record Const(double value) implements HostScalar, Leaf {
    public String name() {
      return "const";
    }

    public void export(Export x, Node n) {
      x.alias(n, x.scalar(value));
    }

    public Shape shape(List<Shape> in) {
      return Shape.SCALAR;
    }

    public void emit(Emission e, Node n) {
      e.step("$N.assign($L)", e.out(), Emission.literal(value));
    }

    public String math(List<String> a) {
      return Shape.number(value);
    }

    public double apply(double... x) {
      return value;
    }

    public String java(List<String> x) {
      return Emission.literal(value);
    }

    public String hostMath(List<String> x) {
      return Shape.number(value);
    }
  }

  /**
   * The number of elements of its input over {@code axes}: {@code factor} times the batch size
   * when the batch axis is among them. A host scalar whatever its input, which it reads only
   * the shape of.
   */
  public record Size(List<Integer> axes, long factor, boolean batch) implements HostScalar {
    public Size {
      axes = List.copyOf(axes);
    }

    /** The size of a value of shape {@code s} over {@code axes}. */
    public static Size of(Shape s, List<Integer> axes) {
      long f = 1;
      boolean b = false;
      for (int a : axes) {
        int d = s.dim(a);
        b |= d == Shape.BATCH;
        f *= d == Shape.BATCH ? 1 : d;
      }
      return new Size(axes, f, b);
    }

    public String name() {
      return "size";
    }

    public void export(Export x, Node n) {
      if (!batch) {
        x.alias(n, x.scalar(factor));
      } else {
        // the batch size read from the input's shape at run time, times the static dimensions
        String b = x.node("Cast", List.of(x.node("Squeeze", List.of(x.batch(), x.ints(0)), java.util.Map.of())),
            java.util.Map.of("to", x.elementType()));
        x.node("Mul", List.of(b, x.scalar(factor)), x.out(n), java.util.Map.of());
      }
    }

    public Shape shape(List<Shape> in) {
      return Shape.SCALAR;
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return java.util.Arrays.asList((Integer) null);
    }

    public void emit(Emission e, Node n) {
      e.step("$N.assign($L)", e.out(), java(List.of()));
    }

    public String math(List<String> a) {
      return "size(" + a.get(0) + ", axes " + axes + ")";
    }

    public String attributes() {
      return "axes " + axes;
    }

    public boolean readsValues() {
      return false;
    }

    public double apply(double... x) {
      throw new IllegalStateException("size is known only at run time");
    }

    public String java(List<String> x) {
      if (!batch) {
        return factor + ".0";
      }
      return factor == 1 ? "(double) batch" : "(" + factor + ".0 * batch)";
    }

    public String hostMath(List<String> x) {
      return batch ? (factor == 1 ? "B" : factor + "B") : String.valueOf(factor);
    }
  }

  /**
   * A learning rule's value: that of input 0 (its forward body), with the derivative its rule
   * defines for the other inputs ({@link RuleBackward}). No code of its own: a view of input 0.
   */
  public record Rule(String rule) implements Primitive {
    public String name() {
      return "rule";
    }

    public void export(Export x, Node n) {
      x.alias(n, x.in(n, 0));
    }

    public Shape shape(List<Shape> in) {
      return in.get(0);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return d.rule(n, ct);
    }

    public void emit(Emission e, Node n) {
      // a view of its forward body's value (see view)
    }

    public String view(Emission e, Node n) {
      return e.name(n.input(0));
    }

    public String math(List<String> a) {
      return rule + "(" + String.join(", ", a.subList(1, a.size())) + ")";
    }

    public String attributes() {
      return rule;
    }
  }

  /**
   * A dropout mask over values of shape {@code declared}: per element 0 with probability p,
   * else 1/(1 - p), drawn once per training step (before the forward pass, so the backward and
   * third passes read the same mask) from the trainer's seeded generator; all ones outside
   * training steps (prediction, evaluation). A constant of the step: it has no inputs and no
   * gradient. {@code serial} keeps two dropouts of one value two masks.
   */
  public record DropoutMask(int serial, double p, Shape declared) implements Leaf {
    public String name() {
      return "dropout_mask";
    }

    public Shape shape(List<Shape> in) {
      return declared;
    }

    public void emit(Emission e, Node n) {
      // ones until a training step draws it; drawn or reset by the trainer's masks(training), never in a pass
      e.alloc("$N.assign(1.0)", e.out());
    }

    public void export(Export x, Node n) {
      x.alias(n, x.scalar(1));  // inference: dropout is the identity
    }

    public String math(List<String> a) {
      return "dropout mask (p = " + Shape.number(p) + ")";
    }

    public String attributes() {
      return "p " + Shape.number(p) + ", #" + serial;
    }
  }

  /**
   * 1 in a training step, 0 elsewhere (predict, evaluation): a 0-d value the trainer sets before
   * its passes, with which batch norm chooses batch statistics or running ones. No gradient.
   * Exported as 0: an inference graph evaluates.
   */
  public record Training() implements Leaf {
    public String name() {
      return "training";
    }

    public Shape shape(List<Shape> in) {
      return Shape.SCALAR;
    }

    public void emit(Emission e, Node n) {
      // set by the trainer's masks(training) before each pass; 0 (evaluation) until then
    }

    public void export(Export x, Node n) {
      x.alias(n, x.scalar(0));
    }

    public String math(List<String> a) {
      return "1 in a training step, else 0";
    }
  }

  /** The cotangent a rule's backward template is written against, bound when the rule is applied. */
  public record Cotangent(int serial, Shape declared) implements Leaf {
    public String name() {
      return "cotangent";
    }

    public Shape shape(List<Shape> in) {
      return declared;
    }

    public void emit(Emission e, Node n) {
      throw new IllegalStateException("a rule template's cotangent is bound before code is generated");
    }

    public String math(List<String> a) {
      return "ct";
    }
  }

  /** A named value of an optimizer's rule: a scalar in the rule's element-wise graph, bound by the optimizer generator. */
  private interface RuleValue extends Leaf {
    String var();

    default Shape shape(List<Shape> in) {
      return Shape.SCALAR;
    }

    default void emit(Emission e, Node n) {
      throw new IllegalStateException("an optimizer rule's values are bound by the optimizer generator");
    }

    default String math(List<String> a) {
      return var();
    }
  }

  /**
   * A host value an optimizer's rule reads by name: a hyperparameter, the update count t, the
   * epoch or the learning rate. The optimizer generator binds it to a Java variable of the
   * same name; it appears in no model.
   */
  public record RuleScalar(String var) implements HostScalar, RuleValue {
    public String name() {
      return "rule_scalar";
    }

    public double apply(double... x) {
      throw new IllegalStateException(var + " is known only at run time");
    }

    public String java(List<String> x) {
      return javaName(var);
    }

    public String hostMath(List<String> x) {
      return var;
    }

    /** The Java variable for a rule's name: the name itself, unless Java reserves it. */
    public static String javaName(String var) {
      return javax.lang.model.SourceVersion.isKeyword(var) ? var + "_" : var;
    }
  }

  /**
   * One element of an array an optimizer's rule reads: the parameter theta, its direction g or a
   * state array. The rule is element-wise, so its values are scalars in the rule's graph; the
   * optimizer generator reads them from the arrays inside its loop.
   */
  public record RuleElement(String var) implements RuleValue {
    public String name() {
      return "rule_element";
    }
  }

  /**
   * bernoulli(p): per element, 1 with probability p and 0 otherwise, from the optimizer's seeded
   * random source (reinforced backprop's mask). Not differentiable; the optimizer generator
   * draws the mask into an array before its loop.
   */
  public record Bernoulli() implements Primitive {
    public String name() {
      return "bernoulli";
    }

    public Shape shape(List<Shape> in) {
      return in.get(0);
    }

    public List<Integer> vjp(Differentiation d, Node n, int ct) {
      return java.util.Arrays.asList((Integer) null);
    }

    public void emit(Emission e, Node n) {
      throw new IllegalStateException("bernoulli masks are drawn by the optimizer generator");
    }

    public String math(List<String> a) {
      return "bernoulli(" + a.get(0) + ")";
    }
  }
}
