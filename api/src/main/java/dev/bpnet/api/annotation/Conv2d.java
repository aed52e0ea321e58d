package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-d convolution on the method's one parameter, a batch of images [B, C, H, W], which names its
 * input: {@code @Conv2d(value = 6, kernel = 5, padding = "same", activation = "relu") INDArray c1(INDArray x);}
 * is {@code c1 = relu(conv2d(x, 6, kernel = 5, padding = same))}. Its parameters are
 * {@code c1.W} [filters, C, kernel, kernel] and {@code c1.b} [filters]. Attributes left at their
 * defaults are not written, so the language's defaults and checks apply.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv2d {
  /** The number of filters (output channels). */
  int value();

  /** The kernel's height and width. */
  int kernel();

  /** The step between windows. */
  int stride() default 1;

  /** {@code "valid"} (none), {@code "same"}, or a number of pixels on every side, as in the language. */
  String padding() default "valid";

  /** The spacing of the kernel's taps. */
  int dilation() default 1;

  /** Whether the layer has a bias {@code b}. */
  boolean bias() default true;

  /** The kernel that carries the gradient back to the input: W, or a random B (feedback alignment). */
  Dense.Feedback feedback() default Dense.Feedback.SYMMETRIC;

  /** The activation applied to the convolution: a built-in or a user {@link Activation}; none if empty. */
  String activation() default "";

  /** The rule the activation's backward pass follows. */
  Dense.Backward backward() default Dense.Backward.GRADIENT;
}
