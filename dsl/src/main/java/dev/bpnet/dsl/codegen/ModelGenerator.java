package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Generates the forward-only class of one model ({@code <Model>Model}): the trained parameters,
 * and a nested {@code Workspace} holding the buffers of the values the model's output needs,
 * allocated and computed by the same {@link Emitter} code as the trainer's forward pass (so the
 * two compute the same bits). No label, loss, gradient or optimizer state.
 *
 * <p>Workspaces are pooled: a call to {@code predict} takes one (or makes one when every
 * workspace is in use by another thread), reallocates it when its batch size differs, and puts it
 * back. So any number of threads may predict at once, each in a workspace of its own, and a
 * thread pool that predicts at one batch size allocates nothing after the first calls.
 */
public final class ModelGenerator {
  private static final ClassName MODEL = ClassName.get("dev.bpnet.runtime", "Model");
  private static final ClassName PARAMS_FILE = ClassName.get("dev.bpnet.runtime.io", "ParamsFile");
  private static final ClassName DEQUE = ClassName.get("java.util.concurrent", "ConcurrentLinkedDeque");
  private static final ClassName PATH = ClassName.get("java.nio.file", "Path");
  private static final ClassName WORKSPACE = ClassName.get("", "Workspace");
  private static final TypeName SHAPE_MAP = ParameterizedTypeName.get(ClassName.get(Map.class),
      ClassName.get(String.class), TypeName.get(long[].class));

  private final TrainingGraph tg;
  private final Program p;
  private final Names names;
  private final Emitter emitter;
  /** The tensors the output needs (and every input, which predict copies into), in allocation order. */
  private final List<Node> tensors = new ArrayList<>();
  /** The parameters the output reads. */
  private final List<Program.Param> read = new ArrayList<>();

  private ModelGenerator(TrainingGraph tg) {
    this.tg = tg;
    this.p = tg.program();
    Graph g = tg.graph();
    this.names = new Names(g);
    Layout layout = new Layout(tg);
    // the trainer's fusions: the loss's chains lie outside the output's values; a convolution's
    // epilogue lies inside, and the model computes it the same way
    this.emitter = new Emitter(g, names, new Fusions(tg, layout, true));
    BitSet needed = g.ancestors(List.of(p.output()));
    p.inputs().forEach(l -> needed.set(l.node()));
    for (Node n : layout.tensors) {
      if (needed.get(n.id()) && !p.labels().stream().anyMatch(l -> l.node() == n.id())) {
        tensors.add(n);
      }
    }
    p.params().stream().filter(par -> needed.get(par.node())).forEach(read::add);
    Fusions f = emitter.fusions();
    if (!tensors.stream().allMatch(n -> !f.absorbed(n.id()) || needed.get(f.absorbedBy(n.id())))) {
      throw new IllegalStateException("a fused chain absorbs a value that model " + p.name() + "'s output needs");
    }
  }

  /** The forward-only class of a model, {@link Names#modelClass}. */
  public static JavaFile generate(TrainingGraph tg, String packageName) {
    return new ModelGenerator(tg).file(packageName);
  }

