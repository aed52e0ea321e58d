package dev.bpnet.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Training options with their documented defaults ({@link #DEFAULTS}), typed: a train block's
 * words become enums and its optimizer call a record, so that every reader compares values, not
 * spellings. {@code passes} is 2 or 3; {@code alpha} weighs g2 against g3 (1 = plain backprop);
 * {@code third} is the third pass's mode; {@code data} names a data set ("mnist" is the bundled
 * subset; generated sets ({@link DataSets}) take {@code dataArgs}, with every default filled in;
 * file-backed sets keep the arguments written) or a path; {@code dataText} holds the data's
 * arguments written in quotes, which name things in the file (a CSV file's label columns:
 * {@code label_column = "species"}, {@code label_columns = "3..5"}). {@code validation} is the fraction of
 * the training data that {@code bpnet train} sets aside to score after each epoch; NaN when not
 * given: {@link #validationFor} then picks it. {@code clip} bounds, element-wise to [-clip, clip],
 * the gradients that a learning rule replaced (0: no clipping). {@code evaluation}: early stopping,
 * the parameters kept and when the test set is scored ({@link TrainEvaluation}).
 * {@code feedbackThird} (the option {@code g3}): where the third-pass gradient that reaches a
 * feedback matrix goes, for every feedback layer that does not say ({@link FeedbackThird}).
 */
public record TrainSpec(int passes, double alpha, Third third, OptimizerSpec optimizer, Init init, int batch,
    int epochs, long seed, DType dtype, String data, Map<String, Double> dataArgs, Map<String, String> dataText,
    TrainSchedules schedules, double validation, double clip, TrainEvaluation evaluation, FeedbackThird feedbackThird) {
  public static final TrainSpec DEFAULTS = new TrainSpec(2, 1.0, Third.PAPER, new OptimizerSpec("sgd", Map.of("lr", 0.01)),
      Init.KAIMING, 32, 10, 42L, DType.FLOAT32, "mnist", Map.of(), TrainSchedules.NONE, Double.NaN, 0, TrainEvaluation.DEFAULTS);

  public TrainSpec {
    Objects.requireNonNull(third, "third");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(init, "init");
    Objects.requireNonNull(dtype, "dtype");
    // sorted: generated code and dumps must not depend on hash order
    dataArgs = Collections.unmodifiableMap(new TreeMap<>(dataArgs));
    dataText = Collections.unmodifiableMap(new TreeMap<>(dataText));
    schedules = Objects.requireNonNull(schedules, "schedules");
    evaluation = Objects.requireNonNull(evaluation, "evaluation");
    feedbackThird = Objects.requireNonNull(feedbackThird, "feedbackThird");
  }

  /**
   * Options with the default {@code g3 = b} (as trainers generated before the option existed, and
   * trainers of models that leave it out, write them).
   */
  public TrainSpec(int passes, double alpha, Third third, OptimizerSpec optimizer, Init init, int batch, int epochs,
      long seed, DType dtype, String data, Map<String, Double> dataArgs, Map<String, String> dataText,
      TrainSchedules schedules, double validation, double clip, TrainEvaluation evaluation) {
    this(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules,
        validation, clip, evaluation, FeedbackThird.B);
  }

  /** Options whose data has no arguments in quotes (as trainers generated before {@code dataText} write it). */
  public TrainSpec(int passes, double alpha, Third third, OptimizerSpec optimizer, Init init, int batch, int epochs,
      long seed, DType dtype, String data, Map<String, Double> dataArgs, TrainSchedules schedules, double validation,
      double clip, TrainEvaluation evaluation) {
    this(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, Map.of(), schedules,
        validation, clip, evaluation);
  }

  /**
   * The validation fraction: as given, else 0.1 for classification data and 0 for regression
   * data (the generated toy sets of the papers, which fit every point).
   */
  public double validationFor(boolean regression) {
    return !Double.isNaN(validation) ? validation : regression ? 0 : 0.1;
  }

  public TrainSpec withValidation(double v) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, v, clip, evaluation, feedbackThird);
  }

  public TrainSpec withPasses(int p) {
    return new TrainSpec(p, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withAlpha(double a) {
    return new TrainSpec(passes, a, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withThird(Third t) {
    return new TrainSpec(passes, alpha, t, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  /** The mode a train block's word names ("paper", "exact"), for tests and builders that hold words. */
  public TrainSpec withThird(String word) {
    return withThird(Third.of(word));
  }

  public TrainSpec withInit(Init i) {
    return new TrainSpec(passes, alpha, third, optimizer, i, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  /** The scheme a train block's word names ("kaiming", "xavier", "three_pass"). */
  public TrainSpec withInit(String word) {
    return withInit(Init.of(word));
  }

  public TrainSpec withBatch(int b) {
    return new TrainSpec(passes, alpha, third, optimizer, init, b, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withEpochs(int e) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, e, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withSeed(long s) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, s, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withDtype(DType d) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, d, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  /** The type a train block's word names ("float32", "float64"). */
  public TrainSpec withDtype(String word) {
    return withDtype(DType.of(word));
  }

  /** A data set without arguments (mnist) or a directory. */
  public TrainSpec withData(String d) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, d, Map.of(), Map.of(), schedules, validation, clip, evaluation, feedbackThird);
  }

  /** A generated data set with its arguments. */
  public TrainSpec withData(String d, Map<String, Double> args) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, d, args, Map.of(), schedules, validation, clip, evaluation, feedbackThird);
  }

  /** A data set or path with its arguments, numbers and words ({@code args}) and text in quotes ({@code text}). */
  public TrainSpec withData(String d, Map<String, Double> args, Map<String, String> text) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, d, args, text, schedules, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withOptimizer(OptimizerSpec o) {
    return new TrainSpec(passes, alpha, third, o, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, feedbackThird);
  }

  /** The optimizer {@code name(args)}, as a train block writes it. */
  public TrainSpec withOptimizer(String name, Map<String, Double> args) {
    return withOptimizer(new OptimizerSpec(name, args));
  }

  public TrainSpec withSchedules(TrainSchedules s) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, s, validation, clip, evaluation, feedbackThird);
  }

  public TrainSpec withClip(double c) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, c, evaluation, feedbackThird);
  }

  public TrainSpec withEvaluation(TrainEvaluation e) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, e, feedbackThird);
  }

  /** The default of every feedback layer's {@code g3} (a layer's own {@code g3 = ...} wins). */
  public TrainSpec withFeedbackThird(FeedbackThird f) {
    return new TrainSpec(passes, alpha, third, optimizer, init, batch, epochs, seed, dtype, data, dataArgs, dataText, schedules, validation, clip, evaluation, f);
  }

  /** The options as they would be written in a train block. */
  public String describe() {
    return "passes = " + passes + "  alpha = " + alpha + "  third = " + third.word() + "  optimizer = " + optimizer.describe()
        + "  init = " + init.word() + "  batch = " + batch + "  epochs = " + epochs + "  seed = " + seed
        + "  dtype = " + dtype.word() + "  data = " + data
        + (dataArgs.isEmpty() && dataText.isEmpty() ? "" : "(" + args(dataArgs, dataText) + ")")
        + schedules.describe()
        + (Double.isNaN(validation) ? "" : "  validation = " + validation)
        + (clip == 0 ? "" : "  clip = " + clip)
        + evaluation.describe()
        + (feedbackThird == FeedbackThird.B ? "" : "  g3 = " + feedbackThird.word());
  }

  private static String args(Map<String, Double> args, Map<String, String> text) {
    return java.util.stream.Stream.concat(args.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()),
        text.entrySet().stream().map(e -> e.getKey() + " = \"" + e.getValue() + "\"")).collect(Collectors.joining(", "));
  }
}
