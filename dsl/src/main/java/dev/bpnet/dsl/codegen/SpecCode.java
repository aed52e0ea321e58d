package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.bpnet.api.DType;
import dev.bpnet.api.FeedbackThird;
import dev.bpnet.api.Init;
import dev.bpnet.api.Keep;
import dev.bpnet.api.OptimizerSpec;
import dev.bpnet.api.Third;
import dev.bpnet.api.TrainEvaluation;
import dev.bpnet.api.TrainSchedules;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ir.Emission;
import java.util.Map;

/** A {@link TrainSpec} as the Java expression that makes it: the trainer's {@code TRAIN} constant. */
final class SpecCode {
  private SpecCode() {}

  static CodeBlock of(TrainSpec s) {
    boolean g3 = s.feedbackThird() != FeedbackThird.B;
    return CodeBlock.builder()
        .add("new $T(\n", TrainSpec.class).indent().indent()
        .add("$L, $L, $T.$L, // passes, alpha, third\n", s.passes(), Emission.literal(s.alpha()), Third.class, s.third().name())
        .add("$L, // optimizer\n", optimizer(s.optimizer()))
        .add("$T.$L, $L, $L, $LL, $T.$L, // init, batch, epochs, seed, dtype\n", Init.class, s.init().name(), s.batch(),
            s.epochs(), s.seed(), DType.class, s.dtype().name())
        .add(s.dataText().isEmpty() && !g3 ? CodeBlock.of("$S, $L, // data and its arguments\n", s.data(), args(s.dataArgs()))
            // the text arguments only when there are some (or g3 is given): the constructor without them is the common one
            : CodeBlock.of("$S, $L, $L, // data, its arguments and those in quotes\n", s.data(), args(s.dataArgs()),
                text(s.dataText())))
        .add("new $T($L, $L, $L), // schedules: learning rate, alpha, lr_over_alpha\n", TrainSchedules.class,
            ScheduleCode.of(s.schedules().lr()), ScheduleCode.of(s.schedules().alpha()), s.schedules().lrOverAlpha())
        .add("// validation (NaN: 0.1 for classification, 0 for regression), clip\n")
        .add("$L, $L,\n", Emission.literal(s.validation()), Emission.literal(s.clip()))
        .add(evaluation(s.evaluation()))
        // g3 only when not the default b, so that the trainers of every other model read as before
        .add(g3 ? CodeBlock.of(",\n// g3: where the third-pass gradient that reaches a feedback matrix goes\n$T.$L)", FeedbackThird.class,
            s.feedbackThird().name()) : CodeBlock.of(")"))
        .unindent().unindent().build();
  }

  /** Map.ofEntries(Map.entry("k", "text"), ...), in the map's (sorted) order. */
  private static CodeBlock text(Map<String, String> m) {
    if (m.isEmpty()) {
      return CodeBlock.of("$T.of()", Map.class);
    }
    return CodeBlock.of("$T.ofEntries($L)", Map.class, m.entrySet().stream()
        .map(e -> CodeBlock.of("$T.entry($S, $S)", Map.class, e.getKey(), e.getValue()))
        .collect(CodeBlock.joining(", ")));
  }

  /** The evaluation options; min_delta only when set, so that a train block without it reads as before. */
  private static CodeBlock evaluation(TrainEvaluation e) {
    if (e.minDelta() == 0) {
      return CodeBlock.builder().add("// early_stop (0: none), keep, test_every_epoch\n")
          .add("new $T($L, $T.$L, $L)", TrainEvaluation.class, e.earlyStop(), Keep.class, e.keep().name(), e.testEveryEpoch())
          .build();
    }
    return CodeBlock.builder().add("// early_stop (0: none), keep, test_every_epoch, min_delta\n")
        .add("new $T($L, $T.$L, $L, $L)", TrainEvaluation.class, e.earlyStop(), Keep.class, e.keep().name(),
            e.testEveryEpoch(), Emission.literal(e.minDelta()))
        .build();
  }

  private static CodeBlock optimizer(OptimizerSpec o) {
    return CodeBlock.of("new $T($S, $L)", OptimizerSpec.class, o.name(), args(o.args()));
  }

  /** Map.of() or Map.ofEntries(Map.entry("k", v), ...), in the map's order (sorted by the records). */
  private static CodeBlock args(Map<String, Double> m) {
    if (m.isEmpty()) {
      return CodeBlock.of("$T.of()", Map.class);
    }
    return CodeBlock.of("$T.ofEntries($L)", Map.class, m.entrySet().stream()
        .map(e -> CodeBlock.of("$T.entry($S, $L)", Map.class, e.getKey(), Emission.literal(e.getValue())))
        .collect(CodeBlock.joining(", ")));
  }
}
