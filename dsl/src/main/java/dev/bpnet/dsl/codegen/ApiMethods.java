package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.bpnet.api.Schedule;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/** The generated trainer's public API and the state behind it. */
final class ApiMethods {
  private static final ClassName INDARRAY = Emitter.INDARRAY;
  private static final String RT = "dev.bpnet.runtime";
  private static final ClassName STEP_RESULT = ClassName.get(RT, "StepResult");
  private static final ClassName GRADIENTS = ClassName.get(RT, "Gradients");
  private static final ClassName OPTIMIZER = ClassName.get(RT, "Optimizer");
  private static final ClassName FEEDS = ClassName.get(RT, "Feeds");
  private static final ClassName KERNELS = ClassName.get(RT, "Kernels");
  private static final ClassName INIT = ClassName.get(RT + ".init", "Initializers");
  private static final TypeName ARRAY_MAP = ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class), INDARRAY);
  private static final TypeName ARRAY_LIST = ParameterizedTypeName.get(ClassName.get(List.class), INDARRAY);

  private final TrainingGraph tg;
  private final Program p;
  private final Names names;
  private final boolean third;
  /** Per parameter, the direction buffer of a three-pass trainer. */
  private final Map<String, String> directions = new LinkedHashMap<>();
  /** Per moving parameter, the Java name of the direction the optimizer gets for it. */
  private final Map<String, String> directionOf = new LinkedHashMap<>();
  /** With {@code clip}: the parameters whose g2 a learning rule replaced, each with the rule. */
  private final Map<String, dev.bpnet.dsl.ir.RuleInfo> clipped;

  private final Masks masks;

  ApiMethods(TrainingGraph tg, Names names, Masks masks) {
    this.masks = masks;
    this.tg = tg;
    this.p = tg.program();
    this.names = names;
    this.third = tg.hasThirdPass();
    this.clipped = p.train().clip() > 0 ? tg.ruleReplaced() : Map.of();
  }

  /** Whether a step forms directions of its own (alpha g2 + (1 - alpha) g3, or clipped g2) rather than handing g2 over. */
  private boolean formsDirections() {
    return third || !clipped.isEmpty();
  }

  void fields(TypeSpec.Builder t) {
    t.addField(FieldSpec.builder(String.class, "MODEL", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .initializer("$S", p.name()).build());
    t.addField(FieldSpec.builder(TrainSpec.class, "TRAIN", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The model's train block, typed ($L):\n", "every option, defaults filled in")
        .addJavadoc("{@code TrainingLoop.run($L.class, TRAIN)} trains as {@code bpnet train} does.\n",
            Names.trainerClass(p.name()))
        .initializer(SpecCode.of(p.train())).build());
    t.addField(TrainerGenerator.DATA_TYPE, "dtype", Modifier.PRIVATE, Modifier.FINAL);
    t.addField(FieldSpec.builder(OPTIMIZER, "optimizer", Modifier.PRIVATE).build());
    if (third) {
      t.addField(FieldSpec.builder(double.class, "alpha", Modifier.PRIVATE)
          .addJavadoc("Weight of g2 in the update direction alpha * g2 + (1 - alpha) * g3.\n")
          .initializer("$L", p.train().alpha()).build());
      if (!p.train().schedules().alpha().equals(Schedule.NONE)) {
        t.addField(FieldSpec.builder(ScheduleCode.SCHEDULE, "alphaSchedule", Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("How alpha changes with the epoch, from $L (alpha_schedule = $L).\n", p.train().alpha(),
                p.train().schedules().alpha().describe())
            .initializer("$L", ScheduleCode.of(p.train().schedules().alpha())).build());
      }
    }
    masks.fields(t);
    t.addFields(Emitter.batchFields());
    t.addField(FieldSpec.builder(ARRAY_LIST, "parameterList", Modifier.PRIVATE, Modifier.FINAL).build());
    t.addField(FieldSpec.builder(ARRAY_LIST, "directionList", Modifier.PRIVATE).build());
    for (Program.Param par : p.params()) {
      t.addField(FieldSpec.builder(INDARRAY, names.of(par.node()), splitInit() ? new Modifier[] {Modifier.PRIVATE}
          : new Modifier[] {Modifier.PRIVATE, Modifier.FINAL})
          .addJavadoc("Parameter {@code $L} $L.\n", par.name(), par.shape()).build());
    }
    for (Program.Leaf l : leaves()) {
      t.addField(FieldSpec.builder(INDARRAY, names.of(l.node()), Modifier.PRIVATE)
          .addJavadoc("$L {@code $L} $L, copied in each step.\n", p.inputs().contains(l) ? "Input" : "Label", l.name(), l.shape()).build());
    }
  }

  /**
   * True when initialising the parameters would make the constructor too long for one method
   * ({@link MethodSplitter}): helper methods then set them, so their fields cannot be final.
   */
  private boolean splitInit() {
    return p.params().size() + 4 > MethodSplitter.MAX_STATEMENTS;
  }

  void constructors(TypeSpec.Builder t) {
    TrainSpec s = p.train();
    String dt = switch (s.dtype()) {  // ND4J's DataType constant
      case FLOAT32 -> "FLOAT";
      case FLOAT64 -> "DOUBLE";
    };
    t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A trainer with the model's own dtype ($L) and seed ($L).\n", s.dtype().word(), s.seed())
        .addStatement("this($T.$L, $LL)", TrainerGenerator.DATA_TYPE, dt, s.seed()).build());
    MethodSpec.Builder c = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("A trainer computing in {@code dtype}, parameters initialised from {@code seed}.\n")
        .addParameter(TrainerGenerator.DATA_TYPE, "dtype").addParameter(long.class, "seed")
        .addStatement("this.dtype = dtype");
    masks.construct(c);
    List<CodeBlock> inits = new ArrayList<>();
    for (Program.Param par : p.params()) {
      String dims = par.shape().dims().stream().map(d -> d + "L").collect(Collectors.joining(", "));
      inits.add(CodeBlock.builder().addStatement("this.$N = $T.create($S, new long[] {$L}, $L, $L, $L, seed, $S, dtype)",
          names.of(par.node()), INIT, par.init().word(), dims, par.gain(), par.fanIn(), par.fanOut(), par.name()).build());
    }
    if (!splitInit()) {
      inits.forEach(c::addCode);
    } else {
      // too many parameters for one method: initParameters and its parts set the (non-final) fields
      MethodSpec.Builder init = MethodSpec.methodBuilder("initParameters").addModifiers(Modifier.PRIVATE)
          .addJavadoc("Initialises every parameter from {@code seed} (in parts: the model has $L).\n", p.params().size())
          .addParameter(TrainerGenerator.DATA_TYPE, "dtype").addParameter(long.class, "seed");
      t.addMethods(MethodSplitter.split(init, "initParameters", 0, inits,
          List.of(com.palantir.javapoet.ParameterSpec.builder(TrainerGenerator.DATA_TYPE, "dtype").build(),
              com.palantir.javapoet.ParameterSpec.builder(long.class, "seed").build()), CodeBlock.of("")));
      c.addStatement("initParameters(dtype, seed)");
    }
    c.addStatement("this.parameterList = $T.of($L)", List.class, paramNames());
    var schedule = s.schedules().learningRate(s);
    if (p.update() != null) {  // every lowered model's optimizer, built-in or its own, is compiled into the trainer
      c.addStatement("this.optimizer = new $N($L, seed)", UpdateGenerator.className(p.update()),
          schedule == null ? "null" : ScheduleCode.of(schedule));
    } else {  // a program built by hand (the primitive walk's) gets the runtime's Java optimizer of that name
      String args = s.optimizer().args().entrySet().stream()
          .map(e -> "\"" + e.getKey() + "\", " + dev.bpnet.dsl.ir.Emission.literal(e.getValue())).collect(Collectors.joining(", "));
      c.addStatement("this.optimizer = $T.create($S, $T.of($L), $L, seed)", ClassName.get(RT + ".optim", "Optimizers"),
          s.optimizer().name(), Map.class, args, schedule == null ? "null" : ScheduleCode.of(schedule));
    }
    t.addMethod(c.build());
  }

  /** The direction buffers' allocation, a statement per piece, then the optimizer's list of them. */
  List<CodeBlock> directionAllocation() {
    List<CodeBlock> b = new ArrayList<>();
    List<String> dirs = new ArrayList<>();
    for (Program.Param par : p.params()) {
      Integer g2 = tg.g2().get(par.name());
      if (par.update() == Program.Update.FIXED) {
        continue;
      }
      if (par.update() == Program.Update.FOLLOW) {
        // moves with its leader: the leader's direction, handed to the optimizer again
        dirs.add(directionOf.get(par.leader()));
        directionOf.put(par.name(), directionOf.get(par.leader()));
      } else if (third || g2 == null || clipped.containsKey(par.name())) {
        String f = names.derived(par.node(), "Direction");
        directions.put(par.name(), f);
        directionOf.put(par.name(), f);
        b.add(CodeBlock.builder().addStatement("$N = $L", f, Emission.zeros(par.shape())).build());
        dirs.add(f);
      } else {
        dirs.add(names.of(g2));
        directionOf.put(par.name(), names.of(g2));
      }
    }
    b.add(CodeBlock.builder().addStatement("directionList = $T.of($L)", List.class, String.join(", ", dirs)).build());
    return b;
  }

  void methods(TypeSpec.Builder t) {
    directions.values().forEach(f -> t.addField(FieldSpec.builder(INDARRAY, f, Modifier.PRIVATE)
        .addJavadoc("Update direction handed to the optimizer.\n").build()));
    if (formsDirections()) {
      t.addMethods(direction());
    }
    new ApiSurface(tg, names, directionOf, formsDirections(), masks).addTo(t);
  }

  private List<MethodSpec> direction() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("direction").addModifiers(Modifier.PRIVATE)
        .addJavadoc(third ? "The update direction alpha * g2 + (1 - alpha) * g3 (Xiong and Yang, eq. 3 and 9).\n"
            : "The update direction: g2.\n");
    if (!clipped.isEmpty()) {
      m.addJavadoc("Gradients that a learning rule replaced are clipped element-wise to [-$L, $L] first (clip).\n",
          p.train().clip(), p.train().clip());
    }
    List<CodeBlock> pieces = new ArrayList<>();
    for (Program.Param par : p.params()) {
      if (!directions.containsKey(par.name())) {
        continue;
      }
      Integer g2 = tg.g2().get(par.name());
      Integer g3 = tg.g3().get(par.name());
      String dir = directions.get(par.name());
      CodeBlock.Builder b = CodeBlock.builder();
      dev.bpnet.dsl.ir.RuleInfo rule = clipped.get(par.name());
      String from = g2 == null ? "null" : names.of(g2);
      if (rule != null && g2 != null) {
        // the report's clipping of dot(h^T, G) where G came back through a learning rule
        b.add("// $L: its gradient comes back through $L\n", par.name(), rule.describe());
        String bound = dev.bpnet.dsl.ir.Emission.literal(p.train().clip());
        b.addStatement("$T.clamp($L, -$L, $L, $N)", KERNELS, from, bound, bound, dir);
        from = dir;
      }
      if (third) {
        if (g3 == null) {
          b.add("// $L: its third-pass gradient is zero\n", par.name());
        }
        b.addStatement("$T.combine(alpha, $L, $L, $N)", KERNELS, from, g3 == null ? "null" : names.of(g3), dir);
      }
      if (!b.isEmpty()) {
        pieces.add(b.build());
      }
    }
    return MethodSplitter.split(m, "direction", 0, pieces, List.of(), CodeBlock.of(""));
  }

  private List<Program.Leaf> leaves() {
    List<Program.Leaf> l = new ArrayList<>(p.inputs());
    l.addAll(p.labels());
    return l;
  }

  /** The parameters the optimizer moves (not fixed feedback matrices). */
  private String paramNames() {
    return p.params().stream().filter(par -> par.update() != Program.Update.FIXED)
        .map(par -> names.of(par.node())).collect(Collectors.joining(", "));
  }

  /** ", 28L, 28L": the per-example dimensions as trailing arguments (none for a batch of scalars). */
  static String exampleDims(Shape s) {
    return s.dims().subList(1, s.rank()).stream().map(d -> ", " + d + "L").collect(Collectors.joining());
  }

  static TypeName arrayMap() {
    return ARRAY_MAP;
  }

  static ClassName stepResult() {
    return STEP_RESULT;
  }

  static ClassName gradients() {
    return GRADIENTS;
  }

  static ClassName feeds() {
    return FEEDS;
  }

  static ClassName optimizer() {
    return OPTIMIZER;
  }
}
