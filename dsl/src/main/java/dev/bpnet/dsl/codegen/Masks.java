package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * What differs between a training step and evaluation in a trainer: dropout masks ({@link
 * Leaves.DropoutMask}) with their seeded generator ({@code dev.bpnet.runtime.Noise}) and its
 * state for checkpoints, the training flag ({@link Leaves.Training}) with which batch norm
 * chooses its statistics, and the running statistics a step moves ({@link Program.Running}).
 * Generated: {@code masks(training)}, which sets masks and flag before the passes, {@code
 * trainingGradients}, and {@code runningStatistics()}. Nothing for models with none of these,
 * whose trainers stay as they were.
 */
final class Masks {
  private static final ClassName NOISE = ClassName.get("dev.bpnet.runtime", "Noise");
  private final List<Node> masks;
  private final List<Node> flags;
  private final List<Program.Running> running;
  private final Names names;
  private final Emitter emitter;

  Masks(Layout layout, Names names, Program p, Emitter emitter) {
    this.masks = layout.tensors.stream().filter(n -> n.op() instanceof Leaves.DropoutMask).toList();
    this.flags = layout.tensors.stream().filter(n -> n.op() instanceof Leaves.Training).toList();
    this.running = p.running();
    this.names = names;
    this.emitter = emitter;
  }

  /** Whether training steps and evaluation differ at all. */
  boolean any() {
    return !masks.isEmpty() || !flags.isEmpty();
  }

  /** The statement a step runs after its update, or null: {@code runningStatistics()}. */
  String afterUpdate() {
    return running.isEmpty() ? null : "runningStatistics()";
  }

  /** The statement that sets the masks for a pass: {@code masks(true)}, {@code masks(false)}, {@code masks(training)}. */
  String set(String mode) {
    return "masks(" + mode + ")";
  }

  void fields(TypeSpec.Builder t) {
    if (!any()) {
      return;
    }
    if (!masks.isEmpty()) {
      t.addField(FieldSpec.builder(NOISE, "noise", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The dropout masks' generator, seeded from the seed; checkpointed by {@link #state()}.\n").build());
    }
    t.addField(FieldSpec.builder(boolean.class, "training", Modifier.PRIVATE)
        .addJavadoc("True while {@link #trainingGradients} runs: its gradients compute as a step does.\n").build());
    if (!masks.isEmpty()) {
      t.addField(FieldSpec.builder(boolean.class, "masksDrawn", Modifier.PRIVATE)
          .addJavadoc("Whether the masks hold a training step's draw (else they are ones).\n").build());
    }
  }

  /** The constructor's statement, after dtype is set. */
  void construct(MethodSpec.Builder c) {
    if (!masks.isEmpty()) {
      c.addStatement("this.noise = new $T(seed)", NOISE);
    }
  }

  void methods(TypeSpec.Builder t) {
    if (!any()) {
      return;
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder("masks").addModifiers(Modifier.PRIVATE)
        .addParameter(boolean.class, "training")
        .addJavadoc("Sets what differs in a training step before the passes: each dropout mask is drawn once, and\n"
            + "the forward, backward and third passes read it as a constant; batch norm uses the batch's\n"
            + "statistics. Elsewhere (predict, gradients) masks are ones, so dropout is the identity, and\n"
            + "batch norm uses its running statistics.\n");
    for (Node n : flags) {
      m.addStatement("$N.assign(training ? 1.0 : 0.0)", names.of(n.id()));
    }
    if (!masks.isEmpty()) {
      drawMasks(m);
    }
    t.addMethod(m.build());
    TypeName map = ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class), Emitter.INDARRAY);
    t.addMethod(MethodSpec.methodBuilder("trainingGradients").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(ApiMethods.gradients()).addParameter(map, "feeds")
        .addJavadoc(masks.isEmpty() ? "{@link #gradients} as a step computes them (batch statistics); nothing is updated.\n"
            : "{@link #gradients} as a step computes them (fresh dropout masks" + (flags.isEmpty() ? "" : ", batch statistics")
            + "); nothing is updated\nbut the masks' generator.\n")
        .addStatement("training = true")
        .beginControlFlow("try").addStatement("return gradients(feeds)")
        .nextControlFlow("finally").addStatement("training = false").endControlFlow().build());
    if (!running.isEmpty()) {
      t.addMethod(runningStatistics());
    }
    if (masks.isEmpty()) {
      return;
    }
    t.addMethod(MethodSpec.methodBuilder("state").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(map).addJavadoc("The dropout generator's state words ({@code rng}), for checkpoints.\n")
        .addStatement("return $T.of($S, noise.state())", Map.class, "rng").build());
    t.addMethod(MethodSpec.methodBuilder("restoreState").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(map, "state").addJavadoc("Restores {@link #state()}: the masks continue as they would have.\n")
        .addStatement("noise.restoreFrom(MODEL, state)").build());
  }

  private MethodSpec runningStatistics() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("runningStatistics").addModifiers(Modifier.PRIVATE)
        .addJavadoc("After a training step's update: batch norm's running statistics move towards the step's batch\n"
            + "statistics, as PyTorch's do (the variance made unbiased, n/(n - 1)).\n");
    for (Program.Running r : running) {
      String stat = names.of(r.stat());
      String mom = Emission.literal(r.momentum());
      String keep = Emission.literal(1 - r.momentum());
      if (r.count() < 0) {
        m.addCode("// $L = $L $L + $L $L    [$L]\n", r.param(), keep, r.param(), mom, emitter.graph().node(r.stat()).label(),
            Emitter.where(r.pos()));
        m.addStatement("$T.runningAverage($N, $N, $L, 1.0)", Emission.KERNELS, names.of(r.paramNode()), stat, mom);
      } else {
        String n = emitter.host(r.count());
        m.addCode("// $L = $L $L + $L n/(n - 1) $L, n = $L    [$L]\n", r.param(), keep, r.param(), mom,
            emitter.graph().node(r.stat()).label(), n, Emitter.where(r.pos()));
        m.addStatement("$T.runningAverage($N, $N, $L, $L / ($L - 1))", Emission.KERNELS, names.of(r.paramNode()), stat, mom,
            n, n);
      }
    }
    return m.build();
  }

  /** The dropout masks' part of masks(training). */
  private void drawMasks(MethodSpec.Builder m) {
    m.beginControlFlow("if (training)");
    for (Node n : masks) {
      Leaves.DropoutMask d = (Leaves.DropoutMask) n.op();
      m.addCode("// $L: 0 with probability $L, else 1/(1 - $L)    [$L]\n", names.of(n.id()), Emission.literal(d.p()),
          Emission.literal(d.p()), Emitter.where(n.pos()));
      m.addStatement("noise.dropout($N, $L)", names.of(n.id()), Emission.literal(d.p()));
    }
    m.addStatement("masksDrawn = true");
    m.nextControlFlow("else if (masksDrawn)");
    for (Node n : masks) {
      m.addStatement("$N.assign(1.0)", names.of(n.id()));
    }
    m.addStatement("masksDrawn = false");
    m.endControlFlow();
  }
}
