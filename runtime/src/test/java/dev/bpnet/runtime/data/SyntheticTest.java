package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SyntheticTest {

  static double[] values(INDArray a) {
    return a.dup('c').data().asDouble();
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return s / v.length;
  }

  static void assertSameData(Dataset a, Dataset b) {
    assertArrayEquals(values(a.features()), values(b.features()));
    assertArrayEquals(values(a.labels()), values(b.labels()));
  }

  // ------------------------------------------------------------ teacher-student
  // (Haiping Huang and Taro Toyoizumi, "Reinforced backpropagation improves test performance of
  // deep networks: a toy-model study")

  @Test
  void teacherStudentShapesAndDeterminism() {
    Dataset d = Synthetic.teacherStudent(300, 100, 10, 5, DataType.DOUBLE);
    assertArrayEquals(new long[] {300, 100}, d.features().shape());
    assertArrayEquals(new long[] {300, 10}, d.labels().shape());
    assertEquals(DataType.DOUBLE, d.labels().dataType());
    assertSameData(d, Synthetic.teacherStudent(300, 100, 10, 5, DataType.DOUBLE));
    Dataset other = Synthetic.teacherStudent(300, 100, 10, 6, DataType.DOUBLE);
    assertFalse(java.util.Arrays.equals(values(d.features()), values(other.features())), "another seed, other inputs");
    assertFalse(java.util.Arrays.equals(Synthetic.teacherWeights(100, 10, 5)[0], Synthetic.teacherWeights(100, 10, 6)[0]));
  }

  @Test
  void teacherStudentLabelsAreTheTeachersSigmoidOutputs() {
    int n = 200;
    Dataset d = Synthetic.teacherStudent(n, 100, 10, 3, DataType.DOUBLE);
    double[][] w = Synthetic.teacherWeights(100, 10, 3);
    double[] x = values(d.features());
    double[] y = values(d.labels());
    for (int m = 0; m < n; m++) {
      for (int j = 0; j < 10; j++) {
        double h = 0;
        for (int i = 0; i < 100; i++) {
          h += w[j][i] * x[m * 100 + i];
        }
        assertEquals(1 / (1 + Math.exp(-h)), y[m * 10 + j], 1e-12, "example " + m + ", output " + j);
      }
    }
    for (double v : y) {
      assertTrue(v >= 0 && v <= 1, "a sigmoid output: " + v);
    }
  }

  @Test
  void teacherStudentDrawsStandardNormalInputsAndTeacher() {
    double[] x = values(Synthetic.teacherStudent(1000, 100, 10, 9, DataType.DOUBLE).features());
    assertEquals(0, mean(x), 0.02);
    assertEquals(1, variance(x), 0.02);
    double[][] w = Synthetic.teacherWeights(100, 10, 9);
    double[] flat = java.util.Arrays.stream(w).flatMapToDouble(java.util.Arrays::stream).toArray();
    assertEquals(1000, flat.length);
    assertEquals(0, mean(flat), 0.1);
    assertEquals(1, variance(flat), 0.15);
  }

  @Test
  void moreExamplesExtendTheSameSequence() {
    Dataset small = Synthetic.teacherStudent(10, 20, 3, 4, DataType.DOUBLE);
    Dataset large = Synthetic.teacherStudent(30, 20, 3, 4, DataType.DOUBLE);
    assertSameData(small, large.split(10).first());
  }

  @Test
  void float32IsFloat64Rounded() {
    Dataset d64 = Synthetic.teacherStudent(50, 100, 10, 1, DataType.DOUBLE);
    Dataset d32 = Synthetic.teacherStudent(50, 100, 10, 1, DataType.FLOAT);
    assertEquals(DataType.FLOAT, d32.features().dataType());
    assertEquals(DataType.FLOAT, d32.labels().dataType());
    assertArrayEquals(d64.features().castTo(DataType.FLOAT).data().asFloat(), d32.features().data().asFloat());
    assertArrayEquals(d64.labels().castTo(DataType.FLOAT).data().asFloat(), d32.labels().data().asFloat());
  }

  // ------------------------------------------------------------ scaled cosine
  // (anonymous authors under double-blind review, "Difference back propagation with inverse
  // sigmoid function")

  @Test
  void cosinePointsLieOnTheScaledCosine() {
    Dataset d = Synthetic.cosine(100, 2, DataType.DOUBLE);
    assertArrayEquals(new long[] {100, 1}, d.features().shape());
    assertArrayEquals(new long[] {100, 1}, d.labels().shape());
    double[] x = values(d.features());
    double[] y = values(d.labels());
    for (int i = 0; i < x.length; i++) {
      assertTrue(x[i] > -1 && x[i] < 1, "input in (-1, 1): " + x[i]);
      assertTrue(y[i] > 0 && y[i] <= 1, "output in (0, 1]: " + y[i]);
      assertEquals((1 + Math.cos(Math.PI * x[i])) / 2, y[i], 1e-15);
    }
    // random, not a grid: spread over the interval
    assertEquals(0, mean(x), 0.2);
    assertEquals(1.0 / 3, variance(x), 0.1);
    assertSameData(d, Synthetic.cosine(100, 2, DataType.DOUBLE));
    assertNotEquals(x[0], values(Synthetic.cosine(100, 3, DataType.DOUBLE).features())[0]);
  }

  @Test
  void cosineTarget() {
    assertEquals(1, Synthetic.cosineTarget(0), 1e-15);
    assertEquals(0.5, Synthetic.cosineTarget(0.5), 1e-15);
    assertEquals(0, Synthetic.cosineTarget(1), 1e-15);
    assertEquals(Synthetic.cosineTarget(-0.3), Synthetic.cosineTarget(0.3), 1e-15);
  }

  // ------------------------------------------------------------ noisy cubic
  // (Mehrdad Yazdani, "Linear Backprop in non-linear networks")

  @Test
  void cubicTargetIsThePapersPolynomial() {
    for (double x : new double[] {-1, 0, 0.5, 1, 2, 3, -2.25}) {
      assertEquals(x * x * x - 3 * x * x - x + 1, Synthetic.cubicTarget(x), 1e-12, "x = " + x);
    }
    assertEquals(-2, Synthetic.cubicTarget(-1), 0);
    assertEquals(1, Synthetic.cubicTarget(0), 0);
    assertEquals(-5, Synthetic.cubicTarget(2), 0);
  }

  @Test
  void fivePointsEvenlySpacedWithSmallNoise() {
    Dataset d = Synthetic.cubic(5, 0.1, 1, DataType.DOUBLE);
    assertArrayEquals(new long[] {5, 1}, d.features().shape());
    assertArrayEquals(new long[] {5, 1}, d.labels().shape());
    assertArrayEquals(new double[] {-1, 0, 1, 2, 3}, values(d.features()), 0);
    double[] y = values(d.labels());
    double[] x = values(d.features());
    for (int i = 0; i < 5; i++) {
      double r = y[i] - Synthetic.cubicTarget(x[i]);
      assertTrue(r != 0 && Math.abs(r) < 0.5, "noise of standard deviation 0.1: " + r);
    }
    assertSameData(d, Synthetic.cubic(5, 0.1, 1, DataType.DOUBLE));
    assertNotEquals(y[0], values(Synthetic.cubic(5, 0.1, 2, DataType.DOUBLE).labels())[0]);
  }

  @Test
  void cubicNoiseIsGaussianWithTheGivenStandardDeviation() {
    Dataset d = Synthetic.cubic(20_000, 0.1, 8, DataType.DOUBLE);
    double[] x = values(d.features());
    double[] y = values(d.labels());
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      r[i] = y[i] - Synthetic.cubicTarget(x[i]);
    }
    assertEquals(0, mean(r), 0.003);
    assertEquals(0.1, Math.sqrt(variance(r)), 0.003);
    assertEquals(-1, x[0], 0);
    assertEquals(3, x[x.length - 1], 0);
  }

  @Test
  void cubicCurveIsNoiseFree() {
    Dataset c = Synthetic.cubicCurve(Synthetic.CURVE_POINTS, DataType.DOUBLE);
    double[] x = values(c.features());
    double[] y = values(c.labels());
    assertEquals(101, x.length);
    for (int i = 0; i < x.length; i++) {
      assertEquals(-1 + 0.04 * i, x[i], 1e-12);
      assertEquals(Synthetic.cubicTarget(x[i]), y[i], 0);
    }
  }

  // ------------------------------------------------------------ by name

  @Test
  void trainAndTestByName() {
    Synthetic.TrainTest ts = Synthetic.trainAndTest("teacher_student", Map.of("n", 40.0), 7, 2, DataType.FLOAT);
    assertEquals(40, ts.train().size());
    assertEquals(40, ts.test().size());
    assertEquals(7, ts.train().featureCount());
    assertEquals(2, ts.test().classCount());
    Dataset all = Synthetic.teacherStudent(80, 7, 2, 1, DataType.FLOAT);
    assertSameData(all.split(40).first(), ts.train());
    assertSameData(all.split(40).rest(), ts.test());

    Synthetic.TrainTest cos = Synthetic.trainAndTest("cosine", Map.of(), 1, 1, DataType.FLOAT);
    assertEquals(100, cos.train().size());
    assertSame(cos.train(), cos.test(), "the difference backprop paper does not split");

    Synthetic.TrainTest cubic = Synthetic.trainAndTest("cubic", Map.of("noise", 0.0, "seed", 3.0), 1, 1, DataType.DOUBLE);
    assertEquals(5, cubic.train().size());
    assertEquals(Synthetic.CURVE_POINTS, cubic.test().size());
    assertArrayEquals(new double[] {-2, 1, -2, -5, -2}, values(cubic.train().labels()), 1e-12);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Synthetic.trainAndTest("cosin", Map.of(), 1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.trainAndTest("cubic", Map.of("m", 3.0), 1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.trainAndTest("cubic", Map.of("n", 1.0), 1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.trainAndTest("cosine", Map.of("n", 2.5), 1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.trainAndTest("cosine", Map.of("n", 1e9), 1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.cubic(5, -0.1, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.cubic(5, Double.NaN, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.teacherStudent(0, 100, 10, 1, DataType.FLOAT));
    assertThrows(IllegalArgumentException.class, () -> Synthetic.cosine(10, 1, DataType.INT32));
  }
}
