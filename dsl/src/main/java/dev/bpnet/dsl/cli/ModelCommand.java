package dev.bpnet.dsl.cli;

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

/** A command on one model of one .bpnet file; prints diagnostics and exits 1 on errors. */
abstract class ModelCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the .bpnet file")
  Path file;

  @Option(names = "--model", paramLabel = "NAME", description = "which model of the file (default: the first)")
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

  /** Runs on the file; a {@link CompileException} thrown here is printed as diagnostics. */
  abstract int run(SourceFile src) throws Exception;

  TrainingGraph compile(SourceFile src) {
    return FileCompiler.model(src, model);
  }

  List<TrainingGraph> compileAll(SourceFile src) {
    return FileCompiler.check(src);
  }

  int report(CompileException e, Map<String, String> sources) {
    err().print(new DiagnosticPrinter(sources).render(e.diagnostics()));
    int n = e.diagnostics().size();
    err().println(n + (n == 1 ? " error" : " errors"));
    err().flush();
    return Main.MODEL_ERRORS;
  }
}
