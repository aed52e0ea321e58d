package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An optimizer written in the language, named after the method (which takes no parameters and
 * is never called). It is {@code optimizer NAME(hyperparameters) { rule }} of the language, and
 * {@code @Train(optimizer = "NAME(lr = 0.05)")} names it like a built-in:
 *
 * <pre>{@code
 * @OptimizerRule(hyperparameters = {"lr = 0.01", "momentum = 0.9"},
 *     rule = {"state velocity = zeros", "velocity = momentum * velocity + g", "update = -rate * velocity"})
 * void my_momentum();
 * }</pre>
 *
 * Each hyperparameter string is {@code name = default} (a number, or true/false for a flag); each
 * rule string holds one or more statements ({@code name = value}, {@code state name = value},
 * {@code require condition}) and the rule must assign {@code update}. See the language
 * reference, "Optimizers written in the language".
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface OptimizerRule {
  /** The hyperparameters with their defaults, one {@code name = default} each. */
  String[] hyperparameters() default {};

  /** The rule's statements, in order. */
  String[] rule();
}
