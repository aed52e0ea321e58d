package dev.bpnet.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compiles a .bpnet file with javac: {@code @BpNetSource("models/mnist.bpnet")} on a type or a
 * package generates a trainer for every model of the file, in that package. The path is
 * relative to a root of the source path, the class path or the class output (where Maven has
 * already copied {@code src/main/resources}). Errors in the file are reported on the annotation.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.PACKAGE})
public @interface BpNetSource {
  String value();
}
