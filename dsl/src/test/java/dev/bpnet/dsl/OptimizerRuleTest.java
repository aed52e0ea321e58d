package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.dsl.syntax.Parser;
import dev.bpnet.runtime.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Optimizers written in the language, compiled into the trainer, against the runtime's Java
 * optimizers (an independent implementation of the same rules): the same model stepped with a
 * rule and with the built-in ends at the same parameters. The Java optimizers add with BLAS axpy,
 * which fuses the multiply on this machine where the rule rounds twice, so the comparison allows
 * rounding (1e-12 relative); a wrong rule, a different mask or a missed state is off by far more.
 */
class OptimizerRuleTest {
  private static final String MODEL = """
      model tiny {
        input x: [6]
        label y: [4]
        h = tanh(dense(x, 8))
        logits = dense(h, 4)
        loss = softmax_cross_entropy(logits, y)
        train { optimizer = %s, seed = 7 }
      }
      """;

  static final String RULES = """
      optimizer my_sgd(lr = 0.01) {
        require lr > 0
        update = -rate * g
      }

      optimizer my_momentum(lr = 0.01, momentum = 0.9, nesterov = false) {
        require lr > 0
        require momentum >= 0
        state velocity = zeros
        velocity = momentum * velocity + g
        update = -rate * where(nesterov, g + momentum * velocity, velocity)
      }

      optimizer my_adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
        state m = zeros
        state v = zeros
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g)
        update = -(rate / (1 - beta1 ^ t)) * (m / (sqrt(v / (1 - beta2 ^ t)) + eps))
      }

      optimizer my_reinforced(lr = 0.8, beta = 0.999, floor = 0.02, gamma0 = 0.9995, lambda = 0.0001) {
        state previous = zeros
        rate = max(floor, lr * beta ^ t)
        gamma = gamma0 * exp(-lambda * epoch)
        g1 = g + bernoulli(1 - gamma ^ t) * previous
        previous = g1
        update = -rate * g1
      }
      """;

  private static Trainer trainer(String optimizer, DataType dt) throws Exception {
    String text = RULES + MODEL.formatted(optimizer);
    ModelDecl m = Parser.parse("rules.bpnet", text).get(0);
    return TrainerLoader.compile(m).getConstructor(DataType.class, long.class).newInstance(dt, 7L);
  }

  /** Parameters after {@code steps} steps on the same random batches, epoch starts included. */
  private static List<INDArray> run(Trainer t, int steps, DataType dt) {
    Random r = new Random(11);
    for (int s = 0; s < steps; s++) {
      if (s % 10 == 0) {
        t.startEpoch(s / 10);
      }
      t.step(Map.of("x", TestData.gaussian(r, dt, 16, 6), "y", TestData.oneHot(r, dt, 16, 4)));
    }
    List<INDArray> out = new ArrayList<>();
    t.parameters().values().forEach(p -> out.add(p.dup()));
    return out;
  }

