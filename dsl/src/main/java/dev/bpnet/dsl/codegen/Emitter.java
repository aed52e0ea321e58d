package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.HostScalar;
import dev.bpnet.dsl.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Turns IR nodes into generated Java: a field per tensor, its allocation (once per batch size)
 * and the statement computing it, which the node's primitive writes ({@link
 * dev.bpnet.dsl.ir.Primitive#emit}) through a {@link NodeEmission}. Host scalars (constants,
 * sizes, arithmetic on them) become inline Java expressions; views (reshapes, rule values,
 * stop-gradients) are made at allocation time, so a step allocates nothing.
 */
final class Emitter {
  static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  static final ClassName ND4J = Emission.ND4J;
  static final ClassName BUFFERS = ClassName.get("dev.bpnet.runtime", "Buffers");

  private final Graph g;
  private final Names names;
  private final MathText math;
  private final Fusions fusions;
  private final Map<Integer, CodeBlock> steps = new HashMap<>();
  private final Map<String, String> shared = new HashMap<>();
  /** The convolutions bound so far, by the node whose buffer each writes. */
  private final Map<Integer, Convolution> convolutions = new HashMap<>();
  final List<FieldSpec> fields = new ArrayList<>();

  /** A runtime convolution op: its field, the buffers it reads, the node whose buffer it writes. */
  private record Convolution(String op, List<Integer> reads, int writes) {}

  Emitter(Graph g, Names names, Fusions fusions) {
    this.g = g;
    this.names = names;
    this.math = new MathText(g);
    this.fusions = fusions;
  }

  Graph graph() {
    return g;
  }

  Fusions fusions() {
    return fusions;
  }

  String name(int id) {
    return names.of(id);
  }

  /** True for nodes that are views of another buffer (no statement of their own). */
  boolean isView(Node n) {
    return n.op().view(new NodeEmission(this, n, null, null), n) != null;
  }

  /** A new helper field (a view or a scalar buffer) named after a node. */
  String helperField(int id, String suffix, String doc) {
    String f = names.derived(id, suffix);
    fields.add(FieldSpec.builder(INDARRAY, f, Modifier.PRIVATE).addJavadoc(doc).build());
    return f;
  }

  /** A field shared by every node that asks for {@code name}: declared and allocated once. */
  String sharedField(String name, String doc, CodeBlock.Builder alloc, CodeBlock init) {
    return shared.computeIfAbsent(name, k -> {
      String f = names.unique(k);
      fields.add(FieldSpec.builder(INDARRAY, f, Modifier.PRIVATE).addJavadoc(doc).build());
      alloc.addStatement("$N = $L", f, init);
      return f;
    });
  }

  /** A field of another type for an object bound at allocation, named after a node. */
  String objectField(int id, ClassName cls) {
    String f = names.derived(id, "Op");
    fields.add(FieldSpec.builder(cls, f, Modifier.PRIVATE).build());
    return f;
  }

  /** Records that node {@code id}'s statement is the convolution in field {@code op}, reading {@code reads}. */
  void convolution(int id, String op, List<Integer> reads) {
    convolutions.put(id, new Convolution(op, List.copyOf(reads), id));
  }

  /**
   * The allocation statements that let each convolution read its inputs from the copies in
   * oneDNN's layouts that convolutions running before it made of the same buffers ({@code
   * Convolutions.ConvOp.reuse}), a piece per statement; {@code runOrder} lists the nodes in the
   * order a step computes them. Sound because a step writes each buffer once, by its node's
   * statement, before any statement reading it (inputs are copied in before the first pass,
   * parameters updated after the last), so a copy made in the step stays equal to its buffer.
   */
  List<CodeBlock> layoutSharing(List<Node> runOrder) {
    Map<Integer, List<String>> touching = new HashMap<>();
    List<CodeBlock> pieces = new ArrayList<>();
    for (Node n : runOrder) {
      Convolution c = convolutions.get(n.id());
      if (c == null) {
        continue;
      }
      java.util.LinkedHashSet<String> earlier = new java.util.LinkedHashSet<>();
      c.reads().forEach(r -> earlier.addAll(touching.getOrDefault(r, List.of())));
      if (!earlier.isEmpty()) {
        if (pieces.isEmpty()) {
          pieces.add(CodeBlock.of("// each convolution reads, from those that run before it in a step, the copies of its\n"
              + "// inputs they made in oneDNN's layouts, instead of reordering the same buffers again\n"));
        }
        pieces.add(CodeBlock.of("$N.reuse($L);\n", c.op(), String.join(", ", earlier)));
      }
      c.reads().forEach(r -> touching.computeIfAbsent(r, k -> new ArrayList<>()).add(c.op()));
      touching.computeIfAbsent(c.writes(), k -> new ArrayList<>()).add(c.op());
    }
    return pieces;
  }

  /** Declares the field of a tensor node. */
  void declare(Node n, String doc) {
    fields.add(FieldSpec.builder(INDARRAY, name(n.id()), Modifier.PRIVATE)
        .addJavadoc("$L $L", doc, n.shape()).build());
  }

