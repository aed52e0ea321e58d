package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.bpnet.api.Schedule;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.ir.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/** The public methods of a generated trainer: step, predict, gradients, accessors. */
final class ApiSurface {
  private static final ClassName INDARRAY = Emitter.INDARRAY;

  private final TrainingGraph tg;
  private final Program p;
  private final Names names;
  private final Map<String, String> directions;
  private final boolean third;
  /** Whether a step calls direction() (a third pass, or clipping). */
  private final boolean formsDirections;

  private final Masks masks;

  ApiSurface(TrainingGraph tg, Names names, Map<String, String> directions, boolean formsDirections, Masks masks) {
    this.masks = masks;
    this.formsDirections = formsDirections;
    this.tg = tg;
    this.p = tg.program();
    this.names = names;
    this.directions = directions;
    this.third = tg.hasThirdPass();
  }

  void addTo(TypeSpec.Builder t) {
    t.addMethod(feed("feed", all()));
    t.addMethod(feed("feedInputs", p.inputs()));
    t.addMethod(typed("step", ApiMethods.stepResult(), all(), CodeBlock.builder()
        .add(setMasks("true")).add(runPasses()).addStatement("optimizer.update(parameterList, directionList)")
        .add(masks.afterUpdate() == null ? CodeBlock.of("") : CodeBlock.builder().addStatement(masks.afterUpdate()).build())
        .addStatement("return new $T($L, $L)", ApiMethods.stepResult(), lossValue(), inputLossValue())
        .build(), "One training step: forward, backward" + (third ? ", third pass" : "")
        + ", then the optimizer's update. Returns L and l_x measured before the update."));
    t.addMethod(byMap("step", ApiMethods.stepResult(), all()));
    t.addMethod(typed("predict", INDARRAY, p.inputs(), CodeBlock.builder()
        .add(setMasks("false")).addStatement("forward()")
        .addStatement("return $N.dup()", names.of(p.output())).build(),
        "The model's output {@code " + tg.graph().node(p.output()).label() + "} for a batch (a copy)."));
    t.addMethod(byMap("predict", INDARRAY, p.inputs()));
    t.addMethod(override("lastOutput", INDARRAY).addJavadoc("The live buffer of {@code $L} from the last step or gradients call.\n",
        tg.graph().node(p.output()).label()).addStatement("return $N", names.of(p.output())).build());
    t.addMethods(gradients());
    t.addMethod(byMap("gradients", ApiMethods.gradients(), all()));
    t.addMethod(override("modelName", ClassName.get(String.class)).addStatement("return MODEL").build());
    t.addMethod(override("inputNames", listOfString()).addStatement("return $T.of($L)", List.class,
        p.inputs().stream().map(l -> "\"" + l.name() + "\"").collect(Collectors.joining(", "))).build());
    t.addMethod(override("labelNames", listOfString()).addStatement("return $T.of($L)", List.class,
        p.labels().stream().map(l -> "\"" + l.name() + "\"").collect(Collectors.joining(", "))).build());
    t.addMethod(override("dataType", TrainerGenerator.DATA_TYPE).addStatement("return dtype").build());
    t.addMethod(exampleDims());
    t.addMethod(override("optimizer", ApiMethods.optimizer()).addStatement("return optimizer").build());
    t.addMethod(MethodSpec.methodBuilder("setOptimizer").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Replaces the optimizer (the model's own is plain SGD with its learning rate).\n")
        .addParameter(ApiMethods.optimizer(), "optimizer").addStatement("this.optimizer = optimizer").build());
    t.addMethods(parameters());
    if (third) {
      t.addMethod(MethodSpec.methodBuilder("setAlpha").addModifiers(Modifier.PUBLIC)
          .addJavadoc("Sets alpha in alpha * g2 + (1 - alpha) * g3 (an alpha schedule calls this).\n")
          .addParameter(double.class, "alpha").addStatement("this.alpha = alpha").build());
      if (!p.train().schedules().alpha().equals(Schedule.NONE)) {
        t.addMethod(override("startEpoch", com.palantir.javapoet.TypeName.VOID).addParameter(int.class, "epoch")
            .addJavadoc("Sets alpha from its schedule (overriding {@link #setAlpha}), then starts the optimizer's epoch.\n")
            .addStatement("alpha = alphaSchedule.at($L, epoch, 0)", p.train().alpha())
            .addStatement("optimizer.startEpoch(epoch)").build());
      }
    }
  }

  /** exampleDims(): each input's and label's dimensions without the batch, inputs first. */
  private MethodSpec exampleDims() {
    com.palantir.javapoet.TypeName dims = com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(Map.class),
        ClassName.get(String.class), com.palantir.javapoet.ParameterizedTypeName.get(List.class, Integer.class));
    MethodSpec.Builder m = override("exampleDims", dims)
        .addStatement("$T m = new $T<>()", dims, LinkedHashMap.class);
    for (Program.Leaf l : all()) {
      m.addStatement("m.put($S, $T.of($L))", l.name(), List.class,
          l.shape().dims().subList(1, l.shape().rank()).stream().map(String::valueOf).collect(Collectors.joining(", ")));
    }
    return m.addStatement("return m").build();
  }

