package dev.bpnet.dsl.syntax;

import java.util.Map;

/**
 * Training options with their documented defaults. {@code passes} is 2 or 3; {@code alpha}
 * weighs g2 against g3 (1 = plain backprop); {@code third} is "exact" or "paper".
 */
public record TrainSpec(int passes, double alpha, String third, String optimizer,
    Map<String, Double> optimizerArgs, String init, int batch, int epochs, long seed,
    String dtype) {
  public static final TrainSpec DEFAULTS = new TrainSpec(2, 1.0, "paper", "sgd",
      Map.of("lr", 0.01), "kaiming", 32, 10, 42L, "float32");

  public TrainSpec {
    optimizerArgs = Map.copyOf(optimizerArgs);
  }

  public TrainSpec withPasses(int p) {
    return new TrainSpec(p, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype);
  }

  public TrainSpec withAlpha(double a) {
    return new TrainSpec(passes, a, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype);
  }

  public TrainSpec withThird(String t) {
    return new TrainSpec(passes, alpha, t, optimizer, optimizerArgs, init, batch, epochs, seed, dtype);
  }

  public TrainSpec withOptimizer(String name, Map<String, Double> args) {
    return new TrainSpec(passes, alpha, third, name, args, init, batch, epochs, seed, dtype);
  }

  public TrainSpec withInit(String i) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, i, batch, epochs, seed, dtype);
  }

  public TrainSpec withBatch(int b) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, b, epochs, seed, dtype);
  }

  public TrainSpec withEpochs(int e) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, e, seed, dtype);
  }

  public TrainSpec withSeed(long s) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, s, dtype);
  }

  public TrainSpec withDtype(String d) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, d);
  }
}
