package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
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
    java.util.Set<String> named = namedByUsed(model, nodes, used);
    for (Decl d : model.decls()) {
      Integer id = nodes.get(d.name());
      if (id == null || used.get(id) || named.contains(d.name())) {
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
   * The declarations that a used one names. Algebra can take a value's node out of the graph
   * while its name is used (reshape(flatten(x), ...) is one reshape of x), so a value counts
   * as used when a used declaration refers to it, as the user reads the model.
   */
  private static java.util.Set<String> namedByUsed(ModelDecl model, Map<String, Integer> nodes, BitSet used) {
    Map<String, Decl> byName = new java.util.HashMap<>();
    model.decls().forEach(d -> byName.put(d.name(), d));
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>();
    for (Decl d : model.decls()) {
      Integer id = nodes.get(d.name());
      if (d instanceof Decl.Let let && id != null && used.get(id)) {
        work.push(let.value());
      }
    }
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (e instanceof Expr.Ref r) {
        if (seen.add(r.name()) && byName.get(r.name()) instanceof Decl.Let let) {
          work.push(let.value());
        }
      } else if (e instanceof Expr.Call c) {
        c.args().forEach(work::push);
        c.named().values().forEach(work::push);
      } else if (e instanceof Expr.Binary b) {
        work.push(b.left());
        work.push(b.right());
      } else if (e instanceof Expr.Neg n) {
        work.push(n.operand());
      }
    }
    return seen;
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
