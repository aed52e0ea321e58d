package dev.bpnet.dsl.compile;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.Passes;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.lower.Lowering;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.Parser;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline for a .bpnet file: parse (all syntax errors), check and lower every model (all
 * their errors together), then differentiate and generate. Each phase stops on errors.
 */
public final class FileCompiler {
  private FileCompiler() {}

  public static List<ModelDecl> parse(SourceFile f) {
    return Parser.parse(f.name(), f.text());
  }

  /**
   * Every model of the file, lowered and differentiated. Train-option errors are reported
   * with the models' name, shape and rule errors, all in source order.
   */
  public static List<TrainingGraph> check(SourceFile f) {
    Parser.Result parsed = Parser.parseFile(f.name(), f.text());
    List<ModelDecl> models = parsed.models();
    List<Diagnostic> errors = new ArrayList<>(parsed.optionErrors());
    List<Program> programs = new ArrayList<>();
    java.util.Map<String, dev.bpnet.dsl.syntax.RuleDecl> rules = new java.util.HashMap<>();
    parsed.rules().forEach(r -> rules.put(r.name(), r));
    for (ModelDecl m : models) {
      try {
        programs.add(guard(m, () -> Lowering.lower(m, rules)));
      } catch (CompileException e) {
        errors.addAll(e.diagnostics());
      }
    }
    if (!errors.isEmpty()) {
      errors.sort(java.util.Comparator.comparing((Diagnostic d) -> d.pos().file())
          .thenComparingInt(d -> d.pos().line()).thenComparingInt(d -> d.pos().col()));
      throw new CompileException(errors);
    }
    List<TrainingGraph> out = new ArrayList<>();
    for (int i = 0; i < programs.size(); i++) {
      Program p = programs.get(i);
      out.add(guard(models.get(i), () -> Passes.build(p)));
    }
    return out;
  }

  /** One model of the file: the named one, or the first when {@code name} is null. */
  public static TrainingGraph model(SourceFile f, String name) {
    List<TrainingGraph> all = check(f);
    if (name == null) {
      return all.get(0);
    }
    return all.stream().filter(t -> t.program().name().equals(name)).findFirst().orElseThrow(() ->
        new CompileException(List.of(new Diagnostic(ErrorCode.E20, new Pos(f.name(), 1, 1),
            ErrorCode.E20.format(name, f.name())))));
  }

  public static JavaFile generate(TrainingGraph tg, String pkg) {
    return guard(null, () -> TrainerGenerator.generate(tg, pkg));
  }

  static <T> T guard(ModelDecl m, java.util.function.Supplier<T> phase) {
    try {
      return phase.get();
    } catch (CompileException e) {
      throw e;
    } catch (RuntimeException e) {
      Pos pos = m == null ? Pos.UNKNOWN : m.pos();
      String what = m == null ? "" : "while compiling model " + m.name() + ": ";
      throw new CompileException(List.of(new Diagnostic(ErrorCode.E11, pos, ErrorCode.E11.format(what + e))));
    }
  }
}
