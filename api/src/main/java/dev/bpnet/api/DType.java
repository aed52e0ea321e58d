package dev.bpnet.api;

import java.util.List;

/** The floating-point type a trainer computes in: {@code float32} or {@code float64}. */
public enum DType {
  FLOAT32, FLOAT64;

  /** The words a train block may write, in the order messages list them. */
  public static final List<String> WORDS = Words.all(List.of(values()));

  /** The word a train block writes. */
  public String word() {
    return Words.of(this);
  }

  /** The language's word, so that the option reads in dumps and messages as it is written. */
  @Override
  public String toString() {
    return word();
  }

  /** The type a word names; an unknown word is an {@link IllegalArgumentException}. */
  public static DType of(String word) {
    return Words.parse(DType.class, word, "dtype");
  }
}
