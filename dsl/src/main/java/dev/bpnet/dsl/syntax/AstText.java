package dev.bpnet.dsl.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The AST as text, one declaration a line, expressions as nested calls: for golden dumps. */
public final class AstText {
  private AstText() {}

  public static String of(List<ModelDecl> models) {
    StringBuilder b = new StringBuilder();
    for (ModelDecl m : models) {
      b.append("model ").append(m.name()).append("  @").append(m.pos()).append('\n');
      for (Decl d : m.decls()) {
        if (d instanceof Decl.Input in) {
          b.append("  input ").append(in.name()).append(' ').append(in.shape());
        } else if (d instanceof Decl.Label lb) {
          b.append("  label ").append(lb.name()).append(' ').append(lb.shape());
        } else {
          Decl.Let let = (Decl.Let) d;
          b.append("  let ").append(let.name()).append(" = ").append(expr(let.value()));
        }
        b.append("  @").append(d.pos()).append('\n');
      }
      b.append("  loss = ").append(m.loss() == null ? "(none)" : expr(m.loss())).append('\n');
      b.append("  train ").append(m.train().describe()).append('\n');
    }
    return b.toString();
  }

  public static String expr(Expr e) {
    if (e instanceof Expr.Ref r) {
      return r.name();
    }
    if (e instanceof Expr.Num n) {
      return n.value() == Math.rint(n.value()) && Math.abs(n.value()) < 1e15 ? String.valueOf((long) n.value()) : String.valueOf(n.value());
    }
    if (e instanceof Expr.Str s) {
      return "\"" + s.value() + "\"";
    }
    if (e instanceof Expr.Neg n) {
      return "neg(" + expr(n.operand()) + ")";
    }
    if (e instanceof Expr.Binary bin) {
      return "(" + expr(bin.left()) + " " + bin.op() + " " + expr(bin.right()) + ")";
    }
    Expr.Call c = (Expr.Call) e;
    List<String> args = new ArrayList<>();
    c.args().forEach(a -> args.add(expr(a)));
    for (Map.Entry<String, Expr> n : new java.util.TreeMap<>(c.named()).entrySet()) {
      args.add(n.getKey() + " = " + expr(n.getValue()));
    }
    return c.fn() + "(" + String.join(", ", args) + ")";
  }
}
