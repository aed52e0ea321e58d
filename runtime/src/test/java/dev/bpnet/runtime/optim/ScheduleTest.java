package dev.bpnet.runtime.optim;

import static dev.bpnet.runtime.optim.OptimTesting.assertBitwiseEqual;
import static dev.bpnet.runtime.optim.OptimTesting.copies;
import static dev.bpnet.runtime.optim.OptimTesting.gaussians;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpnet.api.Schedule;
import dev.bpnet.runtime.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Schedules against their formulas, and the rate optimizers actually apply. */
class ScheduleTest {
  private static final long[][] SHAPES = {{4, 3}, {3}};

  @Test
  void stepDecaysByTheFactorOnceEachEpochIsCompleted() {
    // The schedule of Weiming Xiong and Ruoyu Yang, "Reverse back propagation to make full use of
    // derivative", section 6.3.
    Schedule s = new Schedule.Step(List.of(100, 150), 0.1);
    for (int e = 0; e < 200; e++) {
      double expected = e < 100 ? 0.01 : e < 150 ? 0.001 : 0.0001;
      assertEquals(expected, s.at(0.01, e, 12345), 1e-18, "epoch " + e);
    }
    assertEquals(0.01, s.at(0.01, 99, 0));  // exactly base before the first step
  }

  @Test
  void exponentialDecaysPerUpdateDownToItsFloor() {
    // The decay of Haiping Huang and Taro Toyoizumi, "Reinforced backpropagation improves test
    // performance of deep networks: a toy-model study": eta0 0.8, beta 0.999, floor 0.02.
    Schedule s = new Schedule.Exponential(0.999, 0.02);
    assertEquals(0.8 * 0.999, s.at(0.8, 0, 1), 1e-15);
    assertEquals(0.8 * Math.exp(1000 * Math.log(0.999)), s.at(0.8, 7, 1000), 1e-12);
    // 0.8 * 0.999^t falls below 0.02 once t > ln(0.025)/ln(0.999) = 3687.1
    assertEquals(true, s.at(0.8, 0, 3687) > 0.02);
    assertEquals(0.02, s.at(0.8, 0, 3688));
    assertEquals(0.02, s.at(0.8, 0, 1_000_000));
  }

  @Test
  void linearMovesOncePerEpochThenStays() {
    Schedule s = new Schedule.Linear(1.0, 4);
    double[] expected = {0.1, 0.325, 0.55, 0.775, 1.0, 1.0, 1.0};
    for (int e = 0; e < expected.length; e++) {
      assertEquals(expected[e], s.at(0.1, e, 99), 1e-15, "epoch " + e);
    }
  }

  @Test
  void overAlphaDividesTheRateByAlphaOfTheSameEpoch() {
    Schedule s = new Schedule.OverAlpha(new Schedule.Step(List.of(2), 0.1), 0.2, new Schedule.Linear(1.0, 4));
    assertEquals(0.01 / 0.2, s.at(0.01, 0, 1), 1e-15);
    assertEquals(0.01 / 0.4, s.at(0.01, 1, 50), 1e-15);
    assertEquals(0.001 / 0.6, s.at(0.01, 2, 100), 1e-15);
    assertEquals(0.001 / 1.0, s.at(0.01, 9, 100), 1e-15);
  }

