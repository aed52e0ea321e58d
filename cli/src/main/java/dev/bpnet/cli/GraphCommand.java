package dev.bpnet.cli;

import dev.bpnet.dsl.ad.GraphDot;
import dev.bpnet.dsl.compile.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bpnet graph FILE -o OUT.dot}: the three passes as Graphviz. */
@Command(name = "graph", mixinStandardHelpOptions = true, description = "Writes the forward, backward and third-pass graphs as Graphviz.")
final class GraphCommand extends ModelCommand {
  @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT.dot", converter = OutputPaths.FileArgument.class, description = "the file to write")
  Path outFile;

  @Override
  String usageProblem() {
    return OutputPaths.fileProblem("-o", outFile, file);
  }

  @Override
  int run(SourceFile src) throws Exception {
    String dot = GraphDot.of(compile(src));
    try {
      Files.writeString(outFile, dot, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      err().println("error: -o " + outFile + ": cannot write: " + dev.bpnet.runtime.io.IoErrors.describe(e));
      return Main.MODEL_ERRORS;
    }
    out().println("wrote " + outFile + " (render with: dot -Tsvg " + outFile + " -o graph.svg)");
    return Main.OK;
  }
}
