package dev.bpnet.dsl.export;

import dev.bpnet.dsl.ir.Export;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A model's inference graph as ONNX (opset {@link Export#OPSET}): the forward values its
 * output depends on, with the trained parameters as initializers. Each primitive writes its own
 * nodes ({@link dev.bpnet.dsl.ir.Primitive#export}); learning rules do not matter at inference,
 * so a rule's value is its forward body's. The batch axis is the symbolic dimension "batch".
 */
public final class OnnxExport implements Export {
  /** Why a model cannot be exported: the node, in words. */
  public static final class Unexportable extends RuntimeException {
    Unexportable(String message) {
      super(message);
    }
  }

  private final Program program;
  private final Map<String, INDArray> values;
  private final DataType dtype;
  private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
  private final Map<Integer, String> names = new HashMap<>();
  private final Set<String> used = new HashSet<>();
  private final Map<String, String> constants = new LinkedHashMap<>();
  private String batch;
  private String firstInput;
  private int fresh;

  private OnnxExport(Program program, Map<String, INDArray> values, DataType dtype) {
    this.program = program;
    this.values = values;
    this.dtype = dtype;
  }

  /**
   * The ONNX model of {@code program}'s output with the parameter values {@code values} (by the
   * names {@code bpnet params} prints), in float32 or float64.
   *
   * @throws Unexportable naming the value and primitive that has no ONNX form, or a parameter
   *     without a value
   */
  public static byte[] export(Program program, Map<String, INDArray> values, DataType dtype, String producerVersion) {
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw new IllegalArgumentException("ONNX export writes float32 or float64, not " + dtype);
    }
    OnnxExport x = new OnnxExport(program, values, dtype);
    Graph g = program.graph();
    int output = program.output();
    BitSet needed = g.ancestors(List.of(output));
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Node n = g.node(id);
      try {
        n.op().export(x, n);
      } catch (UnsupportedOperationException e) {
        throw new Unexportable(e.getMessage());
      }
      if (!x.names.containsKey(id)) {
        throw new IllegalStateException(n.op().name() + " wrote no value for node " + id);
      }
    }
    x.graph.setName(program.name());
    String out = x.names.get(output);
    String outName = g.node(output).displayName() != null ? g.node(output).displayName() : "output";
    if (!out.equals(outName) || x.isGraphInputOrInitializer(out)) {
      // the graph's output under the model's name for it, whatever node computed it
      outName = x.unique(outName);
      x.node("Identity", List.of(out), outName, Map.of());
      out = outName;
    }
    x.graph.addOutput(x.valueInfo(out, g.shape(output)));
    return Onnx.ModelProto.newBuilder()
        .setIrVersion(Onnx.Version.IR_VERSION_2020_5_8_VALUE)
        .setProducerName("bpnet")
        .setProducerVersion(producerVersion)
        .setDocString("The inference graph of " + program.name() + ": its output from its inputs.")
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(x.graph)
        .build()
        .toByteArray();
  }

  private boolean isGraphInputOrInitializer(String name) {
    return graph.getInputList().stream().anyMatch(v -> v.getName().equals(name))
        || graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(name));
  }

  @Override
  public String in(Node n, int i) {
    return names.get(n.input(i));
  }

  @Override
  public String out(Node n) {
    return names.computeIfAbsent(n.id(), id -> unique(n.displayName() != null ? n.displayName() : "v" + id));
  }

  @Override
  public Shape shape(int id) {
    return program.graph().shape(id);
  }

  @Override
  public void alias(Node n, String name) {
    names.put(n.id(), name);
  }

  @Override
  public String input(Node n, String var) {
    String name = unique(var);
    graph.addInput(valueInfo(name, n.shape()));
    if (firstInput == null) {
      firstInput = name;
    }
    return name;
  }

  @Override
  public String parameter(Node n, String var) {
    INDArray v = values.get(var);
    if (v == null) {
      throw new Unexportable("parameter '" + var + "' has no value");
    }
    long[] dims = n.shape().dims().stream().mapToLong(Integer::longValue).toArray();
    if (!java.util.Arrays.equals(dims, v.shape())) {
      throw new Unexportable("parameter '" + var + "' has shape " + java.util.Arrays.toString(v.shape())
          + " but the model's is " + java.util.Arrays.toString(dims));
    }
    String name = unique(var);
    graph.addInitializer(tensor(name, dims, v));
    return name;
  }

  @Override
  public long elementType() {
    return dtype == DataType.DOUBLE ? Onnx.TensorProto.DataType.DOUBLE_VALUE : Onnx.TensorProto.DataType.FLOAT_VALUE;
  }

  @Override
  public void node(String type, List<String> inputs, String output, Map<String, Object> attributes) {
    Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder().setOpType(type).setName(output).addAllInput(inputs).addOutput(output);
    attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> b.addAttribute(attribute(a.getKey(), a.getValue())));
    used.add(output);
    graph.addNode(b);
  }

  @Override
  public String node(String type, List<String> inputs, Map<String, Object> attributes) {
    String out = unique(type.toLowerCase(java.util.Locale.ROOT));
    node(type, inputs, out, attributes);
    return out;
  }

  @Override
  public String scalar(double v) {
    return constants.computeIfAbsent("s" + Double.doubleToLongBits(v), k -> {
      String name = unique("const_" + dev.bpnet.dsl.ir.Shape.number(v).replace('-', 'm').replace('.', '_'));
      graph.addInitializer(tensor(name, new long[0], org.nd4j.linalg.factory.Nd4j.scalar(v)));
      return name;
    });
  }

  @Override
  public String ints(long... v) {
    return constants.computeIfAbsent("i" + java.util.Arrays.toString(v), k -> {
      String name = unique("ints");
      Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).addDims(v.length)
          .setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
      ByteBuffer bytes = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long x : v) {
        bytes.putLong(x);
      }
      graph.addInitializer(t.setRawData(ByteString.copyFrom(bytes.array())));
      return name;
    });
  }

  @Override
  public String batch() {
    if (batch == null) {
      if (firstInput == null) {
        throw new Unexportable("the output's batch size cannot be read from an input");
      }
      String shape = node("Shape", List.of(firstInput), Map.of());
      batch = node("Slice", List.of(shape, ints(0), ints(1)), Map.of());
    }
    return batch;
  }

  @Override
  public UnsupportedOperationException unsupported(Node n, String why) {
    String what = n.displayName() != null ? "'" + n.displayName() + "'" : "a value";
    return new UnsupportedOperationException(what + " (" + n.op().name() + ", " + n.pos() + ") cannot be exported: " + why);
  }

  private String unique(String base) {
    String name = base;
    for (int k = 2; used.contains(name); k++) {
      name = base + "_" + k;
    }
    used.add(name);
    return name;
  }

  private Onnx.TensorProto tensor(String name, long[] dims, INDArray v) {
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType((int) elementType());
    for (long d : dims) {
      t.addDims(d);
    }
    INDArray c = v.castTo(dtype).dup('c');
    ByteBuffer bytes = ByteBuffer.allocate((int) (c.length() * dtype.width())).order(ByteOrder.LITTLE_ENDIAN);
    if (dtype == DataType.DOUBLE) {
      for (double d : c.data().asDouble()) {
        bytes.putDouble(d);
      }
    } else {
      for (float f : c.data().asFloat()) {
        bytes.putFloat(f);
      }
    }
    return t.setRawData(ByteString.copyFrom(bytes.array())).build();
  }

  private Onnx.ValueInfoProto valueInfo(String name, Shape s) {
    Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
    for (int d : s.dims()) {
      shape.addDim(d == Shape.BATCH ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
          : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
        Onnx.TypeProto.Tensor.newBuilder().setElemType((int) elementType()).setShape(shape))).build();
  }

  private static Onnx.AttributeProto attribute(String name, Object v) {
    Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
    if (v instanceof Long l) {
      a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
    } else if (v instanceof Double d) {
      a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(d.floatValue());
    } else if (v instanceof String s) {
      a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
    } else if (v instanceof long[] ls) {
      a.setType(Onnx.AttributeProto.AttributeType.INTS);
      for (long l : ls) {
        a.addInts(l);
      }
    } else {
      throw new IllegalArgumentException("attribute " + name + ": " + v);
    }
    return a.build();
  }
}