  private static double maxRelative(List<INDArray> a, List<INDArray> b) {
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      double[] x = a.get(i).ravel().toDoubleVector();
      double[] y = b.get(i).ravel().toDoubleVector();
      for (int k = 0; k < x.length; k++) {
        worst = Math.max(worst, Math.abs(x[k] - y[k]) / Math.max(1e-3, Math.abs(y[k])));
      }
    }
    return worst;
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = ';', value = {
      "my_sgd(lr = 0.1); sgd(lr = 0.1)",
      "my_momentum(lr = 0.05, momentum = 0.8); momentum(lr = 0.05, momentum = 0.8)",
      "my_momentum(lr = 0.05, momentum = 0.8, nesterov = true); momentum(lr = 0.05, momentum = 0.8, nesterov = true)",
      "my_adam(lr = 0.01); adam(lr = 0.01)",
      "my_reinforced(lr = 0.5, gamma0 = 0.9, lambda = 0.1); reinforced(lr = 0.5, gamma0 = 0.9, lambda = 0.1)"})
  void aRuleMovesParametersAsTheJavaOptimizer(String rule, String builtin) throws Exception {
    Trainer a = trainer(rule, DataType.DOUBLE);
    Trainer b = trainer(builtin, DataType.DOUBLE);
    assertEquals(b.optimizer().learningRate(), a.optimizer().learningRate(), 0, "rate of the first update");
    List<INDArray> start = run(trainer(rule, DataType.DOUBLE), 0, DataType.DOUBLE);
    List<INDArray> pa = run(a, 30, DataType.DOUBLE);
    List<INDArray> pb = run(b, 30, DataType.DOUBLE);
    double moved = maxRelative(pb, start);
    double diff = maxRelative(pa, pb);
    System.out.printf("%s vs %s: 30 steps moved parameters by %.3g, rule vs Java %.3g%n", rule, builtin, moved, diff);
    assertTrue(moved > 1e-3, "the parameters moved");
    assertTrue(diff < 1e-12, rule + " vs " + builtin + ": " + diff);
    assertEquals(b.optimizer().learningRate(), a.optimizer().learningRate(), 1e-15, "rate after 30 updates");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {"my_adam(lr = 0.01)", "my_reinforced(lr = 0.05, gamma0 = 0.9, lambda = 0.1)"})
  void float32FollowsTheJavaOptimizer(String rule) throws Exception {
    String builtin = rule.replace("my_", "");
    double diff = maxRelative(run(trainer(rule, DataType.FLOAT), 20, DataType.FLOAT),
        run(trainer(builtin, DataType.FLOAT), 20, DataType.FLOAT));
    System.out.printf("float32 %s: rule vs Java %.3g%n", rule, diff);
    assertTrue(diff < 1e-5, rule + ": " + diff);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {"my_adam(lr = 0.01)", "my_reinforced(lr = 0.5, gamma0 = 0.9, lambda = 0.1)"})
  void aRestoredStateContinuesBitForBit(String rule) throws Exception {
    Trainer whole = trainer(rule, DataType.DOUBLE);
    List<INDArray> straight = run(whole, 20, DataType.DOUBLE);

    Trainer first = trainer(rule, DataType.DOUBLE);
    Random r = new Random(11);
    for (int s = 0; s < 10; s++) {
      if (s % 10 == 0) {
        first.startEpoch(s / 10);
      }
      first.step(Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 16, 6), "y", TestData.oneHot(r, DataType.DOUBLE, 16, 4)));
    }
    Map<String, INDArray> state = first.optimizer().state();
    assertTrue(state.containsKey("t") && state.keySet().stream().anyMatch(k -> k.matches("(m|v|previous)/0")), state.keySet().toString());
    Trainer second = trainer(rule, DataType.DOUBLE);
    first.parameters().forEach((k, v) -> second.parameters().get(k).assign(v));
    second.optimizer().restoreState(state);
    for (int s = 10; s < 20; s++) {
      if (s % 10 == 0) {
        second.startEpoch(s / 10);
      }
      second.step(Map.of("x", TestData.gaussian(r, DataType.DOUBLE, 16, 6), "y", TestData.oneHot(r, DataType.DOUBLE, 16, 4)));
    }
    List<INDArray> resumed = new ArrayList<>();
    second.parameters().values().forEach(p -> resumed.add(p.dup()));
    assertEquals(0.0, maxRelative(resumed, straight), "resumed vs straight");
  }

  /** As {@link AllocationTest}: steps after the first allocate no INDArray, masks and state included, built-ins too. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = ';', value = {"my_sgd(lr = 0.1); DOUBLE", "my_momentum(nesterov = true); FLOAT",
      "my_adam(lr = 0.01); DOUBLE", "my_adam(lr = 0.01); FLOAT", "my_reinforced(gamma0 = 0.9); DOUBLE",
      "my_reinforced(gamma0 = 0.9); FLOAT", "sgd(lr = 0.1); FLOAT", "momentum(nesterov = true); DOUBLE",
      "adam(lr = 0.01, weight_decay = 0.1); FLOAT", "reinforced(gamma0 = 0.9, raw = true); DOUBLE"})
  void stepsAfterTheFirstAllocateNothing(String rule, DataType dt) throws Exception {
    Trainer t = trainer(rule, dt);
    Random r = new Random(3);
    Map<String, INDArray> feeds = Map.of("x", TestData.gaussian(r, dt, 16, 6), "y", TestData.oneHot(r, dt, 16, 4));
    t.step(feeds);
    var counting = org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().initialSize(0)
        .policyAllocation(org.nd4j.linalg.api.memory.enums.AllocationPolicy.STRICT)
        .policyLearning(org.nd4j.linalg.api.memory.enums.LearningPolicy.NONE)
        .policySpill(org.nd4j.linalg.api.memory.enums.SpillPolicy.EXTERNAL).build();
    try (var ws = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().getAndActivateWorkspace(counting, "rule-" + rule + dt)) {
      var w = (org.nd4j.linalg.api.memory.abstracts.Nd4jWorkspace) ws;
      for (int i = 0; i < 3; i++) {
        t.step(feeds);
      }
      assertEquals(0L, w.getThisCycleAllocations(), "bytes allocated by 3 steps");
      feeds.get("x").mul(2.0);  // the control: one allocation must be seen
      assertTrue(w.getThisCycleAllocations() > 0, "the workspace counts allocations");
    }
  }
}
