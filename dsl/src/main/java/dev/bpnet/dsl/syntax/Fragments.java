package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.grammar.BpNetLexer;
import dev.bpnet.grammar.BpNetParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Parses pieces of the language written outside a .bpnet file, such as the expression strings
 * of annotations. Positions are those of the place the text was found: the lexer starts at
 * {@code line:col}, so a diagnostic points at the offending character inside the string.
 * Line breaks in the text are read as spaces (they only separate tokens) so that every
 * position stays on the starting line.
 */
public final class Fragments {
  private Fragments() {}

  /** One expression, or a {@link CompileException} with every syntax error in it. */
  public static Expr expr(String file, int line, int col, String text) {
    return DeepStack.run(() -> exprOnDeepStack(file, line, col, text));
  }

  private static Expr exprOnDeepStack(String file, int line, int col, String text) {
    Diagnostics diag = new Diagnostics();
    BpNetParser parser = parser(file, line, col, text, diag);
    BpNetParser.StandaloneExprContext tree = Nesting.parse(file, parser, BpNetParser::standaloneExpr, diag);
    if (tree != null) {
      Nesting.check(file, tree, diag);
    }
    diag.stopIfErrors();
    Expr e = new AstBuilder(file, diag, new Diagnostics()).visit(tree.expr());
    diag.stopIfErrors();
    return e;
  }

  /** The statements {@code name = expr} of an activation body, in order. */
  public static List<Decl.Let> statements(String file, int line, int col, String text) {
    return DeepStack.run(() -> statementsOnDeepStack(file, line, col, text));
  }

  private static List<Decl.Let> statementsOnDeepStack(String file, int line, int col, String text) {
    Diagnostics diag = new Diagnostics();
    BpNetParser parser = parser(file, line, col, text, diag);
    BpNetParser.StandaloneStmtsContext tree = Nesting.parse(file, parser, BpNetParser::standaloneStmts, diag);
    if (tree != null) {
      Nesting.check(file, tree, diag);
    }
    diag.stopIfErrors();
    AstBuilder builder = new AstBuilder(file, diag, new Diagnostics());
    List<Decl.Let> out = new ArrayList<>();
    for (BpNetParser.StmtContext st : tree.stmt()) {
      out.add(new Decl.Let(st.name.getText(), builder.visit(st.expr()), builder.pos(st.name)));
    }
    diag.stopIfErrors();
    return out;
  }

  /** An optimizer's hyperparameter {@code name = default}; null (reported) for a bad default. */
  public static OptimizerDecl.Hyper hyper(String file, int line, int col, String text) {
    return DeepStack.run(() -> {
      Diagnostics diag = new Diagnostics();
      BpNetParser.StandaloneHyperContext tree = Nesting.parse(file, parser(file, line, col, text, diag),
          BpNetParser::standaloneHyper, diag);
      diag.stopIfErrors();
      OptimizerDecl.Hyper h = new AstBuilder(file, diag, new Diagnostics()).hyper(tree.hyper());
      diag.stopIfErrors();
      return h;
    });
  }

  /** An optimizer's statements ({@code name = value}, {@code state ...}, {@code require ...}), in order. */
  public static List<OptimizerDecl.Stmt> optimizerStatements(String file, int line, int col, String text) {
    return DeepStack.run(() -> {
      Diagnostics diag = new Diagnostics();
      BpNetParser.StandaloneOptStmtsContext tree = Nesting.parse(file, parser(file, line, col, text, diag),
          BpNetParser::standaloneOptStmts, diag);
      if (tree != null) {
        Nesting.check(file, tree, diag);
      }
      diag.stopIfErrors();
      AstBuilder builder = new AstBuilder(file, diag, new Diagnostics());
      List<OptimizerDecl.Stmt> out = new ArrayList<>();
      for (BpNetParser.OptStmtContext st : tree.optStmt()) {
        OptimizerDecl.Stmt s = builder.optimizerStatement(st);
        if (s != null) {
          out.add(s);
        }
      }
      diag.stopIfErrors();
      return out;
    });
  }

  private static BpNetParser parser(String file, int line, int col, String text, Diagnostics diag) {
    BpNetLexer lexer = new BpNetLexer(CharStreams.fromString(text.replace('\n', ' ').replace('\r', ' '), file));
    lexer.setLine(line);
    lexer.setCharPositionInLine(col - 1);
    lexer.removeErrorListeners();
    BpNetParser parser = Parser.coldParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.setErrorHandler(new SyntaxErrors(file, diag));
    return parser;
  }
}
