package dev.bpnet.dsl.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Ops;
import dev.bpnet.dsl.ir.Shape;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link UnusedValues} on a graph made by hand, where the output is not an ancestor of the
 * loss (which a parsed model cannot give: its loss reads its output): a value only the output
 * reads is used.
 */
class UnusedValuesTest {
  private static Pos at(int line) {
    return new Pos("m.bpnet", line, 3);
  }

  @Test
  void theOutputCountsAsUsedBesidesTheLoss() {
    GraphBuilder g = new GraphBuilder();
    Ops o = new Ops(g);
    int x = g.leaf(new Leaves.Input("x", Shape.batchOf(List.of(4))));
    int w = g.leaf(new Leaves.Param("w", Shape.of(4)));
    int out = o.relu(x);
    int stray = o.tanh(x);
    int loss = o.sumAll(o.neg(w));
    Expr unused = new Expr.Num(0, at(9));
    ModelDecl m = new ModelDecl("M", List.of(new Decl.Input("x", List.of(4), at(2)), new Decl.Let("w", unused, at(3)),
        new Decl.Let("out", unused, at(4)), new Decl.Let("stray", unused, at(5))), unused, TrainSpec.DEFAULTS, at(1));
    Map<String, Integer> nodes = Map.of("x", x, "w", w, "out", out, "stray", stray);

    assertEquals(List.of("W3 stray"), report(m, nodes, g, List.of(loss, out)));
    // the control: without the output as a root, what only it reads is unused
    assertEquals(List.of("W2 x", "W3 out", "W3 stray"), report(m, nodes, g, List.of(loss)));
  }

  private static List<String> report(ModelDecl m, Map<String, Integer> nodes, GraphBuilder g, List<Integer> roots) {
    Diagnostics d = new Diagnostics();
    UnusedValues.report(m, nodes, g, roots, d);
    return d.all().stream().map(UnusedValuesTest::brief).toList();
  }

  private static String brief(Diagnostic d) {
    return d.code().code() + " " + d.message().replaceAll("^[^']*'([^']*)'.*$", "$1");
  }
}
