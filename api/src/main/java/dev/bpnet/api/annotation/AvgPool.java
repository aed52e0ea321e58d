package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Avg pooling on the method's one parameter, a batch of images [B, C, H, W]:
 * {@code @AvgPool(2) INDArray p1(INDArray c1);} is {@code p1 = avg_pool(c1, 2)}. Attributes left
 * at their defaults are not written, so the language's defaults and checks apply.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AvgPool {
  /** The window's height and width. */
  int value();

  /** The step between windows; 0: the window's size (the language's default). */
  int stride() default 0;

  /** {@code "valid"} (none), {@code "same"}, or a number of pixels on every side, as in the language. */
  String padding() default "valid";
}