  private JavaFile file(String pkg) {
    String cls = Names.modelClass(p.name());
    // the trainer's naming order, so that a value has the same Java name in both classes
    p.params().forEach(par -> names.of(par.node()));
    p.inputs().forEach(l -> names.of(l.node()));
    p.labels().forEach(l -> names.of(l.node()));
    TypeSpec.Builder t = TypeSpec.classBuilder(cls)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(MODEL)
        .addAnnotation(AnnotationSpec.builder(ClassName.get("javax.annotation.processing", "Generated"))
            .addMember("value", "$S", ModelGenerator.class.getName())
            .addMember("comments", "$S", "model " + p.name()).build())
        .addJavadoc(classDoc(cls));
    t.addField(FieldSpec.builder(String.class, "MODEL", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("$S", p.name()).build());
    t.addField(FieldSpec.builder(SHAPE_MAP, "SHAPES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Every parameter of the model and its shape, as in params.npz; those the output does not read\n"
            + "(feedback matrices, for instance) are checked and not kept.\n")
        .initializer("shapes()").build());
    t.addField(TrainerGenerator.DATA_TYPE, "dtype", Modifier.PRIVATE, Modifier.FINAL);
    boolean split = read.size() + 4 > MethodSplitter.MAX_STATEMENTS;
    for (Program.Param par : read) {
      // volatile when helper methods set them (too many for the constructor): still safely published
      t.addField(FieldSpec.builder(Emitter.INDARRAY, names.of(par.node()), Modifier.PRIVATE,
              split ? Modifier.VOLATILE : Modifier.FINAL)
          .addJavadoc("Parameter {@code $L} $L (this model's copy, never written).\n", par.name(), par.shape()).build());
    }
    t.addField(FieldSpec.builder(ParameterizedTypeName.get(DEQUE, WORKSPACE), "workspaces", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Workspaces not in use; predict takes one or makes one, and puts it back.\n")
        .initializer("new $T<>()", DEQUE).build());
    constructors(t, cls, split);
    t.addMethods(shapes());
    t.addMethods(predict());
    t.addMethods(accessors());
    t.addType(workspace());
    return JavaFile.builder(pkg, t.build()).skipJavaLangImports(true).indent("  ").build();
  }

  private CodeBlock classDoc(String cls) {
    return CodeBlock.builder()
        .add("Forward-only model {@code $L}, generated by bpnet beside {@code $L}. Do not edit: regenerate.\n\n",
            p.name(), Names.trainerClass(p.name()))
        .add("<p>Computes the model's output {@code $L} from trained parameters ($L, or a run directory:\n",
            tg.graph().node(p.output()).label(), "{@link #load(Path)} reads params.npz")
        .add("its best.npz when the run kept the best epoch, else its params.npz) with no training buffers: no labels, loss,\n")
        .add("gradients or optimizer state.\n\n")
        .add("<p><b>Threading.</b> Thread-safe: any number of threads may call {@code predict} at once, with\n")
        .add("any batch sizes. The parameters are this object's own copies, never written after construction.\n")
        .add("Each call computes in a workspace (the buffers of one batch size) taken from a pool: one per\n")
        .add("thread predicting at the same moment, reallocated only when a workspace meets another batch size,\n")
        .add("so steady use at one batch size allocates nothing but the returned array. The trainer\n")
        .add("({@code $L}) is not thread-safe; build this class from its {@code parameters()} to predict\n",
            Names.trainerClass(p.name()))
        .add("while it trains or from several threads.\n")
        .build();
  }

  private void constructors(TypeSpec.Builder t, String cls, boolean split) {
    String dt = switch (p.train().dtype()) {
      case FLOAT32 -> "FLOAT";
      case FLOAT64 -> "DOUBLE";
    };
    TypeName arrays = ApiMethods.arrayMap();
    t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("The model with these parameters, in its own dtype ($L).\n\n", p.train().dtype().word())
        .addJavadoc("@param parameters every parameter of the model by name (a trainer's {@code parameters()}, or\n"
            + "    {@code Npz.read} of params.npz); copied\n")
        .addJavadoc("@throws IllegalArgumentException naming every missing, extra or misshapen parameter\n")
        .addParameter(arrays, "parameters")
        .addStatement("this(parameters, $T.$L)", TrainerGenerator.DATA_TYPE, dt).build());
    MethodSpec.Builder c = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("The model with these parameters (copied and cast), computing in {@code dtype}.\n\n")
        .addJavadoc("@throws IllegalArgumentException naming every missing, extra or misshapen parameter\n")
        .addParameter(arrays, "parameters").addParameter(TrainerGenerator.DATA_TYPE, "dtype")
        .addStatement("$T<String> problems = $T.problems(SHAPES, parameters, \"the parameters given\", true)",
            List.class, PARAMS_FILE)
        .beginControlFlow("if (!problems.isEmpty())")
        .addStatement("throw new IllegalArgumentException(String.join(\"; \", problems))")
        .endControlFlow()
        .addStatement("this.dtype = dtype");
    List<CodeBlock> copies = read.stream().map(par -> CodeBlock.builder()
        .addStatement("this.$N = parameters.get($S).castTo(dtype).dup()", names.of(par.node()), par.name()).build())
        .toList();
    if (!split) {
      copies.forEach(c::addCode);
    } else {
      MethodSpec.Builder init = MethodSpec.methodBuilder("copyParameters").addModifiers(Modifier.PRIVATE)
          .addJavadoc("Copies the parameters the output reads (in parts: the model has $L).\n", read.size())
          .addParameter(arrays, "parameters").addParameter(TrainerGenerator.DATA_TYPE, "dtype");
      t.addMethods(MethodSplitter.split(init, "copyParameters", 0, copies,
          List.of(ParameterSpec.builder(arrays, "parameters").build(),
              ParameterSpec.builder(TrainerGenerator.DATA_TYPE, "dtype").build()), CodeBlock.of("")));
      c.addStatement("copyParameters(parameters, dtype)");
    }
    t.addMethod(c.build());
    t.addMethod(MethodSpec.methodBuilder("load").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(ClassName.get("", cls))
        .addJavadoc("The model with the parameters of a file written by {@code bpnet train} (params.npz, best.npz)\n"
            + "or of a run directory (its best.npz when the run kept the best epoch, keep = best; else its params.npz), in the model's dtype.\n\n")
        .addJavadoc("@throws $T when the file cannot be read, or naming every missing, extra or\n"
            + "    misshapen parameter when it holds another model's parameters\n", ClassName.get("dev.bpnet.runtime.data", "DataException"))
        .addParameter(PATH, "paramsOrRun")
        .addStatement("return new $N($T.read(paramsOrRun, SHAPES))", cls, PARAMS_FILE).build());
    t.addMethod(MethodSpec.methodBuilder("load").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(ClassName.get("", cls))
        .addJavadoc("As {@link #load(Path)}, computing in {@code dtype}.\n")
        .addParameter(PATH, "paramsOrRun").addParameter(TrainerGenerator.DATA_TYPE, "dtype")
        .addStatement("return new $N($T.read(paramsOrRun, SHAPES), dtype)", cls, PARAMS_FILE).build());
  }

  private List<MethodSpec> shapes() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("shapes").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(SHAPE_MAP)
        .addStatement("$T m = new $T<>()", SHAPE_MAP, LinkedHashMap.class);
    List<CodeBlock> pieces = p.params().stream().map(par -> CodeBlock.builder().addStatement("m.put($S, new long[] {$L})",
        par.name(), par.shape().dims().stream().map(d -> d + "L").collect(Collectors.joining(", "))).build()).toList();
    return MethodSplitter.split(m, "shapes", 1, pieces, List.of(ParameterSpec.builder(SHAPE_MAP, "m").build()),
        CodeBlock.builder().addStatement("return $T.unmodifiableMap(m)", java.util.Collections.class).build());
  }

