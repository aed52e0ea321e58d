package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.grammar.BpNetParser;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * The nesting limit of expressions. The tree walks after the parser (the AST builder, the
 * lowering) recurse once per level, so an expression nested deeper than {@link #MAX_DEPTH}
 * (parentheses, calls, unary minus, a chain of ^, or a long sum, which is a left-deep tree) is
 * reported here, before they run. The check itself walks the parse tree with a stack of its own.
 */
final class Nesting {
  /** Levels of expression nesting allowed: far beyond what a model needs, far below a stack's reach. */
  static final int MAX_DEPTH = 1000;

  static final String HINT = "split it into named values (h1 = ..., then use h1 in the next one)";

  private Nesting() {}

  /**
   * Runs a parser rule; null when {@link SyntaxErrors} gave up after too many errors. If the parser itself runs out of stack (nesting far beyond the limit,
   * even on {@link DeepStack}'s stack), reports where it was and returns null.
   */
  static <T extends ParserRuleContext> T parse(String file, BpNetParser parser, Function<BpNetParser, T> rule,
      Diagnostics diag) {
    try {
      return rule.apply(parser);
    } catch (org.antlr.v4.runtime.misc.ParseCancellationException e) {
      return null; // SyntaxErrors gave up, saying so
    } catch (StackOverflowError e) {
      Token t = parser.getCurrentToken();
      Pos pos = t == null ? new Pos(file, 1, 1, 0) : new Pos(file, t.getLine(), t.getCharPositionInLine() + 1);
      diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E47, pos, ErrorCode.E47.format("the file",
          "the parser ran out of stack here, more than " + MAX_DEPTH + " levels deep"), HINT));
      return null;
    }
  }

  /**
   * Whether unclosed parentheses nest at most {@link #MAX_DEPTH} deep, counted on the tokens
   * before parsing, so that a file with thousands of unclosed ones is refused in milliseconds; reports
   * E47 where they go past the limit, at the call or parenthesis the parse-tree check would name.
   */
  static boolean bracketsWithinLimit(String file, java.util.List<Token> tokens, Diagnostics diag) {
    int depth = 0;
    for (Token t : tokens) {
      depth += "(".equals(t.getText()) ? 1 : ")".equals(t.getText()) ? -1 : 0;
    }
    if (depth <= 0) {
      // balanced (or more closed than opened): the parser is quick, and the tree check names every deep expression
      return true;
    }
    depth = 0;
    for (int i = 0; i < tokens.size(); i++) {
      String text = tokens.get(i).getText();
      if (")".equals(text)) {
        depth = Math.max(0, depth - 1);
      } else if ("(".equals(text) && ++depth > MAX_DEPTH) {
        Token t = i > 0 && tokens.get(i - 1).getType() == BpNetParser.ID ? tokens.get(i - 1) : tokens.get(i);
        diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E47, new Pos(file, t.getLine(), t.getCharPositionInLine() + 1),
            ErrorCode.E47.format("this expression", "more than " + MAX_DEPTH + " levels"), HINT));
        return false;
      }
    }
    return true;
  }

  /**
   * Reports each outermost expression of {@code tree} nested deeper than {@link #MAX_DEPTH}, at
   * the start of its first level past the limit; true if there was none.
   */
  static boolean check(String file, ParseTree tree, Diagnostics diag) {
    boolean ok = true;
    // each entry: a node, its expression depth, and the outermost expression it is in (null outside one)
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.push(new Object[] {tree, 0, null});
    java.util.Set<ParseTree> reported = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    while (!todo.isEmpty()) {
      Object[] e = todo.pop();
      ParseTree node = (ParseTree) e[0];
      int depth = (int) e[1];
      ParseTree root = (ParseTree) e[2];
      if (node instanceof BpNetParser.ExprContext x) {
        depth++;
        if (root == null) {
          root = x;
        }
        if (depth > MAX_DEPTH) {
          if (reported.add(root)) {
            Token t = x.getStart();
            diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E47,
                new Pos(file, t.getLine(), t.getCharPositionInLine() + 1),
                ErrorCode.E47.format("this expression", "more than " + MAX_DEPTH + " levels"), HINT));
            ok = false;
          }
          continue;
        }
      }
      for (int i = node.getChildCount() - 1; i >= 0; i--) {
        ParseTree c = node.getChild(i);
        if (c instanceof ParserRuleContext) {
          todo.push(new Object[] {c, depth, root});
        }
      }
    }
    return ok;
  }
}
