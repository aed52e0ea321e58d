package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One value of the graph: a primitive applied to earlier nodes. {@code label} is the human
 * name the code generator derives Java names from ("h", "d(h)"), null for anonymous values.
 */
public record Node(int id, Primitive op, List<Integer> inputs, Shape shape, Pos pos, String label) {
  public Node {
    inputs = List.copyOf(inputs);
  }

  public int input(int i) {
    return inputs.get(i);
  }

  /** The declared name of an input, parameter or hyperparameter leaf; null for other nodes. */
  public String leafName() {
    return op instanceof Leaves.Named l ? l.var() : null;
  }

  /** The label, else the leaf's declared name, else null. */
  public String displayName() {
    return label != null ? label : leafName();
  }

  Node withLabel(String l) {
    return new Node(id, op, inputs, shape, pos, l);
  }
}
