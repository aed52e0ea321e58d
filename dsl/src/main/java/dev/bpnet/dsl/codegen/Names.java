package dev.bpnet.dsl.codegen;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place generated names come from. A node's Java name derives from its label:
 * "h.z" becomes {@code hZ}, "d(h.z)" becomes {@code dHZ}, "t(d(h))" becomes {@code tDH}.
 * Unlabelled intermediates are named after their operation and id ({@code mul17}).
 */
public final class Names {
  /**
   * Names the generated code uses itself. Types cannot clash: every generated variable name
   * starts with a lower-case letter, every class name with a capital.
   */
  private static final Set<String> RESERVED = Set.of("batch", "dtype", "optimizer", "alpha",
      "parameterList", "directionList", "feeds", "seed", "b", "m", "pass2", "pass3", "direction", "noise", "training",
      "masksDrawn", "state",
      // the forward-only model class's own
      "workspaces", "w", "inputs", "parameters", "problems", "paramsOrRun",
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
      "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
      "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
      "native", "new", "package", "private", "protected", "public", "return", "short", "static",
      "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
      "void", "volatile", "while", "true", "false", "null", "var", "record", "yield");

  private final Graph g;
  private final Map<Integer, String> byNode = new HashMap<>();
  private final Set<String> used = new HashSet<>();

  Names(Graph g) {
    this.g = g;
  }

  /** The trainer class for a model: "mnist_three_pass" gives MnistThreePassTrainer. */
  public static String trainerClass(String model) {
    return classStem(model) + "Trainer";
  }

  /** The forward-only class for a model: "mnist_three_pass" gives MnistThreePassModel. */
  public static String modelClass(String model) {
    return classStem(model) + "Model";
  }

  private static String classStem(String model) {
    String c = camel(model);
    // "_" or "_1" camel-case to "" or "1": not a class name on their own
    if (c.isEmpty() || !Character.isJavaIdentifierStart(c.charAt(0))) {
      c = "Model" + c;
    }
    return Character.toUpperCase(c.charAt(0)) + c.substring(1);
  }

  /** The buffer or field name of a node. */
  String of(int id) {
    return byNode.computeIfAbsent(id, this::fresh);
  }

  /** A fresh helper name derived from a node's name ("hZ" + "Keep" gives hZKeep). */
  String derived(int id, String suffix) {
    return unique(of(id) + suffix);
  }

  private String fresh(int id) {
    Node n = g.node(id);
    String base = n.displayName() != null ? n.displayName() : n.op().name().replace("_", "") + id;
    return unique(camel(base));
  }

  String unique(String base) {
    String s = base.isEmpty() || !Character.isJavaIdentifierStart(base.charAt(0)) ? "v" + base
        : Character.toLowerCase(base.charAt(0)) + base.substring(1);
    String name = s;
    for (int i = 2; RESERVED.contains(name) || !used.add(name); i++) {
      name = s + i;
    }
    return name;
  }

  /** Lower camel case from any label: separators start a new word. */
  static String camel(String label) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char ch : label.toCharArray()) {
      if (Character.isLetterOrDigit(ch)) {
        b.append(upper && b.length() > 0 ? Character.toUpperCase(ch) : ch);
        upper = false;
      } else {
        upper = true;
      }
    }
    return b.toString();
  }
}
