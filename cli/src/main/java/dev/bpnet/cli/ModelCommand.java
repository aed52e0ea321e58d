package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
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
      return report(e, Map.of(src.name(), src.text()));
    }
  }

  /** What is wrong with the options (an output path that cannot be written, a value out of range), or null. */
  String usageProblem() {
    return null;
  }

  /** Runs on the file; a {@link CompileException} thrown here is printed as diagnostics. */
  abstract int run(SourceFile src) throws Exception;

  /** The chosen model of the file, after printing the file's warnings. */
  TrainingGraph compile(SourceFile src) {
    return warn(FileCompiler.checkWithWarnings(src), src).model(model);
  }

  /** Every model of the file, after printing the file's warnings. */
  List<TrainingGraph> compileAll(SourceFile src) {
    return warn(FileCompiler.checkWithWarnings(src), src).models();
  }

  /** Prints the warnings of a file that compiled, and their count, to stderr. */
  private FileCompiler.Checked warn(FileCompiler.Checked checked, SourceFile src) {
    if (!checked.warnings().isEmpty()) {
      err().print(new DiagnosticPrinter(Map.of(src.name(), src.text())).render(checked.warnings()));
      err().println(DiagnosticPrinter.summary(checked.warnings()));
      err().flush();
    }
    return checked;
  }

  int report(CompileException e, Map<String, String> sources) {
    err().print(new DiagnosticPrinter(sources).render(e.diagnostics()));
    err().println(DiagnosticPrinter.summary(e.diagnostics()));
    err().flush();
    return Main.MODEL_ERRORS;
  }
}
