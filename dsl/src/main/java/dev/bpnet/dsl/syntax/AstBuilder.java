package dev.bpnet.dsl.syntax;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.grammar.BpNetBaseVisitor;
import dev.bpnet.grammar.BpNetParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Parse tree to AST records, each carrying its source span. */
final class AstBuilder extends BpNetBaseVisitor<Expr> {
  private final String file;
  private final Diagnostics diag;
  private final Diagnostics options;
  private Overrides overrides = Overrides.NONE;
  /** True for the standard library, whose optimizers are the built-ins. */
  boolean library;
  /** The file's optimizers by name, once {@link #optimizers} has read them. */
  private final Map<String, OptimizerDecl> declared = new LinkedHashMap<>();
  private List<TrainOptions.Option> overridden = List.of();

  AstBuilder(String file, Diagnostics diag, Diagnostics options) {
    this.file = file;
    this.diag = diag;
    this.options = options;
  }

  /** Command-line settings, already read as options, that replace those of every train block. */
  void overrides(Overrides o, List<TrainOptions.Option> read) {
    this.overrides = o;
    this.overridden = List.copyOf(read);
  }

  List<ModelDecl> file(BpNetParser.FileContext ctx) {
    List<ModelDecl> models = new ArrayList<>();
    Map<String, Pos> seen = new LinkedHashMap<>();
    for (BpNetParser.ModelContext m : ctx.model()) {
      if (m.name == null) {
        continue;
      }
      Pos pos = pos(m.name);
      Pos prev = seen.putIfAbsent(m.name.getText(), pos);
      if (prev != null) {
        diag.error(ErrorCode.E17, pos, m.name.getText(), prev);
      }
      models.add(model(m, pos));
    }
    return models;
  }

