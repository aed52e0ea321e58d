package dev.bpnet.dsl.syntax;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in optimizers, declared in the language in the bundled {@code optimizers.bpnet} and
 * compiled like a user's: sgd, momentum, adam and reinforced. Read once.
 */
public final class StandardOptimizers {
  /** The resource, as generated comments name it. */
  public static final String FILE = "optimizers.bpnet";

  private static final Map<String, OptimizerDecl> DECLS = load();

  private StandardOptimizers() {}

  /** The declaration of built-in optimizer {@code name}, or null. */
  public static OptimizerDecl get(String name) {
    return DECLS.get(name);
  }

  /** Every built-in's declaration, by name, in the file's order. */
  public static Map<String, OptimizerDecl> all() {
    return DECLS;
  }

  /** The bundled file's text. */
  public static String text() {
    try (InputStream in = StandardOptimizers.class.getResourceAsStream("/dev/bpnet/dsl/std/" + FILE)) {
      if (in == null) {
        throw new IllegalStateException("the standard optimizers " + FILE + " are missing from the compiler's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, OptimizerDecl> load() {
    Map<String, OptimizerDecl> m = new LinkedHashMap<>();
    // a broken bundled file is the compiler's bug: its CompileException names the line
    Parser.parseLibrary(FILE, text()).optimizers().forEach(d -> m.put(d.name(), d));
    return java.util.Collections.unmodifiableMap(m);
  }
}
