package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A user activation with its own backward rule, named after the method, whose one parameter is
 * its input. It is {@code activation NAME(input) -> result { forward backward(grad) { backward } }}
 * of the language, and the model's expressions call it by name:
 *
 * <pre>{@code
 * @Activation(forward = "a = tanh(z)", backward = "dz = da")
 * INDArray linear_tanh(INDArray z);
 * }</pre>
 *
 * Each string holds one or more statements {@code name = expr}; the backward statements must
 * define {@code d<input>} and may read {@code lr} and {@code eps}. The rule is a learning rule
 * (it replaces the true gradient) unless {@link #exact()} says its backward is the true
 * derivative ({@code activation exact NAME(...)}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Activation {
  /** Statements that define {@link #result()} from the input. */
  String[] forward();

  /** Statements that define {@code d<input>} from {@link #grad()}, the result's cotangent. */
  String[] backward();

  /** The name of the result in the statements. */
  String result() default "a";

  /** The name of the result's cotangent; by default {@code d<result>}. */
  String grad() default "";

  /** Whether the backward statements are the true derivative of the forward ones. */
  boolean exact() default false;
}