  /**
   * The file's optimizer declarations, which its train blocks may name; read before the models
   * (their train blocks check the optimizer they name against these).
   */
  List<OptimizerDecl> optimizers(BpNetParser.FileContext ctx) {
    List<OptimizerDecl> out = new ArrayList<>();
    Map<String, Pos> seen = new LinkedHashMap<>();
    for (BpNetParser.OptimizerDefContext o : ctx.optimizerDef()) {
      if (o.name == null) {
        continue;
      }
      Pos pos = pos(o.name);
      Pos prev = seen.putIfAbsent(o.name.getText(), pos);
      if (prev != null) {
        diag.error(ErrorCode.E5, pos, o.name.getText(), prev);
      }
      if (!library && dev.bpnet.api.OptimizerSpec.isBuiltin(o.name.getText())) {
        // the train block's name would be ambiguous: built-ins are not overridden silently
        diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E50, pos, ErrorCode.E50.format("optimizer",
            o.name.getText(), "optimizer"), "rename it, as in my_" + o.name.getText()));
      }
      List<OptimizerDecl.Hyper> hypers = new ArrayList<>();
      Map<String, Pos> names = new LinkedHashMap<>();
      for (BpNetParser.HyperContext h : o.hyper()) {
        if (h.name == null || h.value == null) {
          continue;
        }
        Pos first = names.putIfAbsent(h.name.getText(), pos(h.name));
        if (first != null) {
          diag.error(ErrorCode.E5, pos(h.name), h.name.getText(), first);
        }
        OptimizerDecl.Hyper hyper = hyper(h);
        if (hyper != null) {
          hypers.add(hyper);
        }
      }
      List<OptimizerDecl.Stmt> body = new ArrayList<>();
      for (BpNetParser.OptStmtContext st : o.optStmt()) {
        OptimizerDecl.Stmt s = optimizerStatement(st);
        if (s != null) {
          body.add(s);
        }
      }
      declared.put(o.name.getText(), new OptimizerDecl(o.name.getText(), hypers, body, pos));
      out.add(declared.get(o.name.getText()));
    }
    return out;
  }

  /** A hyperparameter's default: a number (maybe negated), or true/false for a flag. */
  OptimizerDecl.Hyper hyper(BpNetParser.HyperContext h) {
    Expr v = visit(h.value);
    String name = h.name.getText();
    if (v instanceof Expr.Num n) {
      return new OptimizerDecl.Hyper(name, n.value(), false, pos(h.name));
    }
    if (v instanceof Expr.Neg neg && neg.operand() instanceof Expr.Num n) {
      return new OptimizerDecl.Hyper(name, -n.value(), false, pos(h.name));
    }
    if (v instanceof Expr.Ref r && (r.name().equals("true") || r.name().equals("false"))) {
      return new OptimizerDecl.Hyper(name, r.name().equals("true") ? 1 : 0, true, pos(h.name));
    }
    if (v != null) {
      diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E7, v.pos(), ErrorCode.E7.format(name,
          "a hyperparameter's default must be a number or true/false"), "write it as " + name + " = 0.1"));
    }
    return null;
  }

  OptimizerDecl.Stmt optimizerStatement(BpNetParser.OptStmtContext st) {
    if (st instanceof BpNetParser.AssignStmtContext a && a.name != null && a.value != null) {
      return new OptimizerDecl.Assign(a.name.getText(), visit(a.value), source(a), pos(a.name));
    }
    if (st instanceof BpNetParser.StateStmtContext s && s.name != null && s.value != null
        && word(s.word, "state")) {
      return new OptimizerDecl.State(s.name.getText(), visit(s.value), source(s), pos(s.name));
    }
    if (st instanceof BpNetParser.RequireStmtContext r && r.cond != null && word(r.word, "require")) {
      return new OptimizerDecl.Require(visit(r.cond), source(r.cond), pos(r.word));
    }
    return null;
  }

  /** The source text of a parse-tree node, without a trailing ';' (for generated comments). */
  private static String source(ParserRuleContext c) {
    String t = c.getStart().getInputStream().getText(
        org.antlr.v4.runtime.misc.Interval.of(c.getStart().getStartIndex(), c.getStop().getStopIndex()));
    return t.endsWith(";") ? t.substring(0, t.length() - 1).strip() : t;
  }

  /** Whether a statement's leading word is {@code expected}; reports it otherwise. */
  private boolean word(Token t, String expected) {
    if (t != null && t.getText().equals(expected)) {
      return true;
    }
    if (t != null) {
      diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E12, pos(t), ErrorCode.E12.format("unexpected '" + t.getText()
          + "': an optimizer's statement is NAME = VALUE, state NAME = VALUE or require CONDITION"),
          expected.equals("state") ? "did you mean 'state'?" : null));
    }
    return false;
  }

  List<RuleDecl> rules(BpNetParser.FileContext ctx) {
    List<RuleDecl> rules = new ArrayList<>();
    Map<String, Pos> seen = new LinkedHashMap<>();
    for (BpNetParser.RuleDefContext r : ctx.ruleDef()) {
      if (r.name == null || r.result == null || r.grad == null || r.params.isEmpty()) {
        continue;
      }
      Pos pos = pos(r.name);
      Pos prev = seen.putIfAbsent(r.name.getText(), pos);
      if (prev != null) {
        diag.error(ErrorCode.E5, pos, r.name.getText(), prev);
      }
      if (r.mark != null && !r.mark.getText().equals("exact")) {
        diag.unknown(ErrorCode.E31, pos(r.mark), r.mark.getText(), List.of("exact"), r.mark.getText());
      }
      boolean activation = r.kind.getText().equals("activation");
      List<String> params = r.params.stream().map(Token::getText).toList();
      // the result, the inputs and the cotangent are the rule's names: one may not be another
      Map<String, Pos> names = new LinkedHashMap<>();
      for (Token t : r.params) {
        Pos first = names.putIfAbsent(t.getText(), pos(t));
        if (first != null) {
          diag.error(ErrorCode.E5, pos(t), t.getText(), first);
        }
      }
      for (Token t : List.of(r.result, r.grad)) {
        Pos first = names.putIfAbsent(t.getText(), pos(t));
        if (first != null) {
          diag.error(ErrorCode.E5, pos(t), t.getText(), first);
        }
      }
      if (activation && params.size() != 1) {
        diag.error(ErrorCode.E29, pos(r.params.get(1)), r.name.getText(), params.size());
      }
      rules.add(new RuleDecl(activation ? RuleDecl.Kind.ACTIVATION : RuleDecl.Kind.LAYER, r.mark != null,
          r.name.getText(), params, r.result.getText(), statements(r.forward), r.grad.getText(),
          statements(r.backward), pos));
    }
    return rules;
  }

  private List<Decl.Let> statements(List<BpNetParser.StmtContext> stmts) {
    List<Decl.Let> out = new ArrayList<>();
    for (BpNetParser.StmtContext st : stmts) {
      if (st.name != null && st.expr() != null) {
        out.add(new Decl.Let(st.name.getText(), visit(st.expr()), pos(st.name)));
      }
    }
    return out;
  }

  private ModelDecl model(BpNetParser.ModelContext m, Pos pos) {
    List<Decl> decls = new ArrayList<>();
    Expr loss = null;
    Pos lossPos = null;
    List<TrainOptions.Option> options = new ArrayList<>();
    Pos trainPos = null;
    for (BpNetParser.MemberContext member : m.member()) {
      if (member instanceof BpNetParser.InputDeclContext in && in.name != null) {
        decls.add(new Decl.Input(in.name.getText(), shape(in.shape()), pos(in.name)));
      } else if (member instanceof BpNetParser.LabelDeclContext lb && lb.name != null) {
        decls.add(new Decl.Label(lb.name.getText(), shape(lb.shape()), pos(lb.name)));
      } else if (member instanceof BpNetParser.LetDeclContext let && let.name != null && let.expr() != null) {
        Expr value = visit(let.expr());
        if (let.name.getText().equals("loss")) {
          if (loss != null) {
            diag.error(ErrorCode.E5, pos(let.name), "loss", lossPos);
          }
          loss = value;
          lossPos = pos(let.name);
        } else {
          decls.add(new Decl.Let(let.name.getText(), value, pos(let.name)));
        }
      } else if (member instanceof BpNetParser.TrainBlockContext tb) {
        if (trainPos != null) {
          this.options.error(ErrorCode.E23, pos(tb.start), trainPos);
        }
        trainPos = pos(tb.start);
        for (BpNetParser.OptionContext o : tb.option()) {
          if (o.name != null && o.expr() != null) {
            options.add(new TrainOptions.Option(o.name.getText(), visit(o.expr()), pos(o.name)));
          }
        }
      }
    }
    TrainOptions resolver = new TrainOptions(this.options, declared);
    TrainSpec train = resolver.resolve(overrides.applyTo(options, overridden));
    return new ModelDecl(m.name.getText(), decls, loss, train, pos, resolver.declaredOptimizer(), resolver.positions());
  }

  private List<Integer> shape(BpNetParser.ShapeContext s) {
    List<Integer> dims = new ArrayList<>();
    if (s == null) {
      return dims;
    }
    if (s.dim().isEmpty()) {
      options.error(ErrorCode.E25, span(s));
      dims.add(1);
    }
    for (BpNetParser.DimContext d : s.dim()) {
      long v = parseLong(d.getText());
      if (v < 1 || v > 1 << 24) {
        options.error(ErrorCode.E18, span(d), d.getText());
        dims.add(1);
      } else {
        dims.add((int) v);
      }
    }
    return dims;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Expr visitBinary(BpNetParser.BinaryContext c) {
    return new Expr.Binary(c.op.getText(), visit(c.left), visit(c.right), pos(c.op));
  }

  @Override
  public Expr visitNegate(BpNetParser.NegateContext c) {
    return new Expr.Neg(visit(c.operand), span(c));
  }

  @Override
  public Expr visitCall(BpNetParser.CallContext c) {
    List<Expr> args = new ArrayList<>();
    Map<String, Expr> named = new LinkedHashMap<>();
    Map<String, Pos> namedPos = new LinkedHashMap<>();
    for (BpNetParser.ArgContext a : c.arg()) {
      Expr v = visit(a.value);
      if (a.name == null) {
        if (!named.isEmpty()) {
          // f(x, bias = 0, 8): which parameter 8 is for is a guess; Python refuses it too
          diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E10, v.pos(), ErrorCode.E10.format(args.size() + 1,
              c.fn.getText(), "given before the named ones (it follows " + named.keySet().iterator().next() + " = ...)"),
              "write the positional arguments first"));
        }
        args.add(v);
      } else if (namedPos.containsKey(a.name.getText())) {
        diag.error(ErrorCode.E19, pos(a.name), a.name.getText(), namedPos.get(a.name.getText()));
      } else {
        named.put(a.name.getText(), v);
        namedPos.put(a.name.getText(), pos(a.name));
      }
    }
    return new Expr.Call(c.fn.getText(), args, named, namedPos, pos(c.fn));
  }

  @Override
  public Expr visitRef(BpNetParser.RefContext c) {
    // a parameter reference h.W is a reference to the name bpnet params prints
    return c.field == null ? new Expr.Ref(c.name.getText(), pos(c.name))
        : new Expr.Ref(c.name.getText() + "." + c.field.getText(), span(c));
  }

  @Override
  public Expr visitNumber(BpNetParser.NumberContext c) {
    double v = Double.parseDouble(c.value.getText());
    if (Double.isInfinite(v)) {
      // 1e999 reads as infinity: the model would compute with it and stop at the first step
      diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E27, pos(c.value), ErrorCode.E27.format(c.value.getText()),
          "it is beyond the largest number, about 1.8e308"));
    }
    return new Expr.Num(v, pos(c.value));
  }

  @Override
  public Expr visitString(BpNetParser.StringContext c) {
    String t = c.value.getText();
    return new Expr.Str(t.substring(1, t.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"), pos(c.value));
  }

  @Override
  public Expr visitParens(BpNetParser.ParensContext c) {
    return visit(c.inner);
  }

  @Override
  protected Expr defaultResult() {
    return null;
  }

  Pos pos(Token t) {
    return new Pos(file, t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getText().length()));
  }

  /** The span of a rule on its first line. */
  Pos span(ParserRuleContext c) {
    Token a = c.start;
    Token b = c.stop == null ? a : c.stop;
    int len = b.getLine() == a.getLine() ? b.getStopIndex() - a.getStartIndex() + 1 : a.getText().length();
    return new Pos(file, a.getLine(), a.getCharPositionInLine() + 1, Math.max(1, len));
  }
}
