package dev.bpnet.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.api.annotation.Train;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.Fragments;
import dev.bpnet.dsl.syntax.TrainOptions;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The defaults written in {@code @Train} are documentation (the processor reads only the options
 * written, and the language supplies the rest), so they must say what the language does.
 */
class TrainDefaultsTest {
  @Test
  void annotationDefaultsAreTheLanguageDefaults() {
    List<TrainOptions.Option> options = new ArrayList<>();
    for (Method m : Train.class.getDeclaredMethods()) {
      Object v = m.getDefaultValue();
      Pos p = new Pos("Train." + m.getName(), 1, 1);
      Expr e = v instanceof String s
          ? m.getName().equals("data") ? new Expr.Str(s, p) : Fragments.expr(p.file(), 1, 1, s)
          : new Expr.Num(((Number) v).doubleValue(), p);
      options.add(new TrainOptions.Option(m.getName(), e, p));
    }
    assertEquals(TrainOptions.NAMES.size(), options.size(), "one attribute per train option");
    Diagnostics diag = new Diagnostics();
    TrainSpec spec = new TrainOptions(diag).resolve(options);
    assertTrue(diag.errors().isEmpty(), diag.all().toString());
    // every default written out says third = paper and g3 = b beside passes = 2, which have no effect (W1)
    assertEquals(List.of(ErrorCode.W1, ErrorCode.W1), diag.warnings().stream().map(Diagnostic::code).toList(), diag.all().toString());
    assertEquals(TrainSpec.DEFAULTS, spec);
  }
}
