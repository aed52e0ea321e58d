package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface or abstract class whose annotated methods describe a model, like
 * {@code model NAME { ... }} in a .bpnet file. The generated trainer is {@code <name>Trainer}
 * in the type's package.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface BpNetModel {
  /** The model's name; by default the type's simple name. */
  String name() default "";

  /** The train block: options left out keep the language's defaults. */
  Train train() default @Train;
}