  private List<MethodSpec> predict() {
    List<MethodSpec> out = new ArrayList<>();
    MethodSpec.Builder m = MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC).returns(Emitter.INDARRAY)
        .addJavadoc("The model's output {@code $L} for a batch, as a new array. Thread-safe.\n",
            tg.graph().node(p.output()).label());
    List<String> args = new ArrayList<>();
    for (Program.Leaf l : p.inputs()) {
      String n = names.of(l.node());
      m.addParameter(Emitter.INDARRAY, n).addJavadoc("@param $L {@code $L} $L\n", n, l.name(), l.shape());
      args.add(n);
    }
    m.addStatement("$T w = workspaces.poll()", WORKSPACE)
        .beginControlFlow("if (w == null)")
        .addStatement("w = new $T()", WORKSPACE)
        .endControlFlow()
        .beginControlFlow("try")
        .addStatement("return w.predict($L)", String.join(", ", args))
        .nextControlFlow("finally")
        .addStatement("workspaces.push(w)")
        .endControlFlow();
    out.add(m.build());
    String expected = p.inputs().stream().map(Program.Leaf::name).collect(Collectors.joining(", ", "[", "]"));
    CodeBlock byName = p.inputs().stream()
        .map(l -> CodeBlock.of("$T.get(inputs, $S, $S)", ApiMethods.feeds(), l.name(), expected)).collect(CodeBlock.joining(", "));
    out.add(override("predict", Emitter.INDARRAY).addParameter(ApiMethods.arrayMap(), "inputs")
        .addStatement("return predict($L)", byName).build());
    return out;
  }

  private List<MethodSpec> accessors() {
    List<MethodSpec> out = new ArrayList<>();
    out.add(override("modelName", ClassName.get(String.class)).addStatement("return MODEL").build());
    out.add(override("inputNames", ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(String.class)))
        .addStatement("return $T.of($L)", List.class,
            p.inputs().stream().map(l -> "\"" + l.name() + "\"").collect(Collectors.joining(", "))).build());
    out.add(override("dataType", TrainerGenerator.DATA_TYPE).addStatement("return dtype").build());
    MethodSpec.Builder params = override("parameters", ApiMethods.arrayMap())
        .addStatement("$T m = new $T<>()", ApiMethods.arrayMap(), LinkedHashMap.class);
    read.forEach(par -> params.addStatement("m.put($S, $N)", par.name(), names.of(par.node())));
    out.add(params.addStatement("return $T.unmodifiableMap(m)", java.util.Collections.class).build());
    return out;
  }

  /**
   * The buffers of one batch size and the statements of the trainer's forward pass that the
   * output needs; an inner class, so the statements read the model's parameters by name.
   */
  private TypeSpec workspace() {
    TypeSpec.Builder w = TypeSpec.classBuilder("Workspace").addModifiers(Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The buffers of one batch size and the forward pass computing them; used by one thread at a time.\n");
    w.addFields(Emitter.batchFields());
    for (Program.Leaf l : p.inputs()) {
      w.addField(FieldSpec.builder(Emitter.INDARRAY, names.of(l.node()), Modifier.PRIVATE)
          .addJavadoc("Input {@code $L} $L, copied in each call.\n", l.name(), l.shape()).build());
    }
    List<CodeBlock> allocation = emitter.allocation(tensors);
    List<Node> computed = tensors.stream().filter(n -> !(n.op() instanceof Leaves.Input)).toList();
    allocation.addAll(emitter.layoutSharing(computed));
    w.addFields(emitter.fields);
    w.addMethods(Emitter.allocateMethods(allocation));
    w.addMethods(MethodSplitter.split(MethodSpec.methodBuilder("forward").addModifiers(Modifier.PRIVATE)
        .addJavadoc("The trainer's forward pass, restricted to what the output needs.\n"),
        "forward", 0, emitter.statements(computed), List.of(), CodeBlock.of("")));
    w.addMethod(ApiSurface.feed(names, "feedInputs", p.inputs()));
    MethodSpec.Builder predict = MethodSpec.methodBuilder("predict").returns(Emitter.INDARRAY)
        .addJavadoc("Feeds the batch, runs the forward pass and returns a copy of the output.\n");
    List<String> args = new ArrayList<>();
    for (Program.Leaf l : p.inputs()) {
      predict.addParameter(Emitter.INDARRAY, names.of(l.node()));
      args.add(names.of(l.node()));
    }
    w.addMethod(predict.addStatement("feedInputs($L)", String.join(", ", args))
        .addStatement("forward()")
        .addStatement("return $N.dup()", names.of(p.output())).build());
    return w.build();
  }

  private static MethodSpec.Builder override(String name, TypeName ret) {
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(ret);
  }
}
