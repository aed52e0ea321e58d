package dev.bpnet.api;

import java.util.List;

/**
 * How the third pass differentiates the backward pass (Weiming Xiong and Ruoyu Yang, "Reverse
 * back propagation to make full use of derivative"): through everything, as double backward does
 * ({@code exact}), or with every forward value held constant ({@code paper}, the paper's section 3).
 */
public enum Third {
  PAPER, EXACT;

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

  /** The mode a word names; an unknown word is an {@link IllegalArgumentException}. */
  public static Third of(String word) {
    return Words.parse(Third.class, word, "third");
  }
}
