package dev.bpnet.api;

import java.util.List;

/**
 * A value that changes with training time: a learning rate, or alpha of three-pass training.
 * Each schedule is a pure function of (epoch, step), so a run resumed at an epoch needs no
 * schedule state of its own. {@code epoch} counts from 0 and is the one the training loop last
 * passed to {@code startEpoch}; {@code step} is the 1-based number of the update being applied,
 * counted from the start of training (the t of Haiping Huang and Taro Toyoizumi, "Reinforced
 * backpropagation improves test performance of deep networks: a toy-model study").
 */
public sealed interface Schedule {

  /** The value at (epoch, step) of a quantity whose value at the start is {@code base}. */
  double at(double base, int epoch, long step);

  /** The schedule as a train block writes it. */
  String describe();

  /** No schedule: the value stays {@code base} (bit for bit). */
  Schedule NONE = new Constant();

  /** The value stays {@code base}. */
  record Constant() implements Schedule {
    @Override
    public double at(double base, int epoch, long step) {
      return base;
    }

    @Override
    public String describe() {
      return "none";
    }
  }

  /**
   * Step decay: multiplied by {@code factor} once each of {@code epochs} epochs have been
   * completed, as PyTorch's MultiStepLR ({@code step(100, 150, factor = 0.1)}: 0-based epochs
   * 0-99 at base, 100-149 at base/10, from 150 on at base/100; Weiming Xiong and Ruoyu Yang,
   * "Reverse back propagation to make full use of derivative", section 6.3).
   */
  record Step(List<Integer> epochs, double factor) implements Schedule {
    public Step {
      epochs = List.copyOf(epochs);
      if (epochs.isEmpty()) {
        throw new IllegalArgumentException("a step schedule needs at least one epoch");
      }
      for (int i = 0; i < epochs.size(); i++) {
        if (epochs.get(i) < 1 || i > 0 && epochs.get(i) <= epochs.get(i - 1)) {
          throw new IllegalArgumentException("step epochs must be positive and increasing, got " + epochs);
        }
      }
      if (!(factor > 0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("step factor must be a positive number, got " + factor);
      }
    }

    @Override
    public double at(double base, int epoch, long step) {
      int passed = 0;
      for (int e : epochs) {
        passed += e <= epoch ? 1 : 0;
      }
      return passed == 0 ? base : base * Math.pow(factor, passed);
    }

    @Override
    public String describe() {
      return "step(" + epochs.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElseThrow()
          + ", factor = " + factor + ")";
    }
  }

  /**
   * Exponential decay per update with a floor, max(floor, base * beta^step) (Huang and Toyoizumi:
   * base 0.8, beta 0.999, floor 0.02). This is reinforced backprop's own learning rate.
   */
  record Exponential(double beta, double floor) implements Schedule {
    public Exponential {
      if (!(beta > 0 && beta <= 1)) {
        throw new IllegalArgumentException("exponential beta must be in (0, 1], got " + beta);
      }
      if (!(floor >= 0) || Double.isInfinite(floor)) {
        throw new IllegalArgumentException("exponential floor must be a number >= 0, got " + floor);
      }
    }

    @Override
    public double at(double base, int epoch, long step) {
      return Math.max(floor, base * Math.pow(beta, step));
    }

    @Override
    public String describe() {
      return "exponential(beta = " + beta + ", floor = " + floor + ")";
    }
  }

  /** Linear, once per epoch, from base at epoch 0 to {@code to} at epoch {@code epochs}, then constant. */
  record Linear(double to, int epochs) implements Schedule {
    public Linear {
      if (!Double.isFinite(to)) {
        throw new IllegalArgumentException("linear target must be a finite number, got " + to);
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("linear epochs must be at least 1, got " + epochs);
      }
    }

    @Override
    public double at(double base, int epoch, long step) {
      return epoch >= epochs ? to : base + (to - base) * epoch / epochs;
    }

    @Override
    public String describe() {
      return "linear(to = " + to + ", epochs = " + epochs + ")";
    }
  }

  /**
   * Xiong and Yang's adjustment for a fair comparison (section 6.3): in three-pass training the
   * learning rate is eta/alpha, with alpha following its own schedule from {@code alpha}.
   */
  record OverAlpha(Schedule lr, double alpha, Schedule alphaSchedule) implements Schedule {
    public OverAlpha {
      if (lr == null || alphaSchedule == null) {
        throw new IllegalArgumentException("eta/alpha needs both schedules");
      }
      if (!(alpha > 0 && alpha <= 1)) {
        throw new IllegalArgumentException("eta/alpha needs alpha in (0, 1], got " + alpha);
      }
    }

    @Override
    public double at(double base, int epoch, long step) {
      return lr.at(base, epoch, step) / alphaSchedule.at(alpha, epoch, step);
    }

    @Override
    public String describe() {
      return lr.describe() + " / alpha";
    }
  }
}
