package dev.bpnet.dsl.compile;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.Passes;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.codegen.TrainerGenerator;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.lower.Lowering;
import dev.bpnet.dsl.syntax.DeepStack;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.Overrides;
import dev.bpnet.dsl.syntax.Parser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pipeline for a .bpnet file: parse (all syntax errors), check and lower every model (all
 * their errors together), then differentiate and generate. Each phase stops on errors;
 * warnings come out with the result ({@link #checkWithWarnings}) or with the errors.
 */
public final class FileCompiler {
  private FileCompiler() {}

  public static List<ModelDecl> parse(SourceFile f) {
    return Parser.parse(f.name(), f.text());
  }

  /**
   * The models of a file, lowered and differentiated, with the warnings the file gave (in
   * source order). {@link #checkWithWarnings} is how warnings leave the pipeline: the CLI prints
   * them, the annotation processor reports them to javac.
   */
  public record Checked(String file, List<TrainingGraph> models, List<Diagnostic> warnings) {
    public Checked {
      models = List.copyOf(models);
      warnings = List.copyOf(warnings);
    }

    /** One model of the file: the named one, or the first when {@code name} is null. */
    public TrainingGraph model(String name) {
      if (name == null) {
        return models.get(0);
      }
      return models.stream().filter(t -> t.program().name().equals(name)).findFirst().orElseThrow(() -> {
        List<String> names = models.stream().map(t -> t.program().name()).toList();
        // case-insensitive first: --model tiny means Tiny
        String best = names.stream().filter(n -> n.equalsIgnoreCase(name)).findFirst()
            .orElse(dev.bpnet.dsl.diag.Suggest.closest(name, names));
        String hint = best != null ? "did you mean '" + best + "'?" : "the file's models: " + String.join(", ", names);
        return new CompileException(List.of(new Diagnostic(ErrorCode.E20, new Pos(file, 1, 1),
            ErrorCode.E20.format(name, file), hint)));
      });
    }
  }

  /** Every model of the file, lowered and differentiated; the warnings are dropped. */
  public static List<TrainingGraph> check(SourceFile f) {
    return checkWithWarnings(f).models();
  }

  /**
   * Every model of the file, lowered and differentiated, and its warnings. Train-option errors
   * are reported with the models' name, shape and rule errors, all in source order, and with the
   * warnings found so far.
   */
  public static Checked checkWithWarnings(SourceFile f) {
    return checkWithWarnings(f, Overrides.NONE);
  }

  /**
   * As {@link #checkWithWarnings(SourceFile)}, with command-line settings replacing train
   * options in every model of the file ({@code bpnet train --set alpha=0.5}); their diagnostics
   * are positioned in {@link Overrides#FILE}.
   */
  public static Checked checkWithWarnings(SourceFile f, Overrides overrides) {
    return DeepStack.run(() -> checkOnDeepStack(f, overrides));
  }

  private static Checked checkOnDeepStack(SourceFile f, Overrides overrides) {
    Parser.Result parsed = Parser.parseFile(f.name(), f.text(), overrides);
    List<ModelDecl> models = parsed.models();
    List<Diagnostic> reported = new ArrayList<>(parsed.optionDiagnostics());
    reported.addAll(classClashes(models));
    List<Program> programs = new ArrayList<>();
    java.util.Map<String, dev.bpnet.dsl.syntax.RuleDecl> rules = new java.util.HashMap<>();
    parsed.rules().forEach(r -> rules.put(r.name(), r));
    for (ModelDecl m : models) {
      try {
        Program lowered = guard(m, () -> Lowering.lower(m, rules));
        programs.add(lowered);
        reported.addAll(lowered.warnings());
      } catch (CompileException e) {
        reported.addAll(e.diagnostics());
      }
    }
    // a diagnostic every model repeats (a rule's own error) is reported once
    reported = new ArrayList<>(new java.util.LinkedHashSet<>(reported));
    reported.sort(SOURCE_ORDER);
    if (reported.stream().anyMatch(Diagnostic::isError)) {
      throw new CompileException(reported);
    }
    List<TrainingGraph> out = new ArrayList<>();
    for (int i = 0; i < programs.size(); i++) {
      Program p = programs.get(i);
      try {
        out.add(guard(models.get(i), () -> Passes.build(p)));
      } catch (CompileException e) {
        if (reported.isEmpty()) {
          throw e;
        }
        List<Diagnostic> all = new ArrayList<>(reported);
        all.addAll(e.diagnostics());
        all.sort(SOURCE_ORDER);
        throw new CompileException(all);
      }
    }
    return new Checked(f.name(), out, reported);
  }

  /**
   * Models whose names give one Java class (a and A, my_net and MyNet): compiled together, one
   * trainer would overwrite the other.
   */
  private static List<Diagnostic> classClashes(List<ModelDecl> models) {
    java.util.Map<String, ModelDecl> byClass = new java.util.HashMap<>();
    List<Diagnostic> clashes = new ArrayList<>();
    for (ModelDecl m : models) {
      String cls = dev.bpnet.dsl.codegen.Names.trainerClass(m.name());
      ModelDecl first = byClass.putIfAbsent(cls.toLowerCase(java.util.Locale.ROOT), m);
      // case-insensitively: ATrainer.java and AtRainer.java are one file on macOS and Windows
      if (first != null && !first.name().equals(m.name())) {
        clashes.add(new Diagnostic(ErrorCode.E54, m.pos(), ErrorCode.E54.format(m.name(), cls, first.name(), first.pos()),
            "rename one of the models"));
      }
    }
    return clashes;
  }

  /** One model of the file: the named one, or the first when {@code name} is null; the warnings are dropped. */
  public static TrainingGraph model(SourceFile f, String name) {
    return checkWithWarnings(f).model(name);
  }

  public static JavaFile generate(TrainingGraph tg, String pkg) {
    return DeepStack.run(() -> guard(null, () -> TrainerGenerator.generate(tg, pkg)));
  }

  /** The forward-only class ({@code <Model>Model}) written beside the trainer. */
  public static JavaFile generateModel(TrainingGraph tg, String pkg) {
    return DeepStack.run(() -> guard(null, () -> dev.bpnet.dsl.codegen.ModelGenerator.generate(tg, pkg)));
  }

  /** The trainer and the forward-only class of a model, as {@code bpnet compile} writes them. */
  public static List<JavaFile> generateAll(TrainingGraph tg, String pkg) {
    return List.of(generate(tg, pkg), generateModel(tg, pkg));
  }

  private static final Comparator<Diagnostic> SOURCE_ORDER = Comparator.comparing((Diagnostic d) -> d.pos().file())
      .thenComparingInt(d -> d.pos().line()).thenComparingInt(d -> d.pos().col());

  static <T> T guard(ModelDecl m, java.util.function.Supplier<T> phase) {
    try {
      return phase.get();
    } catch (CompileException e) {
      throw e;
    } catch (StackOverflowError e) {
      // past the parser's nesting limit: a model built in Java, or a very long chain of values
      Pos pos = m == null ? Pos.UNKNOWN : m.pos();
      String what = m == null ? "the model" : "model " + m.name();
      throw new CompileException(List.of(new Diagnostic(ErrorCode.E47, pos, ErrorCode.E47.format(what,
          "the compiler ran out of stack"), "split long expressions and chains of values into fewer, shorter steps")));
    } catch (RuntimeException e) {
      Pos pos = m == null ? Pos.UNKNOWN : m.pos();
      String what = m == null ? "" : "while compiling model " + m.name() + ": ";
      throw new CompileException(List.of(new Diagnostic(ErrorCode.E11, pos, ErrorCode.E11.format(what + e))));
    }
  }
}
