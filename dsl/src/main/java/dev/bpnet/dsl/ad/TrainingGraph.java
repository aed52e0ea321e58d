package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Program;
import java.util.Map;

/**
 * A program with its passes: the loss, the input loss l_x (-1 without a third pass), and per
 * parameter name the node of g2 = dL/dtheta and of g3 = dl_x/dtheta. A parameter missing from
 * {@code g3} has a third-pass gradient of zero (biases in paper mode).
 */
public record TrainingGraph(Program program, int inputLoss, Map<String, Integer> g2,
    Map<String, Integer> g3, boolean paper) {
  public boolean hasThirdPass() {
    return inputLoss >= 0;
  }

  /** The values a trainer computes: loss, output, gradients and l_x; everything else is dead. */
  public java.util.List<Integer> roots() {
    java.util.List<Integer> roots = new java.util.ArrayList<>(java.util.List.of(program.loss(), program.output()));
    roots.addAll(g2.values());
    roots.addAll(g3.values());
    if (hasThirdPass()) {
      roots.add(inputLoss);
    }
    return roots;
  }
}
