package dev.bpnet.dsl.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bpnet check FILE...}: diagnostics only, for every model of every file. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Checks .bpnet files and prints their diagnostics.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .bpnet files")
  List<Path> files;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    int code = Main.OK;
    int errors = 0;
    for (Path f : files) {
      Map<String, String> sources = Map.of();
      try {
        SourceFile src = SourceFile.read(f);
        sources = Map.of(src.name(), src.text());
        List<TrainingGraph> models = FileCompiler.check(src);
        spec.commandLine().getOut().println(src.name() + ": ok (" + models.stream()
            .map(m -> m.program().name()).collect(Collectors.joining(", ")) + ")");
      } catch (CompileException e) {
        spec.commandLine().getErr().print(new DiagnosticPrinter(sources).render(e.diagnostics()));
        errors += e.diagnostics().size();
        code = Main.MODEL_ERRORS;
      }
    }
    if (errors > 0) {
      spec.commandLine().getErr().println(errors + (errors == 1 ? " error" : " errors"));
    }
    return code;
  }
}
