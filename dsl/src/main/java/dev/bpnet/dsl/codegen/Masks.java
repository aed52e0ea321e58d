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
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The dropout masks of a trainer ({@link Leaves.DropoutMask}) and what they need: the seeded
 * generator ({@code dev.bpnet.runtime.Noise}), the method that sets them before the passes
 * ({@code masks(training)}: drawn for a training step, ones otherwise), {@code
 * trainingGradients} and the generator's state for checkpoints. Nothing for models without
 * dropout, whose trainers stay as they were.
 */
final class Masks {
  private static final ClassName NOISE = ClassName.get("dev.bpnet.runtime", "Noise");
  private final List<Node> masks;
  private final Names names;

  Masks(Layout layout, Names names) {
    this.masks = layout.tensors.stream().filter(n -> n.op() instanceof Leaves.DropoutMask).toList();
    this.names = names;
  }

  boolean any() {
    return !masks.isEmpty();
  }

  /** The statement that sets the masks for a pass: {@code masks(true)}, {@code masks(false)}, {@code masks(training)}. */
  String set(String mode) {
    return "masks(" + mode + ")";
  }

  void fields(TypeSpec.Builder t) {
    if (!any()) {
      return;
    }
    t.addField(FieldSpec.builder(NOISE, "noise", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The dropout masks' generator, seeded from the seed; checkpointed by {@link #state()}.\n").build());
    t.addField(FieldSpec.builder(boolean.class, "training", Modifier.PRIVATE)
        .addJavadoc("True while {@link #trainingGradients} runs: its gradients draw masks as a step does.\n").build());
    t.addField(FieldSpec.builder(boolean.class, "masksDrawn", Modifier.PRIVATE)
        .addJavadoc("Whether the masks hold a training step's draw (else they are ones).\n").build());
  }

  /** The constructor's statement, after dtype is set. */
  void construct(MethodSpec.Builder c) {
    if (any()) {
      c.addStatement("this.noise = new $T(seed)", NOISE);
    }
  }

  void methods(TypeSpec.Builder t) {
    if (!any()) {
      return;
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder("masks").addModifiers(Modifier.PRIVATE)
        .addParameter(boolean.class, "training")
        .addJavadoc("Sets the dropout masks before the passes: for a training step each is drawn once, and the\n"
            + "forward, backward and third passes read it as a constant; elsewhere (predict, gradients)\n"
            + "they are ones, so dropout is the identity.\n");
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
    t.addMethod(m.build());
    TypeName map = ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class), Emitter.INDARRAY);
    t.addMethod(MethodSpec.methodBuilder("trainingGradients").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(ApiMethods.gradients()).addParameter(map, "feeds")
        .addJavadoc("{@link #gradients} with fresh dropout masks, as a step draws them; parameters are not updated.\n")
        .addStatement("training = true")
        .beginControlFlow("try").addStatement("return gradients(feeds)")
        .nextControlFlow("finally").addStatement("training = false").endControlFlow().build());
    t.addMethod(MethodSpec.methodBuilder("state").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(map).addJavadoc("The dropout generator's state words ({@code rng}), for checkpoints.\n")
        .addStatement("return $T.of($S, noise.state())", Map.class, "rng").build());
    t.addMethod(MethodSpec.methodBuilder("restoreState").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(map, "state").addJavadoc("Restores {@link #state()}: the masks continue as they would have.\n")
        .addStatement("noise.restoreFrom(MODEL, state)").build());
  }
}
