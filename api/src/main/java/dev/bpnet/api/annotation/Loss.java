package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The model's loss, read like {@link Layer}: {@code @Loss("softmax_cross_entropy") INDArray
 * loss(INDArray logits, INDArray y);} or {@code @Loss("mse(out, y)") INDArray loss();}. The
 * trainer's {@code predict} returns the value named {@code output} (a {@code @Layer} method named
 * output) or, without one, what the loss's built-in loss functions are applied to (their first
 * argument), as in the language.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Loss {
  String value();
}
