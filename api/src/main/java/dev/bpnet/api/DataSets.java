package dev.bpnet.api;

import java.util.Map;

/**
 * The generated data sets of the papers' small experiments, by the names a train block's
 * {@code data} uses, with their arguments and defaults. The compiler checks a train block
 * against them; the runtime's {@code data.Synthetic} makes the sets.
 */
public final class DataSets {
  private DataSets() {}

  /** Each generated set's arguments with their defaults (the papers' settings). */
  public static final Map<String, Map<String, Double>> GENERATED = Map.of(
      "teacher_student", Ordered.args("n", 1000.0, "seed", 1.0),
      "cosine", Ordered.args("n", 100.0, "seed", 1.0),
      "cubic", Ordered.args("n", 5.0, "noise", 0.1, "seed", 1.0));

  /**
   * The arguments every data set takes to choose which of its examples a run uses (never filled
   * in with defaults: a set without them uses all its examples): {@code train}, how many
   * training examples (a count, or a fraction below 1); {@code offset}, the first of them;
   * {@code test} and {@code test_offset}, the same for the test part; {@code subset_seed}, to
   * draw them at random with that seed instead of taking a range. See the runtime's
   * {@code data.Subset}.
   */
  public static final java.util.List<String> SUBSET = java.util.List.of("train", "offset", "test", "test_offset",
      "subset_seed");

  /** The data sets read from files, by name: the bundled MNIST subset, Fashion-MNIST, CIFAR-10 and CIFAR-100. */
  public static final java.util.List<String> FILE_BACKED = java.util.List.of("mnist", "fashion_mnist", "cifar10", "cifar100");

  /** Data-set arguments that take words, with the words in the order of their index (the value kept). */
  public static final Map<String, java.util.List<String>> FLAGS = Map.of(
      "normalize", java.util.List.of("none", "feature", "channel"),
      "flip", java.util.List.of("no", "yes"),
      "header", java.util.List.of("auto", "yes", "no"),
      "labels", java.util.List.of("fine", "coarse"));

  /** Every data set's name: {@link #FILE_BACKED}, then {@link #GENERATED}'s, sorted. */
  public static java.util.SortedSet<String> names() {
    java.util.SortedSet<String> s = new java.util.TreeSet<>(FILE_BACKED);
    s.addAll(GENERATED.keySet());
    return s;
  }

  /** The most examples a generated set may have: beyond that memory, not data, runs out. */
  public static final int MAX_EXAMPLES = 100_000;
}
