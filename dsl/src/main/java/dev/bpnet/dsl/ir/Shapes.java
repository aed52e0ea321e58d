package dev.bpnet.dsl.ir;

import dev.bpnet.dsl.diag.Pos;
import java.util.ArrayList;
import java.util.List;

/** Shape inference: the output shape of every primitive, or a {@link ShapeException}. */
final class Shapes {
  private Shapes() {}

  static Shape infer(Op op, List<Shape> in, Attrs a, Shape given, Pos pos) {
    String what = op.name().toLowerCase();
    switch (op) {
      case INPUT, PARAM, HYPER:
        return given;
      case RULE:
        return in.get(0);
      case CONST, SIZE:
        return Shape.SCALAR;
      case MATMUL:
        return matmul(in.get(0), in.get(1), a, pos);
      case BIAS_ADD: {
        Shape x = in.get(0);
        Shape b = in.get(1);
        if (b.rank() != 1 || x.rank() < 1 || x.dim(-1) != b.dim(0)) {
          throw new ShapeException(pos, what, "bias " + b + " does not match the last dimension of " + x);
        }
        return x;
      }
      case TRANSPOSE: {
        Shape x = in.get(0);
        List<Integer> perm = a.ints();
        if (perm.size() != x.rank()) {
          throw new ShapeException(pos, what, "permutation " + perm + " does not fit " + x);
        }
        List<Integer> d = new ArrayList<>();
        for (int p : perm) {
          d.add(x.dims().get(p));
        }
        return new Shape(d);
      }
      case RESHAPE: {
        Shape x = in.get(0);
        Shape t = new Shape(a.ints());
        if (x.staticSize() != t.staticSize() || x.batchDims() != t.batchDims()) {
          throw new ShapeException(pos, what, "cannot reshape " + x + " to " + t);
        }
        return t;
      }
      case BROADCAST: {
        Shape t = new Shape(a.ints());
        if (!t.equals(Shape.broadcast(in.get(0), t))) {
          throw new ShapeException(pos, what, "cannot broadcast " + in.get(0) + " to " + t);
        }
        return t;
      }
      case SUM, MEAN:
        return reduce(in.get(0), a);
      case SOFTMAX, LOG_SOFTMAX:
        return in.get(0);
      default:
        return broadcastAll(in, what, pos);
    }
  }

  private static Shape matmul(Shape x, Shape y, Attrs a, Pos pos) {
    if (x.rank() != 2 || y.rank() != 2) {
      throw new ShapeException(pos, "matmul", "matmul needs two matrices, got " + x + " and " + y);
    }
    int m = a.transA() ? x.dim(1) : x.dim(0);
    int k1 = a.transA() ? x.dim(0) : x.dim(1);
    int k2 = a.transB() ? y.dim(1) : y.dim(0);
    int n = a.transB() ? y.dim(0) : y.dim(1);
    if (k1 != k2) {
      throw new ShapeException(pos, "matmul", "inner dimensions differ: " + x
          + (a.transA() ? "^T" : "") + " times " + y + (a.transB() ? "^T" : ""));
    }
    return Shape.of(m, n);
  }

  private static Shape reduce(Shape x, Attrs a) {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (!a.ints().contains(i)) {
        d.add(x.dims().get(i));
      } else if (a.keepDims()) {
        d.add(1);
      }
    }
    return new Shape(d);
  }

  private static Shape broadcastAll(List<Shape> in, String what, Pos pos) {
    Shape s = in.get(0);
    for (int i = 1; i < in.size(); i++) {
      Shape b = Shape.broadcast(s, in.get(i));
      if (b == null) {
        throw new ShapeException(pos, what, "shapes " + s + " and " + in.get(i) + " do not broadcast");
      }
      s = b;
    }
    return s;
  }
}
