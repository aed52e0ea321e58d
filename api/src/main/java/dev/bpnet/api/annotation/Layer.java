package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A named value of the model, called after the method. Without parameters the value is an
 * expression of the language: {@code @Layer("relu(dense(x, 512))") INDArray h();}. With
 * parameters it names the function applied to them, in order, and the parameters name the
 * inputs: {@code @Layer("tanh") INDArray a(INDArray z);} is {@code a = tanh(z)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Layer {
  String value();
}
