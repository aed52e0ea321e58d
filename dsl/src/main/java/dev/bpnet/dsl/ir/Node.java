package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.List;

/**
 * One value of the graph. {@code label} is the human name the code generator derives Java
 * names from ("h", "d(h)"); {@code math} a short formula for the generated comment.
 */
public record Node(int id, Op op, List<Integer> inputs, Attrs attrs, Shape shape, Phase phase,
    Pos pos, String label) {
  public Node {
    inputs = List.copyOf(inputs);
  }

  public Integer input(int i) {
    return inputs.get(i);
  }
}
