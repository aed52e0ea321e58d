package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Warns about the model's own declarations that nothing it trains on depends on: an input the
 * loss never reads (W2) and a value computed for nothing (W3). "Used" means an ancestor of the
 * loss or of the output in the lowered graph, so a label only the loss reads is used, and so is
 * a value only the output (what {@code predict} returns) reads.
 *
 * <p>Only the model's declarations are looked at: names inside rule bodies are the rule's own,
 * and a layer rule's body is an input of its RULE node, so it counts through the rule call.
 */
final class UnusedValues {
  private UnusedValues() {}

  /**
   * @param nodes the node each declaration was lowered to (null where it failed)
   * @param roots the loss and the output
   */
  static void report(ModelDecl model, Map<String, Integer> nodes, GraphBuilder g, List<Integer> roots, Diagnostics diag) {
    BitSet used = g.ancestors(roots.stream().filter(r -> r >= 0).toList());
    for (Decl d : model.decls()) {
      Integer id = nodes.get(d.name());
      if (id == null || used.get(id)) {
        continue;
      }
      if (d instanceof Decl.Input in) {
        diag.warning(ErrorCode.W2, in.pos(), "remove it, or use it in the model", in.name());
      } else if (d instanceof Decl.Let let && !g.isHost(id)) {
        // a number known at compile time (n = 4) is not computed, and the graph shares equal
        // constants between values, so it cannot tell whose use a constant is
        diag.warning(ErrorCode.W3, let.pos(), hint(g, let.name(), id, used), let.name());
      }
    }
  }

  /**
   * What to do, and the parameters the value declares (named after it: "extra.W", or "w" for
   * w = param(...)) that nothing else uses: the optimizer keeps them for nothing.
   */
  private static String hint(GraphBuilder g, String name, int value, BitSet used) {
    List<String> params = new ArrayList<>();
    BitSet mine = g.ancestors(List.of(value));
    for (int n = mine.nextSetBit(0); n >= 0; n = mine.nextSetBit(n + 1)) {
      Node node = g.node(n);
      String param = node.leafName();
      if (node.op() instanceof Leaves.Param && !used.get(n) && (param.equals(name) || param.startsWith(name + "."))) {
        params.add(param);
      }
    }
    return "remove it, or use it" + (params.isEmpty() ? ""
        : "; the loss does not depend on its parameter" + (params.size() == 1 ? " " : "s ") + String.join(", ", params));
  }
}
