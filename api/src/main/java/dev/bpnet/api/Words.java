package dev.bpnet.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The words of the option enums: a train block writes {@code third = paper}, the enum holds
 * {@code PAPER}. One place for the mapping, so that dumps, generated comments and messages keep
 * the language's spelling.
 */
final class Words {
  private Words() {}

  static String of(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  static <E extends Enum<E>> E parse(Class<E> type, String word, String option) {
    for (E e : type.getEnumConstants()) {
      if (of(e).equals(word)) {
        return e;
      }
    }
    throw new IllegalArgumentException(option + " must be one of "
        + Arrays.stream(type.getEnumConstants()).map(Words::of).collect(Collectors.joining(", ")) + ", got '" + word + "'");
  }

  static List<String> all(List<? extends Enum<?>> values) {
    return values.stream().map(Words::of).toList();
  }
}
