package dev.bpnet.dsl.ir;

import com.palantir.javapoet.ClassName;

/**
 * What a primitive's emission may ask of the code generator, for the node being generated.
 * Formats are JavaPoet's ({@code $N} a name, {@code $T} a type, {@code $L} a literal).
 * Allocation code runs once per batch size, step code every step; ND4J op objects are bound
 * to their buffers at allocation and re-executed (building one costs about as much as running
 * it at these sizes), so a step allocates nothing.
 */
public interface Emission {
  ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
  ClassName KERNELS = ClassName.get("dev.bpnet.runtime", "Kernels");
  ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  /**
   * An expression allocating a zero-filled buffer of a shape ({@code batch} for the batch) for
   * the current batch size: its memory is freed when the batch size changes ({@code
   * dev.bpnet.runtime.Buffers}).
   */
  static com.palantir.javapoet.CodeBlock zeros(Shape s) {
    return s.isScalar() ? com.palantir.javapoet.CodeBlock.of("buffers.zeros(dtype)")
        : com.palantir.javapoet.CodeBlock.of("buffers.zeros(dtype, $L)", dims(s));
  }

  /**
   * An expression binding an op object that holds scratch arrays of the current batch size
   * ({@code new cls(args)}): closed when the batch size changes.
   */
  static com.palantir.javapoet.CodeBlock owned(ClassName cls, com.palantir.javapoet.CodeBlock args) {
    return com.palantir.javapoet.CodeBlock.of("buffers.own(new $T($L))", cls, args);
  }

  /** An ND4J op class, {@code org.nd4j.linalg.api.ops.impl.<pkg>.<name>}. */
  static ClassName op(String pkg, String name) {
    return ClassName.get("org.nd4j.linalg.api.ops.impl." + pkg, name);
  }

  /** The buffer of the node being generated. */
  String out();

  /** The buffer of a tensor node. */
  String name(int id);

  /** An operand as a tensor: a host scalar becomes a 0-d array filled at allocation. */
  String tensor(int id);

  /** A host scalar as a Java double expression. */
  String host(int id);

  /** A host scalar's expression or a tensor's buffer name. */
  default String operand(int id) {
    return isHost(id) ? host(id) : name(id);
  }

  boolean isHost(int id);

  Shape shape(int id);

  /** Binds {@code new cls(args)} at allocation; the step executes it. */
  void exec(ClassName cls, String format, Object... args);

  /** A statement of the step. */
  void step(String format, Object... args);

  /** A comment line in the step. */
  void comment(String format, Object... args);

  /** A statement of the allocation. */
  void alloc(String format, Object... args);

  /** A new INDArray field named after the node ("hZ" + "Mask"). */
  String helper(String suffix, String doc);

  /**
   * A field named {@code name} shared by every node that asks for it, declared and allocated
   * (by {@code allocFormat}) once.
   */
  String shared(String name, String doc, String allocFormat, Object... args);

  /** A field of type {@code cls} for an object bound at allocation, named after the node. */
  String field(ClassName cls);

  /**
   * Declares the object in field {@code op} a convolution of the runtime (a {@code
   * Convolutions.ConvOp}) reading {@code reads} and writing the node's buffer: the allocation then
   * lets it read, from the convolutions that run before it in a step, their copies of those
   * arrays in oneDNN's layouts ({@code reuse}) instead of reordering them again.
   */
  void convolution(String op, java.util.List<Integer> reads);

  /**
   * False when generating the unfused reference code that tests compare against: every node
   * its own ND4J statement, no hand-written kernels where a plain op exists.
   */
  boolean fused();

  /** The dimensions of a shape as Java arguments, with the batch size read from {@code batch}. */
  static String dims(Shape s) {
    return String.join(", ", s.dims().stream().map(d -> d == Shape.BATCH ? "batch" : d + "L").toList());
  }

  /** A double as a Java literal. */
  static String literal(double v) {
    if (Double.isNaN(v)) {
      return "Double.NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
    }
    return Double.toString(v);
  }
}
