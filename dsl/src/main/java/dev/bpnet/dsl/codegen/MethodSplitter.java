package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Keeps generated methods within javac's limit of 64 KiB of bytecode per method: a body that
 * grows with the model (a pass, the allocation) is written in place while it is short, and
 * otherwise as a chain of private methods {@code forwardPart1()}, {@code forwardPart2()}, ...
 * that the method calls in order.
 *
 * <p>The limit is {@value #MAX_STATEMENTS} statements. A generated statement compiles to about
 * 10 to 60 bytes (a field load or two, a constructor or kernel call with a few arguments), so
 * 200 of them stay far below 64 KiB, and below HotSpot's 8,000-byte limit for JIT-compiling a
 * method (-XX:-DontCompileHugeMethods; the parts of a 300-layer MLP are 5,000-8,000 bytes).
 * Every model of the tests and examples stays under it, so their trainers read as one method
 * per pass. The constructor initialises the parameters itself while that stays under the
 * limit; beyond it the parameter fields are not final and {@code initParameters} (split like the
 * rest) sets them.
 */
final class MethodSplitter {
  static final int MAX_STATEMENTS = 200;

  private MethodSplitter() {}

  /** The statements of a code block: its lines ending with ';'. */
  static int statements(CodeBlock b) {
    int n = 0;
    for (String line : b.toString().split("\n", -1)) {
      if (line.stripTrailing().endsWith(";")) {
        n++;
      }
    }
    return n;
  }

  /**
   * Adds {@code pieces} (units kept together) to {@code head}, which holds {@code leading}
   * statements already; returns {@code head} built and, when the body is too long, the parts it
   * calls. The parts take {@code params} (the head's locals they use), passed by name.
   */
  static List<MethodSpec> split(MethodSpec.Builder head, String name, int leading, List<CodeBlock> pieces,
      List<ParameterSpec> params, CodeBlock tail) {
    int total = leading + statements(tail);
    for (CodeBlock p : pieces) {
      total += statements(p);
    }
    List<MethodSpec> out = new ArrayList<>();
    if (total <= MAX_STATEMENTS) {
      pieces.forEach(head::addCode);
      out.add(head.addCode(tail).build());
      return out;
    }
    List<List<CodeBlock>> parts = new ArrayList<>();
    List<CodeBlock> part = new ArrayList<>();
    int n = 0;
    for (CodeBlock p : pieces) {
      int k = statements(p);
      if (!part.isEmpty() && n + k > MAX_STATEMENTS) {
        parts.add(part);
        part = new ArrayList<>();
        n = 0;
      }
      part.add(p);
      n += k;
    }
    if (!part.isEmpty()) {
      parts.add(part);
    }
    String args = String.join(", ", params.stream().map(ParameterSpec::name).toList());
    for (int i = 0; i < parts.size(); i++) {
      String partName = name + "Part" + (i + 1);
      head.addStatement("$N($L)", partName, args);
      MethodSpec.Builder m = MethodSpec.methodBuilder(partName).addModifiers(Modifier.PRIVATE)
          .addJavadoc("Part $L of $L of {@link #$N}, which is too long for one method.\n", i + 1, parts.size(), name)
          .addParameters(params);
      parts.get(i).forEach(m::addCode);
      out.add(m.build());
    }
    out.add(0, head.addCode(tail).build());
    return out;
  }
}
