package dev.bpnet.dsl.syntax;

import java.util.Map;

/**
 * Training options with their documented defaults ({@link #DEFAULTS}). {@code passes} is 2 or
 * 3; {@code alpha} weighs g2 against g3 (1 = plain backprop); {@code third} is "exact" or
 * "paper"; {@code data} names a data set ("mnist" is the bundled subset; generated sets take
 * {@code dataArgs}, with every default filled in; file-backed sets keep the arguments written, see
 * {@link DataOption}) or a path. {@code validation} is the fraction of the training data that
 * {@code bpnet train} sets aside to score after each epoch; NaN when not given: {@link
 * #validationFor} then picks it.
 */
public record TrainSpec(int passes, double alpha, String third, String optimizer,
    Map<String, Double> optimizerArgs, String init, int batch, int epochs, long seed,
    String dtype, String data, Map<String, Double> dataArgs, TrainSchedules schedules,
    double validation) {
  public static final TrainSpec DEFAULTS = new TrainSpec(2, 1.0, "paper", "sgd",
      Map.of("lr", 0.01), "kaiming", 32, 10, 42L, "float32", "mnist", Map.of(), TrainSchedules.NONE, Double.NaN);

  public TrainSpec {
    // sorted: generated code and dumps must not depend on hash order
    optimizerArgs = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(optimizerArgs));
    dataArgs = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(dataArgs));
    schedules = java.util.Objects.requireNonNull(schedules, "schedules");
  }

  /** Options whose data set takes no arguments (mnist) or is a directory. */
  public TrainSpec(int passes, double alpha, String third, String optimizer, Map<String, Double> optimizerArgs,
      String init, int batch, int epochs, long seed, String dtype, String data) {
    this(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, Map.of());
  }

  /** Options without schedules, with the default validation fraction. */
  public TrainSpec(int passes, double alpha, String third, String optimizer, Map<String, Double> optimizerArgs,
      String init, int batch, int epochs, long seed, String dtype, String data, Map<String, Double> dataArgs) {
    this(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs,
        TrainSchedules.NONE, Double.NaN);
  }

  /**
   * The validation fraction: as given, else 0.1 for classification data and 0 for regression
   * data (the generated toy sets of the papers, which fit every point).
   */
  public double validationFor(boolean regression) {
    return !Double.isNaN(validation) ? validation : regression ? 0 : 0.1;
  }

  public TrainSpec withValidation(double v) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs, schedules, v);
  }

  public TrainSpec withPasses(int p) {
    return new TrainSpec(p, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withAlpha(double a) {
    return new TrainSpec(passes, a, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withThird(String t) {
    return new TrainSpec(passes, alpha, t, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withInit(String i) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, i, batch, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withBatch(int b) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, b, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withEpochs(int e) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, e, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withSeed(long s) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, s, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withDtype(String d) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, d, data, dataArgs, schedules, validation);
  }

  /** A data set without arguments (mnist) or a directory. */
  public TrainSpec withData(String d) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, d, Map.of(), schedules, validation);
  }

  /** A generated data set with its arguments. */
  public TrainSpec withData(String d, Map<String, Double> args) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, d, args, schedules, validation);
  }

  public TrainSpec withOptimizer(String name, Map<String, Double> args) {
    return new TrainSpec(passes, alpha, third, name, args, init, batch, epochs, seed, dtype, data, dataArgs, schedules, validation);
  }

  public TrainSpec withSchedules(TrainSchedules s) {
    return new TrainSpec(passes, alpha, third, optimizer, optimizerArgs, init, batch, epochs, seed, dtype, data, dataArgs, s, validation);
  }

  /** The options as they would be written in a train block. */
  public String describe() {
    return "passes = " + passes + "  alpha = " + alpha + "  third = " + third + "  optimizer = " + optimizer
        + "(" + args(optimizerArgs) + ")  init = " + init + "  batch = " + batch + "  epochs = " + epochs + "  seed = " + seed
        + "  dtype = " + dtype + "  data = " + data + (dataArgs.isEmpty() ? "" : "(" + args(dataArgs) + ")")
        + schedules.describe()
        + (Double.isNaN(validation) ? "" : "  validation = " + validation);
  }

  private static String args(Map<String, Double> args) {
    return args.entrySet().stream()
        .map(e -> e.getKey() + " = " + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
  }
}
