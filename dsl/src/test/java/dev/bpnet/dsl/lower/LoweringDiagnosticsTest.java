package dev.bpnet.dsl.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Decl;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.ModelDecl;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Lowering reports every error of a model at once, each with its code and position. */
class LoweringDiagnosticsTest {
  static Pos at(int line, int col) {
    return new Pos("m.bpnet", line, col);
  }

  static Expr ref(String n, int line, int col) {
    return new Expr.Ref(n, at(line, col));
  }

  static Expr call(String fn, int line, int col, Expr... args) {
    return new Expr.Call(fn, List.of(args), Map.of(), at(line, col));
  }

  static String errors(List<Decl> decls, Expr loss) {
    ModelDecl m = new ModelDecl("M", decls, loss, TrainSpec.DEFAULTS, at(1, 1));
    CompileException e = assertThrows(CompileException.class, () -> Lowering.lower(m));
    return e.diagnostics().stream().map(Diagnostic::render).collect(Collectors.joining("\n"));
  }

  @Test
  void shapeMismatchNamesBothShapesAndThePosition() {
    String out = errors(List.of(
        new Decl.Input("x", List.of(4), at(2, 3)),
        new Decl.Label("y", List.of(3), at(3, 3)),
        new Decl.Let("out", call("dense", 4, 9, ref("x", 4, 15), new Expr.Num(5, at(4, 18))), at(4, 3))),
        call("mse", 5, 10, ref("out", 5, 14), ref("y", 5, 19)));
    assertEquals("error(E4): m.bpnet:5:10: shape mismatch in mse: the prediction 'out' is [B, 5] (m.bpnet:4:9)"
        + " but the label 'y' is [B, 3] (m.bpnet:3:3): a loss needs equal shapes", out);
  }

  @Test
  void allErrorsOfTheModelAreReportedTogether() {
    String out = errors(List.of(
        new Decl.Input("x", List.of(4), at(2, 3)),
        new Decl.Let("a", call("relu", 3, 7, ref("nope", 3, 12)), at(3, 3)),
        new Decl.Let("b", call("frobnicate", 4, 7, ref("x", 4, 18)), at(4, 3)),
        new Decl.Let("c", call("relu", 5, 7, ref("x", 5, 12), ref("x", 5, 15)), at(5, 3)),
        new Decl.Let("x", ref("a", 6, 7), at(6, 3))),
        null);
    assertEquals(String.join("\n",
        "error(E5): m.bpnet:6:3: duplicate name 'x' (first declared at m.bpnet:2:3)",
        "error(E1): m.bpnet:3:12: unknown name 'nope'",
        "error(E2): m.bpnet:4:7: unknown function 'frobnicate'",
        "error(E3): m.bpnet:5:7: 'relu' expects 1 argument(s), got 2",
        "error(E6): m.bpnet:1:1: the model has no loss: add 'loss = ...'"), out);
  }

  @Test
  void aValueDefinedInTermsOfItselfIsACycle() {
    String out = errors(List.of(
        new Decl.Input("x", List.of(4), at(2, 3)),
        new Decl.Let("a", call("relu", 3, 7, ref("b", 3, 12)), at(3, 3)),
        new Decl.Let("b", call("tanh", 4, 7, ref("a", 4, 12)), at(4, 3))),
        call("sum", 5, 10, ref("a", 5, 14)));
    assertEquals("error(E9): m.bpnet:4:12: 'a' (a -> b -> a) is defined in terms of itself", out);
  }

  @Test
  void aLossThatIsNotAScalarIsRejected() {
    String out = errors(List.of(new Decl.Input("x", List.of(4), at(2, 3))), call("relu", 5, 10, ref("x", 5, 15)));
    assertEquals("error(E4): m.bpnet:5:10: shape mismatch in the loss: it must be a scalar, got [B, 4]", out);
  }
}
