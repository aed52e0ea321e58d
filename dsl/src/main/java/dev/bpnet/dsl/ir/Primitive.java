package dev.bpnet.dsl.ir;

import java.util.List;

/**
 * One primitive operation of the IR, and everything the compiler knows about it: its shape
 * rule, its VJP, its ND4J emission, its math text and, for element-wise operations, its value
 * on host scalars ({@link HostScalar}). A primitive is a small record whose components are the
 * operation's attributes (the axes of a sum, the flags of a matmul), so two nodes are the same
 * computation exactly when their primitives and inputs are equal.
 *
 * <p>The families live one per file ({@link Leaves}, {@link Arithmetic}, {@link Activations},
 * {@link LinearAlgebra}, {@link Layouts}, {@link Reductions}, {@link Softmaxes}, {@link Convolutions}) and
 * {@link Primitives} lists them all; the primitive walk test checks every listed primitive
 * against finite differences to second order, so a new primitive without a correct VJP, or
 * one left out of the list, fails the build rather than a user's model.
 *
 * <p>Every VJP is written with primitives that themselves have VJPs: that is what lets the third
 * pass apply reverse mode to the backward graph.
 */
public interface Primitive {
  /** The lower-case name of IR dumps and graphs ("matmul", "sigmoid_bp"). */
  String name();

  /** The output shape for these input shapes; throws {@link ShapeException} when they do not fit. */
  Shape shape(List<Shape> inputs);

  /**
   * The cotangent contribution to each input of {@code n} (null where it is zero) given the
   * cotangent {@code ct} of its value, built with {@code d}'s operations.
   */
  List<Integer> vjp(Differentiation d, Node n, int ct);

  /** Generates the ND4J code that computes {@code n} into its buffer. */
  void emit(Emission e, Node n);

  /**
   * Writes {@code n} as ONNX nodes (opset {@link Export#OPSET}) for an exported inference graph.
   * Primitives that only backward passes use have none.
   */
  default void export(Export x, Node n) {
    throw x.unsupported(n, "it has no ONNX form (it belongs to backward passes)");
  }

  /** The formula for generated comments, with the operands' names ("h @ W"). */
  String math(List<String> args);

  /** Attributes for IR dumps ("axes [1], keepdims"); empty when there are none to show. */
  default String attributes() {
    return "";
  }

  /**
   * A node equal to this primitive applied to {@code inputs}, found by algebra (x * 1 = x, a
   * transpose absorbed by matmul's flags), or null to build it as written.
   */
  default Integer simplify(GraphBuilder g, List<Integer> inputs) {
    return null;
  }

  /**
   * The expression a node is a view of, made once at allocation (a reshape, a rule's value):
   * such nodes get no statement. Null for computed nodes.
   */
  default String view(Emission e, Node n) {
    return null;
  }

  /** Shape errors name the primitive; this makes one. */
  default ShapeException shapeError(String message) {
    return new ShapeException(null, name(), message);
  }
}
