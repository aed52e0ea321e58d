package dev.bpnet.runtime;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The arrays that a generated trainer or model allocates for one batch size, and the bound ops
 * holding scratch arrays of that size, freed together when the batch size changes.
 *
 * <p>Why: an array's off-heap memory is otherwise freed only when the garbage collector finds
 * the array unreachable, and a training loop makes so little heap garbage that it may not look
 * for a long time. A convolutional trainer whose batch size changed a few times per epoch (the
 * last partial batch, validation, test) held every earlier size's buffers: 12 to 21 GB for
 * plain-20.
 *
 * <p>Not thread-safe: one owner (a trainer, or one workspace of a model) uses it at a time.
 */
public final class Buffers {
  private final List<INDArray> arrays = new ArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();
  /** Each scratch slot's memory, by slot and type. */
  private final java.util.Map<String, INDArray> scratch = new java.util.HashMap<>();
  private long bytes;

  /** A zero-filled array of the given shape, freed at the next {@link #release}; no shape: a 0-d scalar. */
  public INDArray zeros(DataType dtype, long... shape) {
    INDArray a = shape.length == 0 ? Nd4j.create(dtype) : Nd4j.create(dtype, shape);
    arrays.add(a);
    bytes += a.length() * dtype.width();
    return a;
  }

  /** An array of ones of the given shape, freed at the next {@link #release}. */
  public INDArray ones(DataType dtype, long... shape) {
    INDArray a = zeros(dtype, shape);
    a.assign(1.0);
    return a;
  }

  /**
   * A [rows, columns] scratch array in the memory of {@code slot}, shared with every other
   * scratch array of that slot and type: for ops that run one at a time and write all of their
   * scratch before reading it. The slot's memory grows to the largest size asked for (arrays
   * handed out before keep the memory they were given); freed at the next {@link #release}.
   */
  public INDArray scratch(DataType dtype, String slot, long rows, long columns) {
    long length = rows * columns;
    String key = slot + " " + dtype;
    INDArray memory = scratch.get(key);
    if (memory == null || memory.length() < length) {
      memory = zeros(dtype, Math.max(length, 1));
      scratch.put(key, memory);
    }
    return Nd4j.create(memory.data(), new long[] {rows, columns}, new long[] {columns, 1}, 0, 'c');
  }

  /** A bound op holding scratch arrays of this batch size: closed at the next {@link #release}. */
  public <T extends AutoCloseable> T own(T op) {
    owned.add(op);
    return op;
  }

  /**
   * Frees every array made and closes every op owned since the last release. The arrays, their
   * views and the ops must not be used afterwards.
   */
  public void release() {
    RuntimeException failure = null;
    for (AutoCloseable op : owned) {
      try {
        op.close();
      } catch (Exception x) {
        if (failure == null) {
          failure = new IllegalStateException("could not close " + op.getClass().getSimpleName(), x);
        }
      }
    }
    owned.clear();
    for (INDArray a : arrays) {
      if (a.closeable()) {
        a.close();
      }
    }
    arrays.clear();
    scratch.clear();
    bytes = 0;
    if (failure != null) {
      throw failure;
    }
  }

  /** Bytes held by the arrays made since the last release, scratch included (not counting owned ops' own). */
  public long bytes() {
    return bytes;
  }
}