  /** Allocation code for a buffer or view node; views reuse their input's memory. */
  CodeBlock alloc(Node n) {
    String view = n.op().view(new NodeEmission(this, n, null, null), n);
    if (view != null) {
      return CodeBlock.of("$N = $L;\n", name(n.id()), view);
    }
    return CodeBlock.of("$N = $L;\n", name(n.id()), Emission.zeros(n.shape()));
  }

  /** Allocation-time setup of a computed node (helpers, bound ops); records its step code. */
  void prepare(Node n, CodeBlock.Builder allocation) {
    CodeBlock.Builder step = CodeBlock.builder();
    NodeEmission e = new NodeEmission(this, n, allocation, step);
    Fusions.Chain chain = fusions.at(n.id());
    if (chain != null) {
      chain.emit(e);
    } else {
      n.op().emit(e, n);
    }
    steps.put(n.id(), step.build());
  }

  /** False for nodes whose value is set once at allocation (a filled constant): no statement in a pass. */
  boolean computesEachStep(Node n) {
    CodeBlock step = steps.get(n.id());
    return step == null || !step.isEmpty() || fusions.at(n.id()) != null;
  }

  /**
   * The statement group computing a node, with its comment; a fused chain's comment lists the
   * math of every node it computes.
   */
  CodeBlock compute(Node n) {
    CodeBlock.Builder b = CodeBlock.builder();
    Fusions.Chain c = fusions.at(n.id());
    if (c != null) {
      c.absorbed().forEach(a -> b.add("// $L    [$L]\n", math.of(a), where(a.pos())));
    }
    return b.add("// $L    [$L]\n", math.of(n), where(n.pos())).add(steps.get(n.id())).build();
  }

  /**
   * A source position as generated comments show it: relative to the model file's directory
   * (its name), so that the generated source is the same on every machine.
   */
  static String where(dev.bpnet.dsl.diag.Pos p) {
    java.nio.file.Path name = java.nio.file.Path.of(p.file()).getFileName();
    return (name == null ? p.file() : name.toString()) + ":" + p.line() + ":" + p.col();
  }

  /**
   * The fields every class holding batch-sized buffers declares (the trainer, the model's
   * workspace): the batch size they are allocated for, and their owner.
   */
  static List<FieldSpec> batchFields() {
    return List.of(
        FieldSpec.builder(long.class, "batch", Modifier.PRIVATE)
            .addJavadoc("The batch size the buffers are allocated for; -1 before the first batch.\n")
            .initializer("-1").build(),
        FieldSpec.builder(BUFFERS, "buffers", Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("Owner of this batch size's buffers, freed at once when the size changes.\n")
            .initializer("new $T()", BUFFERS).build());
  }

  /**
   * {@code allocate(b)}: frees the previous batch size's buffers, then allocates every buffer
   * for {@code b} (split into parts when large, {@link MethodSplitter}).
   */
  static List<com.palantir.javapoet.MethodSpec> allocateMethods(List<CodeBlock> allocation) {
    return MethodSplitter.split(com.palantir.javapoet.MethodSpec.methodBuilder("allocate").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Allocates every buffer for batches of {@code b} examples; runs when the batch size changes,\n"
            + "after freeing the previous size's buffers (their off-heap memory would otherwise wait for the\n"
            + "garbage collector).\n")
        .addParameter(long.class, "b")
        .addStatement("buffers.release()")
        .addStatement("batch = b"), "allocate", 1, allocation, List.of(), CodeBlock.of(""));
  }

  /** A host scalar as a Java double expression. */
  String host(int id) {
    Node n = g.node(id);
    List<String> args = new ArrayList<>();
    HostScalar h = (HostScalar) n.op();
    if (h.readsValues()) {
      n.inputs().forEach(i -> args.add(host(i)));
    }
    return h.java(args);
  }

  /**
   * The allocation code of tensor nodes, a piece per node: its field, its buffer or view, and
   * the helpers and bound ops its statement needs. The trainer and the forward-only model class
   * both allocate through here.
   */
  List<CodeBlock> allocation(List<Node> tensors) {
    List<CodeBlock> pieces = new ArrayList<>();
    for (Node n : tensors) {
      if (fusions.absorbed(n.id())) {
        continue;
      }
      CodeBlock.Builder b = CodeBlock.builder();
      boolean input = n.op() instanceof dev.bpnet.dsl.ir.Leaves.Input;
      if (!input) {
        declare(n, isView(n) ? "View:" : "Buffer:");
      }
      b.add(alloc(n));
      if (!input && !isView(n)) {
        prepare(n, b);
      }
      pieces.add(b.build());
    }
    return pieces;
  }

  /** The statements computing {@code nodes} in order (views and values set at allocation have none). */
  List<CodeBlock> statements(List<Node> nodes) {
    List<CodeBlock> pieces = new ArrayList<>();
    for (Node n : nodes) {
      if (!isView(n) && !fusions.absorbed(n.id()) && computesEachStep(n)) {
        pieces.add(compute(n));
      }
    }
    return pieces;
  }
}
