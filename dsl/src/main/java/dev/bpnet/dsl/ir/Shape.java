package dev.bpnet.dsl.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A static tensor shape. {@link #BATCH} marks the batch dimension, whose size is known only
 * when the trainer sees its first batch; every other dimension is a compile-time constant.
 */
public record Shape(List<Integer> dims) {
  public static final int BATCH = -1;
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(int... dims) {
    List<Integer> l = new ArrayList<>();
    for (int d : dims) {
      l.add(d);
    }
    return new Shape(l);
  }

  /** A batch of examples of the given per-example shape. */
  public static Shape batchOf(List<Integer> example) {
    List<Integer> l = new ArrayList<>();
    l.add(BATCH);
    l.addAll(example);
    return new Shape(l);
  }

  public int rank() {
    return dims.size();
  }

  public int dim(int axis) {
    return dims.get(axis < 0 ? axis + rank() : axis);
  }

  public boolean isScalar() {
    return dims.isEmpty();
  }

  /** Number of batch dimensions (0 or 1 in practice); the static element count is the rest. */
  public int batchDims() {
    return (int) dims.stream().filter(d -> d == BATCH).count();
  }

  /** Product of the static dimensions. */
  public long staticSize() {
    long n = 1;
    for (int d : dims) {
      if (d != BATCH) {
        // saturates: [100000, 100000, 100000, 100000] is too large, not a wrapped-around small number
        n = n > Long.MAX_VALUE / Math.max(1, d) ? Long.MAX_VALUE : n * d;
      }
    }
    return n;
  }

  public Shape withDim(int axis, int value) {
    List<Integer> l = new ArrayList<>(dims);
    l.set(axis, value);
    return new Shape(l);
  }

  /** Numpy broadcasting of two shapes, or null when they are incompatible. */
  public static Shape broadcast(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dims.get(i - (r - a.rank()));
      int db = i < r - b.rank() ? 1 : b.dims.get(i - (r - b.rank()));
      if (da == db || db == 1) {
        out.add(da);
      } else if (da == 1) {
        out.add(db);
      } else {
        return null;
      }
    }
    return new Shape(out);
  }

  /** A number as people write it: 3 rather than 3.0. */
  public static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** Normalises a possibly negative axis against a rank. */
  public static int axis(int axis, int rank) {
    return axis < 0 ? axis + rank : axis;
  }

  /** 0, 1, ..., rank - 1. */
  public static List<Integer> allAxes(int rank) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      l.add(i);
    }
    return l;
  }

  @Override
  public String toString() {
    return dims.stream().map(d -> d == BATCH ? "B" : String.valueOf(d))
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
