package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Each example of the method's one parameter as one vector, [B, d1, d2, ...] to [B, d1 d2 ...]:
 * {@code @Flatten INDArray f(INDArray p2);} is {@code f = flatten(p2)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Flatten {}