  @Test
  void badSchedulesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Step(List.of(), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Step(List.of(150, 100), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Step(List.of(0), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Step(List.of(10), 0));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Exponential(1.5, 0));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Exponential(0.9, -1));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Linear(Double.NaN, 3));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.Linear(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Schedule.OverAlpha(Schedule.NONE, 0, Schedule.NONE));
  }

  /** One update with gradient 1 everywhere from parameters 0: the change is -rate for SGD-like rules. */
  private static double appliedRate(Optimizer opt, int epoch) {
    INDArray p = Nd4j.zeros(DataType.DOUBLE, 3);
    opt.startEpoch(epoch);
    double announced = opt.learningRate();
    opt.update(List.of(p), List.of(Nd4j.ones(DataType.DOUBLE, 3)));
    for (int i = 0; i < 3; i++) {
      assertEquals(-announced, p.getDouble(i), 1e-12 * announced, "learningRate() is the rate applied");
    }
    return announced;
  }

  @Test
  void everyOptimizerAppliesTheStepScheduleOfItsEpoch() {
    Schedule s = new Schedule.Step(List.of(2, 4), 0.1);
    Map<String, Function<Schedule, Optimizer>> make = Map.of(
        "sgd", x -> new Sgd(0.5, x),
        "momentum", x -> new Momentum(0.5, 0.0, false, x),  // mu = 0: the change is lr * g
        "reinforced", x -> new ReinforcedBackprop(0.5, x, 1.0, 0.0, ReinforcedBackprop.Previous.RAW, 1));
    make.forEach((name, f) -> {
      Optimizer opt = f.apply(s);
      double[] expected = {0.5, 0.5, 0.05, 0.05, 0.005, 0.005};
      for (int e = 0; e < expected.length; e++) {
        assertEquals(expected[e], appliedRate(opt, e), 1e-15, name + " epoch " + e);
      }
    });
  }

  @Test
  void adamScalesItsStepSizeByTheSchedule() {
    // the first update of Adam moves every element by lr * g/|g| (up to eps): rate = lr(epoch)
    for (int e : new int[] {0, 3}) {
      Adam adam = new Adam(0.5, 0.9, 0.999, 1e-12, new Schedule.Step(List.of(3), 0.1));
      INDArray p = Nd4j.zeros(DataType.DOUBLE, 3);
      adam.startEpoch(e);
      adam.update(List.of(p), List.of(Nd4j.ones(DataType.DOUBLE, 3)));
      assertEquals(e < 3 ? -0.5 : -0.05, p.getDouble(0), 1e-9);
    }
  }

  @Test
  void exponentialCountsUpdatesAcrossEpochsForAnyOptimizer() {
    Schedule s = new Schedule.Exponential(0.9, 0.3);
    Sgd sgd = new Sgd(1.0, s);
    int t = 0;
    for (int e = 0; e < 4; e++) {
      sgd.startEpoch(e);
      for (int k = 0; k < 5; k++) {
        t++;
        assertEquals(Math.max(0.3, Math.pow(0.9, t)), appliedRate(sgd, e), 1e-15, "update " + t);
      }
    }
    assertEquals(20, sgd.steps());
  }

  @Test
  void reinforcedOwnDecayIsTheExponentialSchedule() {
    ReinforcedBackprop own = new ReinforcedBackprop(0.8, 0.999, 0.02, 1.0, 0.0, ReinforcedBackprop.Previous.REINFORCED, 1);
    ReinforcedBackprop viaSchedule = (ReinforcedBackprop) Optimizers.create("reinforced",
        Map.of("gamma0", 1.0, "lambda", 0.0), new Schedule.Exponential(0.999, 0.02), 1);
    for (int k = 0; k < 5; k++) {
      assertEquals(own.learningRate(), viaSchedule.learningRate());
      double expected = Math.max(0.02, 0.8 * Math.pow(0.999, k + 1));
      assertEquals(expected, appliedRate(own, 0), 1e-15);
      appliedRate(viaSchedule, 0);
    }
  }

  /** Today's optimizers (no schedule) and the same with a schedule that does not move yet: equal bits. */
  @Test
  void constantSchedulesChangeNothingBitForBit() {
    Schedule notYet = new Schedule.Step(List.of(50), 0.1);
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      List<Function<Schedule, Optimizer>> makers = List.of(
          x -> x == null ? new Sgd(0.1) : new Sgd(0.1, x),
          x -> x == null ? new Momentum(0.1, 0.9, true) : new Momentum(0.1, 0.9, true, x),
          x -> x == null ? new Adam(0.01) : new Adam(0.01, 0.9, 0.999, 1e-8, x),
          x -> Optimizers.create("reinforced", Map.of("lr", 0.3), x, 7));
      for (Function<Schedule, Optimizer> make : makers) {
        Random r = new Random(5);
        List<INDArray> start = gaussians(r, dt, SHAPES);
        List<List<INDArray>> grads = List.of(gaussians(r, dt, SHAPES), gaussians(r, dt, SHAPES), gaussians(r, dt, SHAPES));
        List<INDArray> reference = run(make.apply(null), start, grads);
        Optimizer probe = make.apply(Schedule.NONE);
        if (!(probe instanceof ReinforcedBackprop)) {
          assertBitwiseEqual(reference, run(probe, start, grads), probe.getClass().getSimpleName() + " with none");
        }
        assertBitwiseEqual(reference, run(make.apply(probe instanceof ReinforcedBackprop
            ? new Schedule.Exponential(0.999, 0.02) : notYet), start, grads), probe.getClass().getSimpleName() + " " + dt);
      }
    }
    // SGD with no schedule is the axpy it always was
    Random r = new Random(9);
    List<INDArray> p = gaussians(r, DataType.FLOAT, SHAPES);
    List<INDArray> g = gaussians(r, DataType.FLOAT, SHAPES);
    List<INDArray> expected = copies(p);
    for (int i = 0; i < p.size(); i++) {
      Nd4j.getBlasWrapper().level1().axpy(expected.get(i).length(), -0.1, g.get(i), expected.get(i));
    }
    assertBitwiseEqual(expected, run(new Sgd(0.1, notYet), p, List.of(g)), "sgd vs axpy");
  }

  private static List<INDArray> run(Optimizer opt, List<INDArray> start, List<List<INDArray>> grads) {
    List<INDArray> params = copies(start);
    for (int e = 0; e < grads.size(); e++) {
      opt.startEpoch(e);
      opt.update(params, grads.get(e));
    }
    return params;
  }
}
