package dev.bpnet.processor;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.diag.ErrorCode;
import java.io.IOException;
import java.io.Writer;
import javax.annotation.processing.Filer;
import javax.lang.model.element.Element;
import javax.tools.JavaFileObject;

/**
 * Writes a generated trainer through the {@link Filer}, with the annotated element as its
 * originating element (so incremental builds know what to regenerate). The source is the one
 * the DSL's code generator made, already marked {@code @Generated}.
 */
final class TrainerWriter {
  private final Filer filer;
  private final ErrorReporter errors;

  TrainerWriter(Filer filer, ErrorReporter errors) {
    this.filer = filer;
    this.errors = errors;
  }

  /** Writes {@code file}; false after reporting a failure (such as a second model with the same name) on {@code origin}. */
  boolean write(JavaFile file, Element origin) {
    String name = file.packageName().isEmpty() ? file.typeSpec().name() : file.packageName() + "." + file.typeSpec().name();
    try {
      JavaFileObject out = filer.createSourceFile(name, origin);
      try (Writer w = out.openWriter()) {
        file.writeTo(w);
      }
      return true;
    } catch (IOException e) {
      errors.error(ErrorCode.E44, origin, null, null, name, e.getMessage());
      return false;
    }
  }
}
