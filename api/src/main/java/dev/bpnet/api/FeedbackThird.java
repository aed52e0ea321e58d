package dev.bpnet.api;

import java.util.List;

/**
 * Where the third-pass gradient that reaches a feedback matrix B goes (the {@code g3} option of a
 * layer with {@code feedback = ...}, and the train option {@code g3} that is the default of every
 * such layer): the backward pass holds B in W's place, so in paper mode the gradient of l_x
 * reaches B and not W. {@code B}: it stays on B, which is fixed or follows W, so it is never
 * applied (the default); {@code W}: it is added to W's own third-pass gradient (as if B's
 * occurrences in the backward pass were W's); {@code NONE}: the layer's W and B both get none.
 */
public enum FeedbackThird {
  B, W, NONE;

  /** The words a train block or a layer may write, in the order messages list them. */
  public static final List<String> WORDS = Words.all(List.of(values()));

  /** The word a train block or a layer writes. */
  public String word() {
    return Words.of(this);
  }

  @Override
  public String toString() {
    return word();
  }

  /** The choice a word names; an unknown word is an {@link IllegalArgumentException}. */
  public static FeedbackThird of(String word) {
    return Words.parse(FeedbackThird.class, word, "g3");
  }
}
