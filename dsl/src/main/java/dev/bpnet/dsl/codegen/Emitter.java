package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Op;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Turns IR nodes into generated Java: a field per tensor, its allocation (once per batch size)
 * and the statement computing it. Host scalars (constants, sizes, arithmetic on them) become
 * inline Java expressions; reshapes and stop-gradients become views made at allocation time,
 * so a step allocates nothing.
 */
final class Emitter {
  static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");

  private final Graph g;
  private final Names names;
  private final MathText math;
  private final OpStatements ops;
  private final Fusions fusions;
  final List<FieldSpec> fields = new ArrayList<>();

  Emitter(Graph g, Names names, Fusions fusions) {
    this.g = g;
    this.names = names;
    this.math = new MathText(g);
    this.fusions = fusions;
    this.ops = new OpStatements(this);
  }

  Fusions fusions() {
    return fusions;
  }

  Graph graph() {
    return g;
  }

  String name(int id) {
    return names.of(id);
  }

  /** True for nodes that are views of another buffer (no statement of their own). */
  boolean isView(Node n) {
    return n.op() == Op.RESHAPE || n.op() == Op.STOP_GRADIENT || n.op() == Op.RULE;
  }

  /** A new helper field (a view or a scalar buffer) named after a node. */
  String helperField(int id, String suffix, String doc) {
    String f = names.derived(id, suffix);
    fields.add(FieldSpec.builder(INDARRAY, f, Modifier.PRIVATE).addJavadoc(doc).build());
    return f;
  }

  /** Declares the field of a tensor node. */
  void declare(Node n, String doc) {
    fields.add(FieldSpec.builder(INDARRAY, name(n.id()), Modifier.PRIVATE)
        .addJavadoc("$L $L", doc, n.shape()).build());
  }

  /** Allocation code for a buffer or view node; views reuse their input's memory. */
  CodeBlock alloc(Node n) {
    String out = name(n.id());
    if (n.op() == Op.STOP_GRADIENT || n.op() == Op.RULE) {
      return CodeBlock.of("$N = $N;\n", out, name(n.input(0)));
    }
    if (n.op() == Op.RESHAPE) {
      return CodeBlock.of("$N = $N.reshape('c', new long[] {$L});\n", out, name(n.input(0)), dims(n.shape()));
    }
    return CodeBlock.of("$N = $L;\n", out, create(n.shape()));
  }

  /** Allocation-time setup of a computed node: helper buffers, views, bound op objects. */
  void prepare(Node n, CodeBlock.Builder allocation) {
    ops.prepare(n, allocation);
  }

  /**
   * The statement group computing a node, with its comment; a fused chain's comment lists the
   * math of every node it computes.
   */
  CodeBlock compute(Node n) {
    CodeBlock.Builder b = CodeBlock.builder();
    Fusions.Chain c = fusions.at(n.id());
    if (c != null) {
      c.absorbed().forEach(a -> b.add("// $L    [$L]\n", math.of(a), a.pos()));
    }
    return b.add("// $L    [$L]\n", math.of(n), n.pos()).add(ops.step(n)).build();
  }

  /** A field holding an ND4J op object bound to a node's buffers. */
  String opField(int id, ClassName cls) {
    String f = names.derived(id, "Op");
    fields.add(FieldSpec.builder(cls, f, Modifier.PRIVATE).build());
    return f;
  }

  /** A field shared by several nodes (declared once). */
  String sharedField(String name, String doc) {
    String f = names.unique(name);
    fields.add(FieldSpec.builder(INDARRAY, f, Modifier.PRIVATE).addJavadoc(doc).build());
    return f;
  }

  /** An expression allocating a zero-filled array of a shape ({@code batch} for the batch). */
  static CodeBlock create(Shape s) {
    return s.isScalar() ? CodeBlock.of("$T.create(dtype)", ND4J) : CodeBlock.of("$T.create(dtype, $L)", ND4J, dims(s));
  }

  /** The dimensions of a shape as Java arguments, with the batch size read from {@code batch}. */
  static String dims(Shape s) {
    return s.dims().stream().map(d -> d == Shape.BATCH ? "batch" : d + "L").collect(Collectors.joining(", "));
  }

  /** A host scalar as a Java double expression. */
  String host(int id) {
    Node n = g.node(id);
    if (n.op() == Op.CONST) {
      return literal(n.attrs().value());
    }
    if (n.op() == Op.SIZE) {
      return size(n);
    }
    List<Integer> in = n.inputs();
    String a = in.isEmpty() ? "" : host(in.get(0));
    String b = in.size() < 2 ? "" : host(in.get(1));
    return switch (n.op()) {
      case ADD -> "(" + a + " + " + b + ")";
      case SUB -> "(" + a + " - " + b + ")";
      case MUL -> "(" + a + " * " + b + ")";
      case DIV -> "(" + a + " / " + b + ")";
      case POW -> "Math.pow(" + a + ", " + b + ")";
      case GT -> "(" + a + " > " + b + " ? 1.0 : 0.0)";
      case GE -> "(" + a + " >= " + b + " ? 1.0 : 0.0)";
      case LT -> "(" + a + " < " + b + " ? 1.0 : 0.0)";
      case LE -> "(" + a + " <= " + b + " ? 1.0 : 0.0)";
      case EQ -> "(" + a + " == " + b + " ? 1.0 : 0.0)";
      case NE -> "(" + a + " != " + b + " ? 1.0 : 0.0)";
      case NEG -> "(-" + a + ")";
      case EXP -> "Math.exp(" + a + ")";
      case LOG -> "Math.log(" + a + ")";
      case SQRT -> "Math.sqrt(" + a + ")";
      case TANH -> "Math.tanh(" + a + ")";
      case SIGMOID -> "(1.0 / (1.0 + Math.exp(-" + a + ")))";
      case RELU -> "Math.max(" + a + ", 0.0)";
      case LEAKY_RELU -> "(" + a + " > 0 ? " + a + " : " + literal(n.attrs().value()) + " * " + a + ")";
      case STOP_GRADIENT -> a;
      case SIGN -> "Math.signum(" + a + ")";
      case ROUND -> "(Math.signum(" + a + ") * Math.floor(Math.abs(" + a + ") + 0.5))";  // half away from zero, as ND4J
      default -> throw new IllegalStateException("not a host op: " + n.op());
    };
  }

  private String size(Node n) {
    Shape s = g.shape(n.input(0));
    List<String> f = new ArrayList<>();
    long stat = 1;
    for (int axis : n.attrs().ints()) {
      int d = s.dim(axis);
      if (d == Shape.BATCH) {
        f.add("batch");
      } else {
        stat *= d;
      }
    }
    f.add(0, stat + ".0");
    return f.size() == 1 ? f.get(0) : "(" + String.join(" * ", f) + ")";
  }

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
