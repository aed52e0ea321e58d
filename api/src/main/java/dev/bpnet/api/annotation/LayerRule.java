package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A layer with its own backward rule, named after the method, whose parameters are its inputs:
 * tensors ({@code INDArray}) and numbers ({@code int}, {@code long} or {@code double}, such as a
 * width). It is {@code layer NAME(params) -> result { forward backward(grad) { backward } }} of
 * the language, and the model's expressions call it by name. Feedback alignment, for example:
 *
 * <pre>{@code
 * @LayerRule(forward = {
 *     "W = param(size(x, axis = 1), units)", "b = param(units)",
 *     "B = state(size(x, axis = 1), units)", "y = matmul(x, W) + b"},
 *   backward = "dx = matmul(dy, transpose(B))")
 * INDArray fa_dense(INDArray x, int units);
 * }</pre>
 *
 * The forward statements may declare trainable parameters with {@code param(dims...)} and
 * untrained state with {@code state(dims...)}; the backward statements define {@code d<name>} for
 * the inputs and parameters whose gradient the rule replaces, and everything else keeps its true
 * gradient. The rule is a learning rule unless {@link #exact()} says its backward is the true
 * derivative.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LayerRule {
  /** Statements that define {@link #result()} (and the layer's param and state values) from the inputs. */
  String[] forward();

  /** Statements that define {@code d<name>} for the gradients the rule replaces, from {@link #grad()}. */
  String[] backward();

  /** The name of the result in the statements. */
  String result() default "y";

  /** The name of the result's cotangent; by default {@code d<result>}. */
  String grad() default "";

  /** Whether the backward statements are the true derivative of the forward ones. */
  boolean exact() default false;
}
