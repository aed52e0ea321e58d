package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * A primitive that can be evaluated on host scalars: constants, sizes and the element-wise
 * operations. A node of such a primitive whose inputs are all host scalars is itself one: the
 * generated code computes it as a Java double expression (bound when buffers are allocated),
 * and the compiler folds it when its inputs are constants.
 */
public interface HostScalar extends Primitive {
  /** The value on constant operands (constant folding). */
  double apply(double... x);

  /** The Java double expression on operand expressions. */
  String java(List<String> x);

  /** The compact formula of a host value in comments ("B", "1/B", "0.5*B"). */
  default String hostMath(List<String> x) {
    return name() + "(" + String.join(", ", x) + ")";
  }

  /**
   * False for primitives that read only their input's shape (size): they are host scalars
   * whatever their input is.
   */
  default boolean readsValues() {
    return true;
  }
}
