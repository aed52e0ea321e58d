package dev.bpnet.cli;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bpnet compile FILE -o DIR}: writes the generated Java sources. */
@Command(name = "compile", mixinStandardHelpOptions = true, description = "Writes the generated sources of every model in FILE: its trainer (<Model>Trainer) and its forward-only class (<Model>Model).")
final class CompileCommand extends ModelCommand {
  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "source root to write into")
  Path outDir;

  @Option(names = "--package", paramLabel = "PKG", description = "package of the generated classes (default: ${DEFAULT-VALUE})")
  String pkg = BpNetCompiler.DEFAULT_PACKAGE;

  @Override
  String usageProblem() {
    if (!javax.lang.model.SourceVersion.isName(pkg)) {
      return "--package '" + pkg + "' is not a Java package name: dot-separated identifiers, none of them a Java"
          + " keyword (such as my.nets)";
    }
    return OutputPaths.directoryProblem("-o", outDir);
  }

  @Override
  int run(SourceFile src) throws Exception {
    for (TrainingGraph tg : model == null ? compileAll(src) : java.util.List.of(compile(src))) {
      for (JavaFile f : FileCompiler.generateAll(tg, pkg)) {
        Path written;
        try {
          written = f.writeToPath(outDir);
        } catch (java.io.IOException e) {
          err().println("error: -o " + outDir + ": cannot write: " + dev.bpnet.runtime.io.IoErrors.describe(e));
          return Main.MODEL_ERRORS;
        }
        out().println("wrote " + written);
      }
    }
    return Main.OK;
  }
}
