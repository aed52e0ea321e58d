package dev.bpnet.api;

import java.util.List;

/**
 * Which parameters a run keeps as its result ({@code keep = last | best}): those of its last epoch,
 * or those of its best validation epoch (the validation figure of {@link TrainEvaluation}). The
 * kept parameters are the ones the final test figure is computed on and the ones
 * {@code predict}, {@code evaluate} and {@code export --run} read.
 */
public enum Keep {
  LAST, BEST;

  /** The words a train block may write, in the order messages list them. */
  public static final List<String> WORDS = Words.all(List.of(values()));

  /** The word a train block writes. */
  public String word() {
    return Words.of(this);
  }

  @Override
  public String toString() {
    return word();
  }

  /** The choice a word names; an unknown word is an {@link IllegalArgumentException}. */
  public static Keep of(String word) {
    return Words.parse(Keep.class, word, "keep");
  }
}
