package dev.bpnet.dsl.lower;

import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The value a model predicts: what {@code predict} returns and what accuracy and the test figure
 * score against the label. A model declares it as the value named {@code output}
 * ({@code output = logits}); without one, the rule is: the prediction (first argument) of the
 * built-in losses the loss is computed from, when they all apply to one value. So
 * {@code softmax_cross_entropy(logits, y) + 1e-4 * sum(h.W ^ 2)} predicts {@code logits}, and a
 * hand-written loss, which calls none, must declare its output (E52). Either way the output
 * must have a label's shape, since the metrics compare the two element by element.
 */
final class Outputs {
  /** The name that declares the output. */
  static final String NAME = "output";

  private Outputs() {}

  /**
   * The output node, or -1 after reporting an error.
   *
   * @param declared the node of the value named {@code output}, or null when there is none
   * @param values the model's named values, to suggest one when the rule finds nothing
   */
  static int find(Scope s, Integer declared, Pos declaredAt, int loss, Pos lossAt, Map<String, Integer> values,
      List<Program.Leaf> labels) {
    if (declared != null) {
      return checked(s, declared, declaredAt, labels);
    }
    BitSet lossDeps = s.graph.ancestors(List.of(loss));
    Set<Integer> predictions = new LinkedHashSet<>();
    List<Scope.LossCall> calls = new ArrayList<>();
    for (Scope.LossCall c : s.lossCalls) {
      if (lossDeps.get(c.result()) && predictions.add(c.prediction())) {
        calls.add(c);
      }
    }
    if (predictions.size() == 1) {
      return checked(s, predictions.iterator().next(), lossAt, labels);
    }
    String why;
    String hint;
    if (predictions.isEmpty()) {
      why = "the loss calls none of the built-in losses (" + String.join(", ", Losses.NAMES)
          + "), whose first argument would be the prediction";
      String candidate = candidate(s, values, labels, lossDeps);
      hint = "declare the value predict returns" + (candidate == null ? ", as in output = logits"
          : ", as in output = " + candidate);
    } else {
      List<String> which = calls.stream().map(c -> "'" + name(s, c.prediction()) + "' (" + c.call().fn() + " at line "
          + c.call().pos().line() + ", column " + c.call().pos().col() + ")").toList();
      why = "the loss applies built-in losses to different predictions: " + String.join(", ", which);
      hint = "declare the one predict returns, as in output = " + name(s, calls.get(0).prediction());
    }
    s.diag.add(new Diagnostic(ErrorCode.E52, lossAt, ErrorCode.E52.format(why), hint));
    return -1;
  }

  /** The output must have a label's shape: accuracy, the test figure and predict's users compare them. */
  private static int checked(Scope s, int output, Pos at, List<Program.Leaf> labels) {
    Shape shape = s.graph.shape(output);
    if (labels.isEmpty() || labels.stream().anyMatch(l -> l.shape().equals(shape))) {
      return output;
    }
    Program.Leaf y = labels.get(0);
    s.diag.add(new Diagnostic(ErrorCode.E4, at, ErrorCode.E4.format("the output", "'" + name(s, output) + "' is "
        + shape + ", but the label '" + y.name() + "' is " + y.shape()
        + ": accuracy and the test figure compare the output with the label"),
        "declare as the output the value the label is compared with: output = NAME"));
    return -1;
  }

  /** The one named value the loss depends on that has a label's shape (a hand-written loss's prediction), or null. */
  private static String candidate(Scope s, Map<String, Integer> values, List<Program.Leaf> labels, BitSet lossDeps) {
    List<String> found = new ArrayList<>();
    Set<Integer> seen = new java.util.HashSet<>();
    values.forEach((name, id) -> {
      boolean computed = id != null && !(s.graph.node(id).op() instanceof dev.bpnet.dsl.ir.Leaves.Input);
      if (computed && lossDeps.get(id) && labels.stream().anyMatch(l -> l.shape().equals(s.graph.shape(id)))
          && seen.add(id)) {
        found.add(name);
      }
    });
    return found.size() == 1 ? found.get(0) : null;
  }

  private static String name(Scope s, int id) {
    Node n = s.graph.node(id);
    return n.displayName() == null ? "the value at " + n.pos() : n.displayName();
  }
}
