package dev.bpnet.dsl.codegen;

/** Numbers as people write them: 3 rather than 3.0, 0.5 as 0.5. */
public final class MathTextFormat {
  private MathTextFormat() {}

  public static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
