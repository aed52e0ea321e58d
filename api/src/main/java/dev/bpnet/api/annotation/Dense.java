package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A dense layer on the method's one parameter, which names its input:
 * {@code @Dense(value = 512, activation = "relu") INDArray h(INDArray x);} is
 * {@code h = relu(dense(x, 512))}. Its parameters are {@code h.W} and {@code h.b}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dense {
  /** The number of units. */
  int value();

  /** The activation applied to {@code x W + b}: a built-in or a user {@link Activation}; none if empty. */
  String activation() default "";

  /** Whether the layer has a bias {@code b}. */
  boolean bias() default true;

  /**
   * The matrix that carries the gradient back to the input (feedback alignment, after the report
   * "Asymmetric backpropagation", authors unnamed).
   */
  Feedback feedback() default Feedback.SYMMETRIC;

  /** The rule the activation's backward pass follows. */
  Backward backward() default Backward.GRADIENT;

  /** The matrix a dense layer's input gradient is computed with. */
  enum Feedback {
    /** W itself: plain backprop. */
    SYMMETRIC,
    /** A fixed random B of W's shape ({@code feedback = random}). */
    RANDOM,
    /** A random B that receives W's update each step ({@code feedback = random_updated}). */
    RANDOM_UPDATED
  }

  /** How the activation is differentiated. */
  enum Backward {
    /** Its true derivative (or its user rule). */
    GRADIENT,
    /**
     * The identity ({@code straight_through(act(z))}): linear backprop, after Mehrdad Yazdani,
     * "Linear Backprop in non-linear networks".
     */
    STRAIGHT_THROUGH,
    /**
     * Difference backprop ({@code difference(act(z))}): sigmoid, tanh, leaky_relu; after anonymous
     * authors (under double-blind review), "Difference back propagation with inverse sigmoid
     * function".
     */
    DIFFERENCE
  }
}
