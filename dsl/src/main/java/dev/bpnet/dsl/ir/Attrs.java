package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * Static attributes of a node. {@code name} names INPUT and PARAM leaves; {@code value} is a
 * CONST's value or LEAKY_RELU's slope; {@code ints} holds axes, a permutation or a target
 * shape; the flags are MATMUL's transposes and the reductions' keep-dims.
 */
public record Attrs(String name, double value, List<Integer> ints, boolean transA,
    boolean transB, boolean keepDims) {
  public static final Attrs NONE = new Attrs(null, 0, List.of(), false, false, false);

  public Attrs {
    ints = List.copyOf(ints);
  }

  public static Attrs named(String name) {
    return new Attrs(name, 0, List.of(), false, false, false);
  }

  public static Attrs value(double v) {
    return new Attrs(null, v, List.of(), false, false, false);
  }

  public static Attrs ints(List<Integer> ints) {
    return new Attrs(null, 0, ints, false, false, false);
  }

  public static Attrs axes(List<Integer> axes, boolean keepDims) {
    return new Attrs(null, 0, axes, false, false, keepDims);
  }

  public static Attrs matmul(boolean transA, boolean transB) {
    return new Attrs(null, 0, List.of(), transA, transB, false);
  }
}
