package dev.bpnet.api;

import java.util.List;

/**
 * How a parameter's initial values are drawn: the train block's {@code init} names one of
 * {@link #TRAIN_OPTIONS} for the weights; biases start at {@link #ZEROS}, layer norm's gains at {@link #ONES}. The variances are the
 * runtime's ({@code dev.bpnet.runtime.init.Initializers}).
 */
public enum Init {
  XAVIER, KAIMING, THREE_PASS, ZEROS, ONES;

  /** The schemes a train block's {@code init} may name (zeros is the biases' own). */
  public static final List<Init> TRAIN_OPTIONS = List.of(XAVIER, KAIMING, THREE_PASS);

  /** The words a train block may write, in the order messages list them. */
  public static final List<String> WORDS = Words.all(TRAIN_OPTIONS);

  /** The word a train block and generated code write. */
  public String word() {
    return Words.of(this);
  }

  /** The language's word, so that the scheme reads in dumps and messages as it is written. */
  @Override
  public String toString() {
    return word();
  }

  /** The scheme a word names, zeros included; an unknown word is an {@link IllegalArgumentException}. */
  public static Init of(String word) {
    return Words.parse(Init.class, word, "init");
  }
}
