package dev.bpnet.cli;

import dev.bpnet.api.Third;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.RuleInfo;
import dev.bpnet.dsl.load.GradientCheck;
import dev.bpnet.dsl.syntax.Overrides;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bpnet check FILE... [--gradients]}: diagnostics for every model of every file and,
 * with --gradients, the generated gradients against finite differences where they are true
 * gradients. Warnings are printed to stderr like errors, but only errors make the exit code 1.
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Checks .bpnet files and prints their diagnostics.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .bpnet files")
  List<Path> files;

  @CommandLine.Option(names = "--gradients", description = "also check g2 (and an exact g3) against finite differences, in float64,"
      + " for models whose rules are all true gradients")
  boolean gradients;

  @CommandLine.Option(names = "--set", paramLabel = "NAME=VALUE", description = "a train option, as in a train block"
      + " (alpha=0.5), replacing the file's in every model; repeatable")
  List<String> sets = new java.util.ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    int code = Main.OK;
    int errors = 0;
    int warnings = 0;
    for (Path f : files) {
      Map<String, String> sources = Map.of();
      try {
        SourceFile src = SourceFile.read(f);
        Overrides overrides = new Overrides(sets);
        sources = Map.of(src.name(), src.text(), Overrides.FILE, overrides.text());
        FileCompiler.Checked checked = FileCompiler.checkWithWarnings(src, overrides);
        List<TrainingGraph> models = checked.models();
        spec.commandLine().getErr().print(new DiagnosticPrinter(sources).render(checked.warnings()));
        warnings += checked.warnings().size();
        // the data each model trains on must exist: check says ok only for what train can run
        int dataErrors = 0;
        for (TrainingGraph tg : models) {
          try {
            dev.bpnet.runtime.data.TrainingData.find(tg.program().train().data(), Path.of(src.name()).toAbsolutePath().getParent());
          } catch (dev.bpnet.runtime.data.DataException e) {
            spec.commandLine().getErr().println("error: " + src.name() + ": model " + tg.program().name() + ": " + e.getMessage());
            dataErrors++;
          }
        }
        if (dataErrors > 0) {
          errors += dataErrors;
          code = Main.MODEL_ERRORS;
          continue;
        }
        List<String> names = models.stream().map(m -> m.program().name()).toList();
        spec.commandLine().getOut().println(src.name() + ": ok (" + (names.size() <= 10 ? String.join(", ", names)
            : String.format("%,d models: %s, ..., %s", names.size(), String.join(", ", names.subList(0, 5)),
                names.get(names.size() - 1))) + ")");
        if (gradients) {
          for (TrainingGraph tg : models) {
            List<Diagnostic> failed = checkGradients(tg);
            if (!failed.isEmpty()) {
              throw new CompileException(failed);
            }
          }
        }
      } catch (CompileException e) {
        spec.commandLine().getErr().print(new DiagnosticPrinter(sources).render(e.diagnostics()));
        int n = (int) e.diagnostics().stream().filter(Diagnostic::isError).count();
        errors += n;
        warnings += e.diagnostics().size() - n;
        code = ModelCommand.usage(e) ? Main.USAGE : Math.max(code, Main.MODEL_ERRORS);
      }
    }
    if (errors + warnings > 0) {
      spec.commandLine().getErr().println(DiagnosticPrinter.summary(errors, warnings));
    }
    return code;
  }

  /** Prints what was checked; returns the failures as diagnostics. */
  private List<Diagnostic> checkGradients(TrainingGraph tg) {
    java.io.PrintWriter out = spec.commandLine().getOut();
    String name = tg.program().name();
    List<RuleInfo> learning = GradientCheck.learningRules(tg);
    if (!learning.isEmpty()) {
      out.println("  " + name + ": gradients not checked: learning rules replace the true gradient: "
          + learning.stream().map(r -> r.name() + " (" + r.pos() + ")").collect(Collectors.joining(", ")));
      return List.of();
    }
    List<Diagnostic> failed = new java.util.ArrayList<>();
    for (GradientCheck.Result r : GradientCheck.run(tg, 1)) {
      out.printf("  %s: %s against finite differences: max relative error %.1e%s%n", name, r.gradient(), r.error(),
          r.ok() ? "" : " (over " + GradientCheck.TOLERANCE + ")");
      if (!r.ok()) {
        // no learning rules here: every rule of the model is marked exact
        List<RuleInfo> rules = List.copyOf(new java.util.LinkedHashSet<>(tg.program().graph().rules().values()));
        String detail = r.gradient() + " max relative error " + String.format("%.1e", r.error()) + " at " + r.worstAt();
        failed.add(rules.isEmpty()
            ? new Diagnostic(ErrorCode.E11, tg.program().graph().node(tg.program().loss()).pos(),
                ErrorCode.E11.format("the generated gradients of " + name + " differ from finite differences: " + detail))
            : new Diagnostic(ErrorCode.E33, rules.get(0).pos(), ErrorCode.E33.format(
                rules.stream().map(RuleInfo::name).collect(Collectors.joining("', '")), detail)));
      }
    }
    // Paper mode follows section 3 of Weiming Xiong and Ruoyu Yang, "Reverse back propagation to
    // make full use of derivative": forward values are held constant, so g3 is not the gradient
    // of l_x.
    if (tg.hasThirdPass() && tg.program().train().third() == Third.PAPER) {
      out.println("  " + name + ": g3 not checked: paper mode is not the gradient of l_x by design (Xiong and Yang, section 3)");
    }
    return failed;
  }
}
