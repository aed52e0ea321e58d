package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean of each channel of the method's one parameter, a batch of images [B, C, H, W], as
 * [B, C]: {@code @GlobalAvgPool INDArray g(INDArray c3);} is {@code g = global_avg_pool(c3)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GlobalAvgPool {}
