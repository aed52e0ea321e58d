package dev.bpnet.dsl.ir;

import java.util.List;
import java.util.Map;

/**
 * What a primitive's ONNX form may ask of the exporter, for the node being exported (the
 * counterpart of {@link Emission} for inference graphs). Values are named by strings; a
 * primitive writes its node's value to {@link #out} with one or more ONNX nodes. Attribute
 * values are {@code Long}, {@code Double}, {@code String} or {@code long[]}.
 */
public interface Export {
  /** The ONNX opset the forms below are written for. */
  int OPSET = 13;

  /** ONNX's element type code of booleans ({@code TensorProto.BOOL}), for casts. */
  long BOOL = 9;

  /** The name of input {@code i} of node {@code n}. */
  String in(Node n, int i);

  /** The name that node {@code n}'s value must have. */
  String out(Node n);

  /** The shape of the value of node {@code id}. */
  Shape shape(int id);

  /** Gives node {@code n} the value named {@code name}: no ONNX node (a view, a leaf, a constant). */
  void alias(Node n, String name);

  /** Declares the graph input for the model input {@code var}; returns its name. */
  String input(Node n, String var);

  /** Declares the initializer holding parameter {@code var}'s trained values; returns its name. */
  String parameter(Node n, String var);

  /** ONNX's element type code of the graph's floating type ({@code TensorProto.FLOAT} or DOUBLE), for casts. */
  long elementType();

  /** Adds an ONNX node of type {@code type} writing {@code output}. */
  void node(String type, List<String> inputs, String output, Map<String, Object> attributes);

  /** Adds an ONNX node and returns the fresh name of its output. */
  String node(String type, List<String> inputs, Map<String, Object> attributes);

  /** A scalar constant of the graph's element type. */
  String scalar(double v);

  /** A 1-D int64 constant (shapes, axes). */
  String ints(long... v);

  /** A 1-D int64 tensor [B]: the batch size, read from an input's shape. */
  String batch();

  /** The error for a primitive that has no ONNX form in this position. */
  UnsupportedOperationException unsupported(Node n, String why);

  /** f(x) by one ONNX node of the same arity. */
  default void same(Node n, String type) {
    same(n, type, Map.of());
  }

  default void same(Node n, String type, Map<String, Object> attributes) {
    List<String> ins = new java.util.ArrayList<>();
    for (int i = 0; i < n.inputs().size(); i++) {
      ins.add(in(n, i));
    }
    node(type, ins, out(n), attributes);
  }

  /** The shape as an int64 constant, or as a tensor built from the batch size when it has a batch axis. */
  default String shapeOf(Shape s) {
    long[] d = s.dims().stream().mapToLong(x -> x == Shape.BATCH ? 1 : x).toArray();
    int b = s.dims().indexOf(Shape.BATCH);
    if (b < 0) {
      return ints(d);
    }
    long[] before = java.util.Arrays.copyOfRange(d, 0, b);
    long[] after = java.util.Arrays.copyOfRange(d, b + 1, d.length);
    List<String> parts = new java.util.ArrayList<>();
    if (before.length > 0) {
      parts.add(ints(before));
    }
    parts.add(batch());
    if (after.length > 0) {
      parts.add(ints(after));
    }
    return parts.size() == 1 ? parts.get(0) : node("Concat", parts, Map.of("axis", 0L));
  }
}
