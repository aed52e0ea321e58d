package dev.bpnet.cli;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.IrText;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bpnet show FILE [--pass P] [--ir]}: the generated code of a pass, or its IR. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Prints the generated code of a pass, or its IR with --ir.")
final class ShowCommand extends ModelCommand {
  enum Pass { forward, backward, third, update, all }

  @Option(names = "--pass", paramLabel = "PASS", description = "forward, backward, third, update (the optimizer) or all"
      + " (default: ${DEFAULT-VALUE})")
  Pass pass = Pass.all;

  @Option(names = "--ir", description = "print the IR instead of Java")
  boolean ir;

  @Override
  int run(SourceFile src) {
    TrainingGraph tg = compile(src);
    if (pass == Pass.third && !tg.hasThirdPass()) {
      err().println(tg.program().name() + " has no third pass (passes = " + tg.program().train().passes()
          + ", alpha = " + tg.program().train().alpha() + ")");
      return Main.MODEL_ERRORS;
    }
    var update = tg.program().update();
    if (pass == Pass.update && update == null) {
      // a built-in is a Java class of the runtime, not generated code
      out().println("// " + tg.program().name() + " uses the built-in optimizer " + tg.program().train().optimizer().describe()
          + " (dev.bpnet.runtime.optim); an optimizer declared in the language is compiled into the trainer");
      return Main.OK;
    }
    if (pass == Pass.update) {
      String name = dev.bpnet.dsl.codegen.UpdateGenerator.className(update);
      out().print(ir ? dev.bpnet.dsl.ad.IrText.of(update)
          : nested(FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE).toString(), name));
      return Main.OK;
    }
    var rules = new java.util.LinkedHashSet<>(tg.program().graph().rules().values());
    String learning = rules.stream().filter(r -> !r.trueGradient()).map(r -> r.name() + " (" + r.pos() + ")")
        .collect(java.util.stream.Collectors.joining(", "));
    String exact = rules.stream().filter(dev.bpnet.dsl.ir.RuleInfo::trueGradient).map(r -> r.name() + " (" + r.pos() + ")")
        .collect(java.util.stream.Collectors.joining(", "));
    if (!learning.isEmpty()) {
      out().println("// learning rules that replace true gradients: " + learning);
    }
    if (!exact.isEmpty()) {
      out().println("// rules marked exact (true gradients, checked by bpnet check --gradients): " + exact);
    }
    if (ir) {
      out().print(section(IrText.of(tg)));
      return Main.OK;
    }
    JavaFile f = FileCompiler.generate(tg, BpNetCompiler.DEFAULT_PACKAGE);
    if (pass == Pass.all) {
      out().print(f);
      return Main.OK;
    }
    List<String> methods = switch (pass) {
      case forward -> List.of("forward", "loss");
      case backward -> List.of("backward");
      default -> List.of("thirdPass", "direction");
    };
    String source = f.toString();
    for (String m : methods) {
      out().println(method(source, m));
    }
    return Main.OK;
  }

  /** A method of the generated source, with its Javadoc, unindented. */
  static String method(String source, String name) {
    return block(source, "\\s+(private|public) \\S+ " + name + "\\(.*");
  }

  /** A nested class of the generated source, with its Javadoc, unindented. */
  static String nested(String source, String name) {
    return block(source, "\\s+public static final class " + name + " .*");
  }

  /**
   * The first block of the source whose header line matches {@code header}: its Javadoc, the
   * header, and the lines to the brace that closes it at the header's indent, unindented.
   */
  private static String block(String source, String header) {
    String[] lines = source.split("\n");
    int at = -1;
    for (int i = 0; i < lines.length && at < 0; i++) {
      if (lines[i].matches(header)) {
        at = i;
      }
    }
    if (at < 0) {
      return "";
    }
    int start = at;
    while (start > 0 && lines[start - 1].trim().matches("(/\\*\\*|\\*.*|\\*/)")) {
      start--;
    }
    String indent = lines[at].substring(0, lines[at].indexOf(lines[at].trim()));
    StringBuilder b = new StringBuilder();
    for (int i = start; i < lines.length; i++) {
      b.append(lines[i].startsWith(indent) ? lines[i].substring(indent.length()) : lines[i]).append('\n');
      if (i > at && lines[i].equals(indent + "}")) {
        break;
      }
    }
    return b.toString();
  }

  /** The IR text of the chosen pass (header and outputs are always shown). */
  private String section(String text) {
    if (pass == Pass.all) {
      return text;
    }
    String keep = pass.name().toLowerCase(Locale.ROOT) + ":";
    StringBuilder b = new StringBuilder();
    boolean on = true;
    for (String line : text.split("\n")) {
      if (!line.startsWith(" ")) {
        on = !line.endsWith(":") || line.equals(keep) || line.equals("outputs:") || line.startsWith("model ");
      }
      if (on) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }
}
