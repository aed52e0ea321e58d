package dev.bpnet.dsl.ad;

import dev.bpnet.dsl.ir.Activations;
import dev.bpnet.dsl.ir.GraphBuilder;
import dev.bpnet.dsl.ir.Node;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation as a graph-to-graph transform: appends to the graph
 * the nodes that compute d(output)/d(wrt) and returns them. Only nodes on a path from a
 * {@code wrt} leaf to the output get cotangents, so nothing the caller did not ask for is
 * computed (a 2-pass trainer gets no dL/dx for its input layer).
 */
public final class Reverse {
  private Reverse() {}

  /**
   * @param output a scalar node
   * @param wrt the leaves to differentiate with respect to
   * @param blocked nodes treated as constants: no cotangent flows through them (the paper
   *     mode of the third pass blocks every forward value)
   * @param prefix the label prefix of the cotangent nodes ("d" for pass 2, "t" for pass 3)
   * @param trueRules true to give rules their forward body's true derivative (the third pass)
   *     rather than the derivative they put in its place (the backward pass)
   * @return gradient node per {@code wrt} leaf; absent where the gradient is identically zero
   */
  public static Map<Integer, Integer> grad(GraphBuilder g, int output, List<Integer> wrt, BitSet blocked,
      String prefix, boolean trueRules) {
    return vjp(g, output, g.constant(1.0), wrt, blocked, prefix, trueRules);
  }

  /**
   * The vector-Jacobian product of {@code output} with cotangent {@code seed}: what
   * {@link #grad} computes for a scalar, for any node (the true part of a layer rule).
   */
  static Map<Integer, Integer> vjp(GraphBuilder g, int output, int seed, List<Integer> wrt, BitSet blocked,
      String prefix, boolean trueRules) {
    BitSet needs = new BitSet();
    wrt.forEach(needs::set);
    for (int id = 0; id <= output; id++) {
      Node n = g.node(id);
      // stop_gradient passes no cotangent: what is computed from it needs no derivative
      // (sign(stop_gradient(x)) differentiates, as E30's hint promises)
      if (!blocked.get(id) && !(n.op() instanceof Activations.StopGradient)
          && n.inputs().stream().anyMatch(needs::get)) {
        needs.set(id);
      }
    }
    VjpContext context = new VjpContext(g, trueRules);
    Map<Integer, Integer> ct = new HashMap<>();
    ct.put(output, seed);
    for (int id = output; id >= 0; id--) {
      Integer c = ct.get(id);
      Node n = g.node(id);
      if (c == null || !needs.get(id) || blocked.get(id) || n.inputs().isEmpty()) {
        continue;
      }
      g.label(c, prefix + "(" + nameOf(g, id) + ")");
      g.at(n.pos());
      List<Integer> contrib = n.op().vjp(context, n, c);
      for (int i = 0; i < n.inputs().size(); i++) {
        int in = n.input(i);
        Integer d = contrib.get(i);
        if (d != null && needs.get(in)) {
          Integer prev = ct.get(in);
          ct.put(in, prev == null ? d : context.ops().add(prev, d));
        }
      }
    }
    Map<Integer, Integer> out = new LinkedHashMap<>();
    for (int w : wrt) {
      Integer c = ct.get(w);
      if (c != null) {
        out.put(w, g.label(c, prefix + "(" + nameOf(g, w) + ")"));
      }
    }
    return out;
  }

  static String nameOf(GraphBuilder g, int id) {
    String name = g.node(id).displayName();
    return name != null ? name : "v" + id;
  }
}
