package dev.bpnet.runtime;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
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

  /** The alignment of float32 and float64 arrays' first element: a cache line, AVX-512's vector. */
  static final int ALIGNMENT = 64;

  /** The system property that turns the alignment off ({@code false}), for before/after measurements. */
  public static final String ALIGN_PROPERTY = "bpnet.buffers.align";

  /**
   * A zero-filled array of the given shape, freed at the next {@link #release}; no shape: a 0-d
   * scalar. Float32 and float64 arrays start on a 64-byte boundary ({@link #ALIGNMENT}).
   *
   * <p>Why: ND4J's allocations are 16-byte aligned, so where each buffer started within a cache
   * line changed from one JVM to the next, while oneDNN's kernels and the reorders between layouts
   * read and write whole 64-byte vectors. In one JVM, plain-20's 2-pass step took 238 and 245 ms
   * aligned against 263 and 263 unaligned (bench/run.sh --conv --conv-impl auto,auto-unaligned).
   * PyTorch aligns its CPU tensors the same way. {@code -Dbpnet.buffers.align=false}: ND4J's own.
   */
  public INDArray zeros(DataType dtype, long... shape) {
    // host arrays only: the view is made from a host pointer
    if (shape.length == 0 || dtype != DataType.FLOAT && dtype != DataType.DOUBLE || !Nd4j.getEnvironment().isCPU()
        || !Boolean.parseBoolean(System.getProperty(ALIGN_PROPERTY, "true"))) {
      INDArray a = shape.length == 0 ? Nd4j.create(dtype) : Nd4j.create(dtype, shape);
      arrays.add(a);
      bytes += a.length() * dtype.width();
      return a;
    }
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    int width = dtype.width();
    // ND4J owns (and frees) the memory; the array is a view of it from its first aligned element
    INDArray memory = Nd4j.create(dtype, n + ALIGNMENT / width);
    bytes += memory.length() * width;
    long address = memory.data().addressPointer().address();
    long skip = Math.floorMod(-address, ALIGNMENT) / width;
    Pointer first;
    org.bytedeco.javacpp.indexer.Indexer indexer;
    if (dtype == DataType.FLOAT) {
      FloatPointer f = new FloatPointer(memory.data().pointer()).getPointer(skip);
      f.capacity(n).limit(n);
      first = f;
      indexer = org.bytedeco.javacpp.indexer.FloatIndexer.create(f);
    } else {
      DoublePointer d = new DoublePointer(memory.data().pointer()).getPointer(skip);
      d.capacity(n).limit(n);
      first = d;
      indexer = org.bytedeco.javacpp.indexer.DoubleIndexer.create(d);
    }
    INDArray a = Nd4j.create(Nd4j.createBuffer(first, dtype, n, indexer), shape);
    // closed before its memory: the view's buffer only points into it (ND4J's "externalized")
    arrays.add(a);
    arrays.add(memory);
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
