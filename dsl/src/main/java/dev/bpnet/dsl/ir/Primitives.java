package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The registry: every family of primitives, and for each primitive the sample applications
 * the primitive walk test checks (against finite differences, first and second order, at rank
 * 2 and rank 4). A primitive class that no family samples fails that test.
 */
public final class Primitives {
  private Primitives() {}

  /** The families, one file each. */
  public static final List<Class<?>> FAMILIES = List.of(Leaves.class, Arithmetic.class, Activations.class,
      LinearAlgebra.class, Layouts.class, Reductions.class, Softmaxes.class, Convolutions.class);

  /**
   * Leaves and stand-ins, which the walk cannot apply to sample operands: inputs and parameters
   * are every test's operands, constants and sizes fold into the others' host forms, a rule's
   * value and its template's cotangent are checked by the rule tests, an optimizer rule's values
   * and masks by the optimizer tests (they appear in no model), dropout masks and the training flag by the
   * dropout and batch norm tests (the walk samples dropout with a fixed 0/1 mask, where with a 0/1
   * condition).
   */
  public static final List<Class<? extends Primitive>> STRUCTURAL = List.of(Leaves.Input.class, Leaves.Param.class,
      Leaves.Const.class, Leaves.Size.class, Leaves.Hyper.class, Leaves.Rule.class, Leaves.Cotangent.class,
      Leaves.RuleScalar.class, Leaves.RuleElement.class, Leaves.Bernoulli.class, Leaves.DropoutMask.class,
      Leaves.Training.class);

  /** How the walk makes an operand. */
  public enum Domain {
    /** x + theta: an input plus a parameter of its per-example shape (or a parameter alone, without the batch). */
    ANY,
    /** sigmoid(x + theta) + 0.5, in (0.5, 1.5): for log, sqrt and a power's base. */
    POSITIVE,
    /** [x > 0]: a 0/1 mask with no gradient, for where's condition. */
    MASK,
    /** The host scalar {@code value}. */
    CONSTANT
  }

  public record Operand(Shape shape, Domain domain, double value) {
    public static Operand of(Shape s) {
      return new Operand(s, Domain.ANY, 0);
    }

    public static Operand positive(Shape s) {
      return new Operand(s, Domain.POSITIVE, 0);
    }

    public static Operand mask(Shape s) {
      return new Operand(s, Domain.MASK, 0);
    }

    public static Operand constant(double v) {
      return new Operand(Shape.SCALAR, Domain.CONSTANT, v);
    }
  }

  /** What differentiating a sample gives. */
  public enum Expect {
    /** the true gradient, to second order */
    GRADIENT,
    /** nothing flows back (stop_gradient): the gradients are zero */
    ZERO,
    /** no derivative: differentiating through it is a compile error (E30) */
    NONE
  }

  public record Sample(Primitive op, List<Operand> operands, Expect expect) {
    public Sample {
      operands = List.copyOf(operands);
    }

    public static Sample of(Primitive op, Operand... operands) {
      return new Sample(op, List.of(operands), Expect.GRADIENT);
    }
  }

  /** Every family's samples at {@code rank} (2 or 4). */
  public static List<Sample> samples(int rank) {
    List<Sample> all = new ArrayList<>();
    List<IntFunction<List<Sample>>> families = List.of(Arithmetic::samples, Activations::samples,
        LinearAlgebra::samples, Layouts::samples, Reductions::samples, Softmaxes::samples,
        Convolutions::samples);
    families.forEach(f -> all.addAll(f.apply(rank)));
    return all;
  }

  /** A batch of examples for samples: [B, 3] at rank 2, [B, 2, 3, 2] at rank 4. */
  public static Shape batch(int rank) {
    return rank == 2 ? Shape.of(Shape.BATCH, 3) : Shape.of(Shape.BATCH, 2, 3, 2);
  }
}
