package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.grammar.BpNetLexer;
import dev.bpnet.grammar.BpNetParser;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * The .bpnet front end: text to {@link ModelDecl}s, or a {@link CompileException} with every
 * syntax error of the file (and, when the syntax is fine, every train-option error).
 */
public final class Parser {
  private Parser() {}

  /**
   * The models of a file and the diagnostics of their train blocks: errors, reported with the
   * model checks, and warnings (an option with no effect).
   */
  public record Result(List<ModelDecl> models, List<RuleDecl> rules, List<OptimizerDecl> optimizers,
      List<Diagnostic> optionDiagnostics) {
    public Result {
      models = List.copyOf(models);
      rules = List.copyOf(rules);
      optimizers = List.copyOf(optimizers);
      optionDiagnostics = List.copyOf(optionDiagnostics);
    }
  }

  /** Parses a file; syntax errors stop here, train-option diagnostics are returned for later. */
  public static Result parseFile(String file, String text) {
    return parseFile(file, text, Overrides.NONE);
  }

  /**
   * Parses a file with {@code overrides} replacing options of every train block; their errors
   * are train-option diagnostics like the file's own.
   */
  public static Result parseFile(String file, String text, Overrides overrides) {
    return DeepStack.run(() -> parseOnDeepStack(file, text, overrides, false));
  }

  /** A library: a file of rules and optimizers that needs no model (the standard optimizers). */
  public static Result parseLibrary(String file, String text) {
    return DeepStack.run(() -> parseOnDeepStack(file, text, Overrides.NONE, true));
  }

  private static Result parseOnDeepStack(String file, String text, Overrides overrides, boolean library) {
    Diagnostics diag = new Diagnostics();
    int nul = text.indexOf('\0');
    if (nul >= 0 || text.indexOf('\uFFFD') >= 0) {
      diag.error(ErrorCode.E16, new Pos(file, 1, 1, 0), nul >= 0 ? "a NUL byte" : "bytes that are not UTF-8");
      diag.stopIfErrors();
    }
    // ANTLR counts lines at LF only: a file with CR (old Mac) line ends would be one line
    BpNetLexer lexer = new BpNetLexer(CharStreams.fromString(lineEndsAsLf(text), file));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    // ANTLR's prediction is slow on deep unclosed parentheses (minutes at 100,000): refuse them unparsed
    if (!Nesting.bracketsWithinLimit(file, tokens.getTokens(), diag) | !namesWithinLimit(file, tokens.getTokens(), diag)) {
      diag.stopIfErrors();
    }
    BpNetParser parser = coldParser(tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(new SyntaxErrors(file, diag));
    BpNetParser.FileContext tree = Nesting.parse(file, parser, BpNetParser::file, diag);
    if (tree != null) {
      Nesting.check(file, tree, diag);
    }
    diag.stopIfErrors();
    Diagnostics options = new Diagnostics();
    AstBuilder builder = new AstBuilder(file, diag, options);
    builder.library = library;
    builder.overrides(overrides, overrides.options(options));
    List<OptimizerDecl> optimizers = builder.optimizers(tree);
    List<ModelDecl> models = builder.file(tree);
    List<RuleDecl> rules = builder.rules(tree);
    if (models.isEmpty() && !library) {
      diag.error(ErrorCode.E15, new Pos(file, 1, 1, 0));
    }
    diag.stopIfErrors();
    return new Result(models, rules, optimizers, options.all());
  }

  /**
   * A parser with a prediction cache of its own. ANTLR shares its prediction DFA among all parsers
   * of a grammar in the JVM, and where a syntax error is detected, hence the tokens its message
   * says were expected, depends on what earlier parses put there: the same file's message
   * differed between a fresh `bpnet check` and a test run after other parses. A cold cache per
   * parse gives every file the message a fresh process gives it; the files are small.
   */
  static BpNetParser coldParser(org.antlr.v4.runtime.TokenStream tokens) {
    BpNetParser parser = new BpNetParser(tokens);
    org.antlr.v4.runtime.atn.ATN atn = parser.getATN();
    org.antlr.v4.runtime.dfa.DFA[] dfa = new org.antlr.v4.runtime.dfa.DFA[atn.getNumberOfDecisions()];
    for (int i = 0; i < dfa.length; i++) {
      dfa[i] = new org.antlr.v4.runtime.dfa.DFA(atn.getDecisionState(i), i);
    }
    parser.setInterpreter(new org.antlr.v4.runtime.atn.ParserATNSimulator(parser, atn, dfa,
        new org.antlr.v4.runtime.atn.PredictionContextCache()));
    return parser;
  }

  /** The longest name: a model's becomes a Java class and a file name, which file systems cap at 255 bytes. */
  static final int LONGEST_NAME = 200;

  /** Reports each name longer than {@link #LONGEST_NAME} characters; true if there is none. */
  private static boolean namesWithinLimit(String file, List<org.antlr.v4.runtime.Token> tokens, Diagnostics diag) {
    boolean ok = true;
    for (org.antlr.v4.runtime.Token t : tokens) {
      if (t.getType() == BpNetLexer.ID && t.getText().length() > LONGEST_NAME) {
        diag.add(new dev.bpnet.dsl.diag.Diagnostic(ErrorCode.E12, new Pos(file, t.getLine(), t.getCharPositionInLine() + 1,
            t.getText().length()), ErrorCode.E12.format(String.format("a name of %,d characters; a name has at most %d",
                t.getText().length(), LONGEST_NAME)), "use a shorter name"));
        ok = false;
      }
    }
    return ok;
  }

  /**
   * The text with CRLF and CR line ends as LF. Positions stay right: a line keeps its
   * characters and its columns, and the diagnostics printer splits lines the same way.
   */
  static String lineEndsAsLf(String text) {
    return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** The models of a file, or every syntax and train-option error; train-option warnings are dropped. */
  public static List<ModelDecl> parse(String file, String text) {
    Result r = parseFile(file, text);
    if (r.optionDiagnostics().stream().anyMatch(Diagnostic::isError)) {
      throw new CompileException(r.optionDiagnostics());
    }
    return r.models();
  }
}
