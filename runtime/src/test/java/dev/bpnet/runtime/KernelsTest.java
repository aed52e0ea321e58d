package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The runtime kernels against plain loops. */
class KernelsTest {
  final Random r = new Random(2);

  INDArray rand(int rows, int cols) {
    double[][] v = new double[rows][cols];
    for (double[] row : v) {
      for (int j = 0; j < cols; j++) {
        row[j] = Math.round(r.nextGaussian() * 4) / 4.0;  // quarter steps: equal values occur
      }
    }
    return Nd4j.createFromArray(v);
  }

  /**
   * ND4J's LogSoftMax underflows to -infinity where a probability does; the repair recomputes
   * those rows as x - max - log(sum(exp(x - max))) (checked against that formula in plain Java)
   * and leaves every other row with ND4J's bits.
   */
  @Test
  void logSoftmaxRowsThatUnderflowedAreRecomputedAndOthersKept() {
    double[][] v = {{0, 50, 200, 800}, {0, 1, 2, 3}, {-1000, 0, 1, -745}};
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray x = Nd4j.createFromArray(v).castTo(dt);
      INDArray out = x.ulike();
      Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax(x, out));
      INDArray nd4j = out.dup();
      assertEquals(Double.NEGATIVE_INFINITY, nd4j.getDouble(0, 0), 0.0, dt + ": the op itself underflows");
      Kernels.repairLogSoftmax(x, out);
      for (int i = 0; i < v.length; i++) {
        double max = java.util.Arrays.stream(v[i]).max().getAsDouble();
        double lse = max + Math.log(java.util.Arrays.stream(v[i]).map(a -> Math.exp(a - max)).sum());
        for (int j = 0; j < v[i].length; j++) {
          double want = (dt == DataType.FLOAT ? (float) v[i][j] : v[i][j]) - lse;
          assertEquals(want, out.getDouble(i, j), Math.abs(want) * 1e-6 + 1e-6, dt + " [" + i + ", " + j + "]");
        }
      }
      assertEquals(nd4j.getRow(1), out.getRow(1), dt + ": a row that did not underflow keeps ND4J's bits");
    }
  }

  @Test
  void comparisonsAgainstTensorsAndScalars() {
    INDArray x = rand(5, 4);
    INDArray y = rand(5, 4);
    INDArray out = Nd4j.create(DataType.DOUBLE, 5, 4);
    for (Kernels.Cmp c : Kernels.Cmp.values()) {
      Kernels.compare(c, x, y, out);
      INDArray s = Nd4j.create(DataType.DOUBLE, 5, 4);
      Kernels.compare(c, x, 0.25, s);
      INDArray t = Nd4j.create(DataType.DOUBLE, 5, 4);
      Kernels.compare(c, 0.25, y, t);
      for (int i = 0; i < 20; i++) {
        assertEquals(cmp(c, x.getDouble(i), y.getDouble(i)), out.getDouble(i), c + " tensor");
        assertEquals(cmp(c, x.getDouble(i), 0.25), s.getDouble(i), c + " scalar right");
        assertEquals(cmp(c, 0.25, y.getDouble(i)), t.getDouble(i), c + " scalar left");
      }
    }
  }

  static double cmp(Kernels.Cmp c, double a, double b) {
    boolean v = switch (c) {
      case GT -> a > b;
      case GE -> a >= b;
      case LT -> a < b;
      case LE -> a <= b;
      case EQ -> a == b;
      case NE -> a != b;
    };
    return v ? 1 : 0;
  }

  @Test
  void whereSelectsWithoutTouchingTheOtherSide() {
    INDArray c = Nd4j.createFromArray(new double[] {1, 0, 1, 0});
    INDArray a = Nd4j.createFromArray(new double[] {1, Double.NaN, 3, Double.NaN});
    INDArray b = Nd4j.createFromArray(new double[] {Double.POSITIVE_INFINITY, 20, Double.NaN, 40});
    INDArray out = Nd4j.create(DataType.DOUBLE, 4);
    Kernels.where(c, a, b, out);
    assertEquals(Nd4j.createFromArray(new double[] {1, 20, 3, 40}), out);
  }

  @Test
  void clampBroadcastAndCombine() {
    INDArray x = rand(3, 4);
    INDArray out = Nd4j.create(DataType.DOUBLE, 3, 4);
    Kernels.clamp(x, -0.5, 0.5, out);
    for (int i = 0; i < 12; i++) {
      assertEquals(Math.min(Math.max(x.getDouble(i), -0.5), 0.5), out.getDouble(i));
    }
    INDArray row = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4}});
    Kernels.broadcast(row, out);
    for (int i = 0; i < 3; i++) {
      assertEquals(row.getRow(0), out.getRow(i));
    }
    INDArray g2 = rand(3, 4);
    INDArray g3 = rand(3, 4);
    Kernels.combine(0.3, g2, g3, out);
    for (int i = 0; i < 12; i++) {
      assertEquals(0.3 * g2.getDouble(i) + 0.7 * g3.getDouble(i), out.getDouble(i), 1e-15);
    }
    Kernels.combine(0.3, null, g3, out);
    assertEquals(0.7 * g3.getDouble(5), out.getDouble(5), 1e-15);
  }

  /**
   * The softmax cross-entropy kernels and the column sums against plain loops, in float and
   * double, on dense buffers (the BLAS / raw-indexer paths) and on transposed views (the
   * element-wise fallbacks).
   */
  @Test
  void crossEntropyKernelsAndColumnSums() {
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
      INDArray y = rand(6, 4).castTo(dt);
      INDArray logP = rand(6, 4).subi(2).castTo(dt);
      INDArray yT = rand(4, 6).castTo(dt).transpose();  // a [6, 4] view that is not c-contiguous
      for (INDArray g : new INDArray[] {y, yT}) {
        double dot = 0;
        for (int i = 0; i < 6; i++) {
          for (int j = 0; j < 4; j++) {
            dot += g.getDouble(i, j) * logP.getDouble(i, j);
          }
        }
        INDArray l = Nd4j.create(dt);
        Kernels.negatedMeanDot(g, logP, l);
        assertEquals(-dot / 6, l.getDouble(0), tol, dt + " loss");
        Kernels.dot(g, logP, l);
        assertEquals(dot, l.getDouble(0), tol, dt + " dot");

        INDArray out = Nd4j.create(dt, 6, 4);
        Kernels.logSoftmaxVjp(g, -0.5, logP, out);
        for (int i = 0; i < 6; i++) {
          double rowSum = 0;
          for (int j = 0; j < 4; j++) {
            rowSum += -0.5 * g.getDouble(i, j);
          }
          for (int j = 0; j < 4; j++) {
            double want = -0.5 * g.getDouble(i, j) - Math.exp(logP.getDouble(i, j)) * rowSum;
            assertEquals(want, out.getDouble(i, j), tol, dt + " log_softmax VJP " + i + "," + j);
          }
        }

        INDArray sums = Nd4j.create(dt, 4);
        new Kernels.ColumnSums(g, sums, 0.25).run();
        for (int j = 0; j < 4; j++) {
          double want = 0;
          for (int i = 0; i < 6; i++) {
            want += g.getDouble(i, j);
          }
          assertEquals(0.25 * want, sums.getDouble(j), tol, dt + " column sum " + j);
        }
      }
    }
  }

  /**
   * ChannelSums against the definition, out[c] = scale * sum over b, h, w of x[b, c, h, w], dense
   * (two gemvs) and as a permuted view (ND4J's Sum), float and double, rank 4 and 3; it runs twice,
   * so that nothing carries from one run into the next.
   */
  @Test
  void channelSumsAddEveryPlaneOfAChannel() {
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
      INDArray x4 = Nd4j.rand(DataType.DOUBLE, 5, 3, 4, 7).subi(0.5).castTo(dt);
      INDArray view = Nd4j.rand(DataType.DOUBLE, 3, 5, 4, 7).subi(0.5).castTo(dt).permute(1, 0, 2, 3);
      INDArray x3 = Nd4j.rand(DataType.DOUBLE, 5, 3, 11).subi(0.5).castTo(dt);
      for (INDArray x : new INDArray[] {x4, view, x3}) {
        for (double scale : new double[] {1.0, 0.125}) {
          INDArray out = Nd4j.create(dt, 3).assign(7);
          Kernels.ChannelSums op = new Kernels.ChannelSums(x, out, scale);
          op.run();
          op.run();
          INDArray flat = x.dup('c').reshape(x.size(0), x.size(1), -1);
          for (int c = 0; c < 3; c++) {
            double want = 0;
            for (int b = 0; b < x.size(0); b++) {
              for (int k = 0; k < flat.size(2); k++) {
                want += flat.getDouble(b, c, k);
              }
            }
            assertEquals(scale * want, out.getDouble(c), tol * x.length(),
                dt + " " + java.util.Arrays.toString(x.shape()) + (x == view ? " view" : "") + " scale " + scale + " channel " + c);
          }
          op.close();
        }
      }
    }
  }
}
