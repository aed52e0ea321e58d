package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.bpnet.api.Schedule;
import java.util.List;
import java.util.stream.Collectors;

/** A {@link Schedule} as the Java expression that makes it, for generated trainers. */
final class ScheduleCode {
  static final ClassName SCHEDULE = ClassName.get(Schedule.class);

  private ScheduleCode() {}

  static CodeBlock of(Schedule s) {
    if (s instanceof Schedule.Step st) {
      return CodeBlock.of("new $T.Step($T.of($L), $L)", SCHEDULE, List.class,
          st.epochs().stream().map(String::valueOf).collect(Collectors.joining(", ")), dev.bpnet.dsl.ir.Emission.literal(st.factor()));
    }
    if (s instanceof Schedule.Exponential e) {
      return CodeBlock.of("new $T.Exponential($L, $L)", SCHEDULE, dev.bpnet.dsl.ir.Emission.literal(e.beta()), dev.bpnet.dsl.ir.Emission.literal(e.floor()));
    }
    if (s instanceof Schedule.Linear l) {
      return CodeBlock.of("new $T.Linear($L, $L)", SCHEDULE, dev.bpnet.dsl.ir.Emission.literal(l.to()), l.epochs());
    }
    if (s instanceof Schedule.OverAlpha o) {
      return CodeBlock.of("new $T.OverAlpha($L, $L, $L)", SCHEDULE, of(o.lr()), dev.bpnet.dsl.ir.Emission.literal(o.alpha()),
          of(o.alphaSchedule()));
    }
    return CodeBlock.of("$T.NONE", SCHEDULE);  // Constant
  }
}
