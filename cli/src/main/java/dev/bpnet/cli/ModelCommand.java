package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.syntax.Overrides;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A command on one model of one .bpnet file; prints diagnostics and exits 1 on errors.
 * Warnings go to stderr too, and the command goes on.
 */
abstract class ModelCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the .bpnet file")
  Path file;

  @Option(names = "--model", paramLabel = "NAME", description = "which model of the file (default: the first; compile writes every model unless one is named)")
  String model;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a train option, as in a train block (alpha=0.5, "
      + "optimizer='adam(lr = 0.001)', data='mnist(train = 1000)'), replacing the file's in every model; repeatable")
  List<String> sets = new java.util.ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    String usage = usageProblem();
    if (usage != null) {
      // checked before the file is read: nothing is compiled or trained for a command line that cannot finish
      err().println("error: " + usage);
      return Main.USAGE;
    }
    SourceFile src;
    try {
      src = SourceFile.read(file);
    } catch (CompileException e) {
      return report(e, Map.of());
    }
    try {
      return run(src);
    } catch (CompileException e) {
      return report(e, sources(src));
    }
  }

  /** The command-line settings that replace train options: {@code --set}, and what a command adds. */
  Overrides overrides() {
    return new Overrides(sets);
  }

  /** The texts diagnostics may point into: the file and the settings. */
  Map<String, String> sources(SourceFile src) {
    return Map.of(src.name(), src.text(), Overrides.FILE, overrides().text());
  }

  /** What is wrong with the options (an output path that cannot be written, a value out of range), or null. */
  String usageProblem() {
    return null;
  }

  /** Runs on the file; a {@link CompileException} thrown here is printed as diagnostics. */
  abstract int run(SourceFile src) throws Exception;

  /** The chosen model of the file, after printing the file's warnings. */
  TrainingGraph compile(SourceFile src) {
    return warn(FileCompiler.checkWithWarnings(src, overrides()), src).model(model);
  }

  /** Every model of the file, after printing the file's warnings. */
  List<TrainingGraph> compileAll(SourceFile src) {
    return warn(FileCompiler.checkWithWarnings(src, overrides()), src).models();
  }

  /** Prints the warnings of a file that compiled, and their count, to stderr. */
  private FileCompiler.Checked warn(FileCompiler.Checked checked, SourceFile src) {
    if (!checked.warnings().isEmpty()) {
      err().print(new DiagnosticPrinter(sources(src)).render(checked.warnings()));
      err().println(DiagnosticPrinter.summary(checked.warnings()));
      err().flush();
    }
    return checked;
  }

  /** Prints the diagnostics; exit 2 when a command-line setting is wrong (a usage error), else 1. */
  int report(CompileException e, Map<String, String> sources) {
    err().print(new DiagnosticPrinter(sources).render(e.diagnostics()));
    err().println(DiagnosticPrinter.summary(e.diagnostics()));
    err().flush();
    return usage(e) ? Main.USAGE : Main.MODEL_ERRORS;
  }

  /** Whether an error is in a command-line setting: the command line, not the file, must change. */
  static boolean usage(CompileException e) {
    return e.diagnostics().stream().anyMatch(d -> d.isError() && (d.pos().file().equals(Overrides.FILE)
        || d.pos().file().equals(Distribution.DATA)));
  }
}
