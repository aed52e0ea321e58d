package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The train block of a {@link BpNetModel}: each option means what it means in a .bpnet train
 * block (docs/language.md), and the defaults here are the language's. Word-valued options are
 * written as in the language: {@code third = "exact"}, {@code optimizer = "adam(lr = 0.001)"}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({})
public @interface Train {
  /** 2 (forward, backward) or 3 (plus the third pass). */
  int passes() default 2;

  /** Weight of g2 in the update {@code alpha g2 + (1 - alpha) g3}, 0 to 1. */
  double alpha() default 1.0;

  /** {@code paper} or {@code exact}. */
  String third() default "paper";

  /** An optimizer call, as in {@code sgd(lr = 0.1)} or {@code reinforced(lr = 0.8)}. */
  String optimizer() default "sgd(lr = 0.01)";

  /** {@code kaiming}, {@code xavier} or {@code three_pass}. */
  String init() default "kaiming";

  int batch() default 32;

  int epochs() default 10;

  long seed() default 42;

  /** {@code float32} or {@code float64}. */
  String dtype() default "float32";

  /** {@code mnist} (the bundled subset) or a directory holding IDX files. */
  String data() default "mnist";

  /** The learning rate's schedule: {@code none}, {@code step(100, 150, factor = 0.1)}, {@code exponential(...)}, {@code linear(...)}. */
  String schedule() default "none";

  /** Alpha's schedule (three passes): {@code none}, {@code step(...)} or {@code linear(to = 1, epochs = 20)}. */
  String alpha_schedule() default "none";

  /**
   * {@code true}: the learning rate is eta/alpha (Weiming Xiong and Ruoyu Yang, "Reverse back
   * propagation to make full use of derivative", section 6.3).
   */
  String lr_over_alpha() default "false";

  /**
   * The fraction of the training data held out for validation, as in {@code "0.2"}, or
   * {@code auto}: 0.1 for classification data, 0 for regression data.
   */
  String validation() default "auto";

  /**
   * A bound, as in {@code "1.0"}: the gradients that a learning rule replaced are clipped
   * element-wise to [-clip, clip] each step; {@code none}: no clipping.
   */
  String clip() default "none";

  /**
   * Early stopping, as in {@code "5"}: stop once the validation figure (accuracy for
   * classification data, loss otherwise) has not improved for that many epochs; {@code none}: never.
   */
  String early_stop() default "none";

  /**
   * The margin by which an epoch's validation figure must beat the best to count as an
   * improvement, for {@code early_stop} and {@code keep = best}: an accuracy is a fraction
   * (0.001 is 0.1 points), a loss in its own units; 0: any strict improvement.
   */
  double min_delta() default 0;

  /** {@code last} or {@code best}: the parameters the run keeps (its last epoch's, or its best validation epoch's). */
  String keep() default "last";

  /** {@code yes}: score the test set after every epoch; {@code no}: once, at the end, on the kept parameters. */
  String test_every_epoch() default "no";

  /**
   * {@code b}, {@code w} or {@code none}: where the third-pass gradient that reaches a feedback
   * matrix B goes, for every layer with {@code feedback = ...} that does not give its own {@code g3}.
   */
  String g3() default "b";
}
