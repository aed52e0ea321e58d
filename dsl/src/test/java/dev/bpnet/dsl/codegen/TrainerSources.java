package dev.bpnet.dsl.codegen;

/** Generated trainer sources compared apart from their {@code TRAIN} constant (the train block itself). */
public final class TrainerSources {
  private TrainerSources() {}

  /**
   * {@code source} without the {@code TRAIN} field, which restates the train block: for tests that
   * check two train blocks generate the same code (alpha = 1 and two passes, clip with nothing to clip).
   */
  public static String withoutTrainBlock(String source) {
    int field = source.indexOf("public static final TrainSpec TRAIN = ");
    if (field < 0) {
      throw new AssertionError("no TRAIN constant in\n" + source);
    }
    int doc = source.lastIndexOf("/**", field);
    int end = source.indexOf(");\n", field) + 3;
    return source.substring(0, doc) + source.substring(end);
  }
}
