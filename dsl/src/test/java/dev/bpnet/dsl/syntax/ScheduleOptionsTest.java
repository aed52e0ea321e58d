package dev.bpnet.dsl.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.Schedule;
import dev.bpnet.api.TrainSchedules;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Schedule options from train blocks to the trainer that follows them. */
class ScheduleOptionsTest {
  private static ModelDecl model(String train) {
    return Parser.parse("m.bpnet", """
        model M {
          input x: [3]
          label y: [2]
          h = tanh(dense(x, 4))
          out = dense(h, 2)
          loss = mse(out, y)
          train {
        %s
          }
        }
        """.formatted(train)).get(0);
  }

  @Test
  void optionsResolveToSchedules() {
    TrainSpec t = model("""
        optimizer = momentum(lr = 0.01)
        schedule = step(100, 150, factor = 0.1)
        """).train();
    assertEquals(new Schedule.Step(List.of(100, 150), 0.1), t.schedules().lr());
    assertEquals(new Schedule.Step(List.of(100, 150), 0.1), t.schedules().learningRate(t));
    TrainSpec e = model("schedule = exponential(beta = 0.99, floor = 0.001)").train();
    assertEquals(new Schedule.Exponential(0.99, 0.001), e.schedules().lr());
    assertEquals(new Schedule.Exponential(0.999, 0.0), model("schedule = exponential").train().schedules().lr());
  }

  @Test
  void noScheduleKeepsTheOptimizersOwnRateAndTheGeneratedCode() {
    TrainSpec plain = model("optimizer = sgd(lr = 0.1)").train();
    assertEquals(TrainSchedules.NONE, plain.schedules());
    assertNull(plain.schedules().learningRate(plain));
    TrainSpec reinforced = model("optimizer = reinforced(lr = 0.8)").train();
    assertNull(reinforced.schedules().learningRate(reinforced), "reinforced keeps its own decay");
    String code = BpNetCompiler.generate(model("optimizer = sgd(lr = 0.1)"), "p").toString();
    assertTrue(code.contains("this.optimizer = new SgdOptimizer(null, seed)"), code);
    assertFalse(code.contains("new Schedule."), "no schedule, no schedule code");
  }

  @Test
  void etaOverAlphaFollowsAlphasSchedule() {
    TrainSpec t = model("""
        passes = 3
        alpha = 0.2
        alpha_schedule = linear(to = 1, epochs = 4)
        lr_over_alpha = true
        optimizer = sgd(lr = 0.01)
        """).train();
    Schedule lr = t.schedules().learningRate(t);
    assertInstanceOf(Schedule.OverAlpha.class, lr);
    assertEquals(0.01 / 0.2, lr.at(0.01, 0, 1), 1e-15);
    assertEquals(0.01 / 0.6, lr.at(0.01, 2, 1), 1e-15);
  }

  /**
   * The generated trainer: Trainer.startEpoch sets alpha from its schedule (the update direction
   * is alpha g2 + (1 - alpha) g3 with that alpha) and the optimizer's rate is eta(epoch)/alpha(epoch).
   */
  @Test
  void generatedTrainerFollowsBothSchedulesEachEpoch() {
    Trainer t = TrainerLoader.load(model("""
        passes = 3
        alpha = 1
        alpha_schedule = linear(to = 0.25, epochs = 3)
        lr_over_alpha = true
        optimizer = sgd(lr = 0.1)
        schedule = step(2, factor = 0.5)
        dtype = float64
        """));
    INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 2);
    double[] alpha = {1.0, 0.75, 0.5, 0.25, 0.25};
    double[] eta = {0.1, 0.1, 0.05, 0.05, 0.05};
    for (int e = 0; e < alpha.length; e++) {
      t.startEpoch(e);
      assertEquals(eta[e] / alpha[e], t.optimizer().learningRate(), 1e-15, "rate at epoch " + e);
      Gradients g = t.gradients(Map.of("x", x, "y", y));
      for (String p : g.direction().keySet()) {
        INDArray expected = g.pass2().get(p).mul(alpha[e]).add(g.pass3().get(p).mul(1 - alpha[e]));
        assertTrue(expected.equalsWithEps(g.direction().get(p), 1e-12), "direction of " + p + " at epoch " + e);
      }
    }
    // the third pass exists although alpha starts at 1: the schedule moves it away
    assertTrue(Double.isFinite(t.gradients(Map.of("x", x, "y", y)).inputLoss()));
  }
}
