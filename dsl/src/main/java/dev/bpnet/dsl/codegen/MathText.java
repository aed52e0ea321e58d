package dev.bpnet.dsl.codegen;

import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.Node;
import java.util.List;
import java.util.Locale;

/** The formula a node computes, in the model's own names, for the generated comments. */
final class MathText {
  private final Graph g;

  MathText(Graph g) {
    this.g = g;
  }

  String of(Node n) {
    List<Integer> in = n.inputs();
    String a = in.isEmpty() ? "" : name(in.get(0));
    String b = in.size() < 2 ? "" : name(in.get(1));
    String rhs = switch (n.op()) {
      case ADD -> a + " + " + b;
      case SUB -> a + " - " + b;
      case MUL -> a + " * " + b;
      case DIV -> a + " / " + b;
      case POW -> a + " ^ " + b;
      case GT -> "[" + a + " > " + b + "]";
      case GE -> "[" + a + " >= " + b + "]";
      case LT -> "[" + a + " < " + b + "]";
      case LE -> "[" + a + " <= " + b + "]";
      case EQ -> "[" + a + " == " + b + "]";
      case NE -> "[" + a + " != " + b + "]";
      case NEG -> "-" + a;
      case LEAKY_RELU -> "leaky_relu(" + a + ", " + n.attrs().value() + ")";
      case SIGMOID_BP -> b + " * sigmoid'(" + a + ")";
      case TANH_BP -> b + " * tanh'(" + a + ")";
      case RELU_BP -> b + " * [" + a + " > 0]";
      case LEAKY_RELU_BP -> b + " * leaky_relu'(" + a + ", " + n.attrs().value() + ")";
      case CLAMP -> "clamp(" + a + ", " + b + ", " + name(in.get(2)) + ")";
      case WHERE -> a + " ? " + b + " : " + name(in.get(2));
      case MATMUL -> a + (n.attrs().transA() ? "^T" : "") + " @ " + b + (n.attrs().transB() ? "^T" : "");
      case BIAS_ADD -> a + " + " + b + " (per row)";
      case TRANSPOSE -> a + " permuted " + n.attrs().ints();
      case RESHAPE, BROADCAST -> n.op().name().toLowerCase(Locale.ROOT) + "(" + a + ", " + n.shape() + ")";
      case SUM, MEAN -> n.op().name().toLowerCase(Locale.ROOT) + "(" + a + ", axes " + n.attrs().ints() + ")";
      case SOFTMAX, LOG_SOFTMAX -> n.op().name().toLowerCase(Locale.ROOT) + "(" + a + ")";
      case SIZE -> "size(" + a + ", axes " + n.attrs().ints() + ")";
      case CONST -> String.valueOf(n.attrs().value());
      case INPUT, PARAM -> n.attrs().name();
      default -> n.op().name().toLowerCase(Locale.ROOT) + "(" + a + ")";
    };
    return name(n.id()) + " = " + rhs;
  }

  String name(int id) {
    Node n = g.node(id);
    if (g.isHost(id)) {
      return hostText(n);
    }
    if (n.label() != null) {
      return n.label();
    }
    return n.attrs().name() != null ? n.attrs().name() : "v" + id;
  }

  /** A host scalar as a formula: constants, B for the batch size, infix arithmetic. */
  private String hostText(Node n) {
    List<Integer> in = n.inputs();
    switch (n.op()) {
      case CONST:
        return fmt(n.attrs().value());
      case SIZE: {
        long stat = 1;
        boolean batch = false;
        for (int axis : n.attrs().ints()) {
          int d = g.shape(in.get(0)).dim(axis);
          batch |= d == dev.bpnet.dsl.ir.Shape.BATCH;
          stat *= d == dev.bpnet.dsl.ir.Shape.BATCH ? 1 : d;
        }
        return batch ? (stat == 1 ? "B" : stat + "B") : String.valueOf(stat);
      }
      case ADD: return "(" + name(in.get(0)) + " + " + name(in.get(1)) + ")";
      case SUB: return "(" + name(in.get(0)) + " - " + name(in.get(1)) + ")";
      case MUL: return name(in.get(0)) + "*" + name(in.get(1));
      case DIV: return name(in.get(0)) + "/" + name(in.get(1));
      case NEG: return "-" + name(in.get(0));
      default: return n.op().name().toLowerCase(Locale.ROOT) + "(" + name(in.get(0)) + ")";
    }
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
