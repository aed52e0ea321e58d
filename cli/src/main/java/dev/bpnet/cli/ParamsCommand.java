package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.ir.Program;
import picocli.CommandLine.Command;

/** {@code bpnet params FILE}: parameter names (as in .npz files) and shapes. */
@Command(name = "params", mixinStandardHelpOptions = true, description = "Lists parameter names (the names used in .npz files) and shapes.")
final class ParamsCommand extends ModelCommand {
  @Override
  int run(SourceFile src) {
    for (TrainingGraph tg : model == null ? compileAll(src) : java.util.List.of(compile(src))) {
      out().println("model " + tg.program().name());
      long total = 0;
      for (Program.Param p : tg.program().params()) {
        out().printf("  %-16s %-14s %s%n", p.name(), p.shape(), p.init().word());
        total += p.shape().staticSize();
      }
      out().printf("  %d parameters%n", total);
    }
    return Main.OK;
  }
}
