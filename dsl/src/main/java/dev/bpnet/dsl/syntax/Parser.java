package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.CompileException;
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

  public static List<ModelDecl> parse(String file, String text) {
    Diagnostics diag = new Diagnostics();
    int nul = text.indexOf('\0');
    if (nul >= 0 || text.indexOf('\uFFFD') >= 0) {
      diag.error(ErrorCode.E16, new Pos(file, 1, 1), nul >= 0 ? "a NUL byte" : "bytes that are not UTF-8");
      diag.stopIfErrors();
    }
    BpNetLexer lexer = new BpNetLexer(CharStreams.fromString(text, file));
    lexer.removeErrorListeners();
    BpNetParser parser = new BpNetParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.setErrorHandler(new SyntaxErrors(file, diag));
    BpNetParser.FileContext tree = parser.file();
    diag.stopIfErrors();
    List<ModelDecl> models = new AstBuilder(file, diag).file(tree);
    if (models.isEmpty()) {
      diag.error(ErrorCode.E15, new Pos(file, 1, 1));
    }
    diag.stopIfErrors();
    return models;
  }
}