  private List<Program.Leaf> all() {
    List<Program.Leaf> l = new ArrayList<>(p.inputs());
    l.addAll(p.labels());
    return l;
  }

  private CodeBlock runPasses() {
    CodeBlock.Builder b = CodeBlock.builder().addStatement("forward()").addStatement("loss()").addStatement("backward()");
    if (third) {
      b.addStatement("thirdPass()");
    }
    if (formsDirections) {
      b.addStatement("direction()");
    }
    return b.build();
  }

  /** Sets the dropout masks first, in a model that has any. */
  private CodeBlock setMasks(String mode) {
    return masks.any() ? CodeBlock.builder().addStatement(masks.set(mode)).build() : CodeBlock.of("");
  }

  private String lossValue() {
    return names.of(p.loss()) + ".getDouble(0)";
  }

  private String inputLossValue() {
    return third ? names.of(tg.inputLoss()) + ".getDouble(0)" : "Double.NaN";
  }

  /** gradients(...), with parts when the model has too many parameters for one method. */
  private List<MethodSpec> gradients() {
    CodeBlock before = CodeBlock.builder().add(setMasks("training")).add(runPasses())
        .addStatement("$T<String, $T> pass2 = new $T<>()", Map.class, INDARRAY, LinkedHashMap.class)
        .addStatement("$T<String, $T> pass3 = new $T<>()", Map.class, INDARRAY, LinkedHashMap.class)
        .addStatement("$T<String, $T> direction = new $T<>()", Map.class, INDARRAY, LinkedHashMap.class).build();
    MethodSpec.Builder head = typedHead("gradients", ApiMethods.gradients(), all(),
        "L, l_x and the per-pass gradients of one batch, as copies; parameters are not updated.").addCode(before);
    List<CodeBlock> pieces = new ArrayList<>();
    for (Program.Param par : p.params()) {
      Integer g2 = tg.g2().get(par.name());
      Integer g3 = tg.g3().get(par.name());
      String param = names.of(par.node());
      CodeBlock.Builder b = CodeBlock.builder();
      b.addStatement("pass2.put($S, $L)", par.name(), g2 == null ? param + ".like()" : names.of(g2) + ".dup()");
      if (third) {
        b.addStatement("pass3.put($S, $L)", par.name(), g3 == null ? param + ".like()" : names.of(g3) + ".dup()");
      }
      String dir = directions.get(par.name());
      b.addStatement("direction.put($S, $L)", par.name(), dir == null ? param + ".like()" : dir + ".dup()");
      pieces.add(b.build());
    }
    CodeBlock tail = CodeBlock.builder().addStatement("return new $T($L, $L, pass2, pass3, direction)",
        ApiMethods.gradients(), lossValue(), inputLossValue()).build();
    com.palantir.javapoet.TypeName map = com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(Map.class),
        ClassName.get(String.class), INDARRAY);
    List<com.palantir.javapoet.ParameterSpec> maps = java.util.stream.Stream.of("pass2", "pass3", "direction")
        .map(n -> com.palantir.javapoet.ParameterSpec.builder(map, n).build()).toList();
    return MethodSplitter.split(head, "gradients", 1 + MethodSplitter.statements(before), pieces, maps, tail);
  }

  private MethodSpec feed(String name, List<Program.Leaf> leaves) {
    return feed(names, name, leaves);
  }

  /**
   * The private method that checks a batch's shapes, allocates on a new batch size and copies
   * the batch into the buffers of {@code leaves}: the trainer's, and the model class's workspace's.
   */
  static MethodSpec feed(Names names, String name, List<Program.Leaf> leaves) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE)
        .addJavadoc("Checks shapes, allocates on a new batch size, copies the batch into the buffers.\n");
    String first = null;
    for (Program.Leaf l : leaves) {
      String n = names.of(l.node());
      m.addParameter(INDARRAY, n);
      if (first == null) {
        m.addStatement("long b = $T.check($S, $N, -1$L)", ApiMethods.feeds(), l.name(), n, ApiMethods.exampleDims(l.shape()));
        first = n;
      } else {
        m.addStatement("$T.check($S, $N, b$L)", ApiMethods.feeds(), l.name(), n, ApiMethods.exampleDims(l.shape()));
      }
    }
    m.beginControlFlow("if (b != batch)").addStatement("allocate(b)").endControlFlow();
    for (Program.Leaf l : leaves) {
      String n = names.of(l.node());
      if (l.shape().rank() > 2) {
        // an image-shaped input also takes flat rows (IDX, CSV), viewed in its shape
        m.addStatement("this.$N.assign($T.shaped($N$L))", n, ApiMethods.feeds(), n, ApiMethods.exampleDims(l.shape()));
      } else {
        m.addStatement("this.$N.assign($N)", n, n);
      }
    }
    return m.build();
  }

  private MethodSpec typed(String name, com.palantir.javapoet.TypeName ret, List<Program.Leaf> leaves,
      CodeBlock body, String doc) {
    return typedHead(name, ret, leaves, doc).addCode(body).build();
  }

  /** A public method taking the batch's arrays, which it feeds first. */
  private MethodSpec.Builder typedHead(String name, com.palantir.javapoet.TypeName ret, List<Program.Leaf> leaves,
      String doc) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(ret)
        .addJavadoc(doc + "\n");
    List<String> args = new ArrayList<>();
    for (Program.Leaf l : leaves) {
      String n = names.of(l.node());
      m.addParameter(INDARRAY, n);
      m.addJavadoc("@param $L {@code $L} $L\n", n, l.name(), l.shape());
      args.add(n);
    }
    m.addStatement("$L($L)", leaves.size() == p.inputs().size() && name.equals("predict") ? "feedInputs" : "feed",
        String.join(", ", args));
    return m;
  }

  private MethodSpec byMap(String name, com.palantir.javapoet.TypeName ret, List<Program.Leaf> leaves) {
    String expected = leaves.stream().map(Program.Leaf::name).collect(Collectors.joining(", ", "[", "]"));
    CodeBlock args = leaves.stream().map(l -> CodeBlock.of("$T.get(feeds, $S, $S)", ApiMethods.feeds(), l.name(), expected))
        .collect(CodeBlock.joining(", "));
    return override(name, ret).addParameter(ApiMethods.arrayMap(), "feeds")
        .addStatement("return $N($L)", name, args).build();
  }

  private List<MethodSpec> parameters() {
    MethodSpec.Builder m = override("parameters", ApiMethods.arrayMap())
        .addStatement("$T<String, $T> m = new $T<>()", Map.class, INDARRAY, LinkedHashMap.class);
    List<CodeBlock> pieces = p.params().stream()
        .map(par -> CodeBlock.builder().addStatement("m.put($S, $N)", par.name(), names.of(par.node())).build()).toList();
    return MethodSplitter.split(m, "parameters", 1, pieces,
        List.of(com.palantir.javapoet.ParameterSpec.builder(ApiMethods.arrayMap(), "m").build()),
        CodeBlock.builder().addStatement("return m").build());
  }

  private static com.palantir.javapoet.TypeName listOfString() {
    return com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(String.class));
  }

  private static MethodSpec.Builder override(String name, com.palantir.javapoet.TypeName ret) {
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(ret);
  }
}
