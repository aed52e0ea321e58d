package dev.bpnet.processor;

import dev.bpnet.api.annotation.BpNetSource;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.ErrorCode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import javax.annotation.processing.Filer;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.util.Elements;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.StandardLocation;

/**
 * {@code @BpNetSource("models/mnist.bpnet")}: finds the file, compiles it with the DSL's own
 * pipeline and writes a trainer for each of its models. Every diagnostic of the file, error or
 * warning, is reported on the annotation's value, with the file's position and source line.
 */
final class SourceReader {
  /** Where a model file may be: next to the sources, on the class path, or already copied to the output. */
  private static final List<JavaFileManager.Location> PLACES = List.of(StandardLocation.SOURCE_PATH,
      StandardLocation.CLASS_PATH, StandardLocation.CLASS_OUTPUT);

  private final Filer filer;
  private final Elements elements;
  private final ErrorReporter errors;
  private final TrainerWriter writer;

  SourceReader(Filer filer, Elements elements, ErrorReporter errors, TrainerWriter writer) {
    this.filer = filer;
    this.elements = elements;
    this.errors = errors;
    this.writer = writer;
  }

  void compile(Element e) {
    AnnotationMirror m = Mirrors.find(e, BpNetSource.class);
    AnnotationValue v = Mirrors.value(e, m, "value", elements);
    String path;
    try {
      path = Mirrors.as(v, String.class);
    } catch (Mirrors.Erroneous x) {
      return; // javac reports the value's error itself
    }
    String text;
    try {
      text = read(path);
    } catch (IOException x) {
      errors.error(ErrorCode.E14, e, m, v, path, x.getMessage() == null ? x.toString() : x.getMessage());
      return;
    }
    if (text == null) {
      errors.error(ErrorCode.E14, e, m, v, path, "no such file on the source path, the class path or the class output");
      return;
    }
    String pkg = elements.getPackageOf(e).getQualifiedName().toString();
    try {
      FileCompiler.Checked checked = FileCompiler.checkWithWarnings(new SourceFile(path, text));
      errors.reportFile(checked.warnings(), path, text, e, m, v);
      for (TrainingGraph tg : checked.models()) {
        for (com.palantir.javapoet.JavaFile f : FileCompiler.generateAll(tg, pkg)) {
          if (!writer.write(f, e)) {
            break;  // one error for a clash: the model class would clash as its trainer did
          }
        }
      }
    } catch (CompileException x) {
      errors.reportFile(x.diagnostics(), path, text, e, m, v);
    }
  }

  /** The file's text, or null when no place has it; throws when a place has it but cannot read it. */
  private String read(String path) throws IOException {
    for (JavaFileManager.Location place : PLACES) {
      FileObject f;
      try {
        f = filer.getResource(place, "", path);
      } catch (FileNotFoundException | NoSuchFileException | IllegalArgumentException missing) {
        continue; // not in this place (javac throws IllegalArgumentException for a place it does not have)
      }
      try {
        return f.getCharContent(true).toString();
      } catch (FileNotFoundException | NoSuchFileException missing) {
        continue; // javac hands out file objects for output places whether or not the file exists
      }
    }
    return null;
  }
}
