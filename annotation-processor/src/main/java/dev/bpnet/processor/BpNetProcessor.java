package dev.bpnet.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import dev.bpnet.api.annotation.BpNetModel;
import dev.bpnet.api.annotation.BpNetSource;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;

/**
 * The javac front end of bpnet. For each {@code @BpNetModel} type it builds the model's AST
 * ({@link ModelReader}), runs the DSL's pipeline on it and writes the trainer the DSL would
 * generate; for each {@code @BpNetSource} it compiles the named .bpnet file. Each type is
 * processed on its own: its errors stop it alone, and an unexpected failure becomes one
 * error on it while the other types go on. Member annotations found outside a model type are
 * errors rather than silently ignored.
 */
@AutoService(Processor.class)
public final class BpNetProcessor extends AbstractProcessor {
  /** Types already handled: a later round sees only new sources, but an element is never processed twice. */
  private final Set<String> done = new HashSet<>();

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    Set<String> names = new LinkedHashSet<>();
    names.add(BpNetModel.class.getCanonicalName());
    names.add(BpNetSource.class.getCanonicalName());
    MemberReader.MEMBERS.forEach(c -> names.add(c.getCanonicalName()));
    return names;
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    ErrorReporter errors = new ErrorReporter(processingEnv.getMessager());
    Positions positions = new Positions(processingEnv);
    TrainerWriter writer = new TrainerWriter(processingEnv.getFiler(), errors);
    for (Element e : round.getElementsAnnotatedWith(BpNetModel.class)) {
      if (done.add("model " + key(e))) {
        guard(e, errors, () -> model((TypeElement) e, positions, errors, writer));
      }
    }
    for (Element e : round.getElementsAnnotatedWith(BpNetSource.class)) {
      if (done.add("source " + key(e))) {
        guard(e, errors, () -> new SourceReader(processingEnv.getFiler(), processingEnv.getElementUtils(), errors,
            writer).compile(e));
      }
    }
    for (Class<?> member : MemberReader.MEMBERS) {
      @SuppressWarnings("unchecked")
      Class<? extends java.lang.annotation.Annotation> a = (Class<? extends java.lang.annotation.Annotation>) member;
      for (Element e : round.getElementsAnnotatedWith(a)) {
        guard(e, errors, () -> {
          Element owner = e.getEnclosingElement();
          if (Mirrors.find(owner, BpNetModel.class) == null) {
            errors.error(ErrorCode.E45, e, Mirrors.find(e, member), null, member.getSimpleName(), owner.getSimpleName());
          }
        });
      }
    }
    // claims the annotations: they are bpnet's, and it handled every one of them (javac warns about unclaimed ones)
    return true;
  }

  private void model(TypeElement type, Positions positions, ErrorReporter errors, TrainerWriter writer) {
    ValueReader values = new ValueReader(positions, processingEnv.getElementUtils());
    ModelReader.Model m;
    try {
      m = new ModelReader(values).read(type);
    } catch (CompileException x) {
      errors.report(x.diagnostics(), values.anchors, type);
      return;
    } catch (Mirrors.Erroneous x) {
      return; // javac reports the value's error itself
    }
    String pkg = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
    // like the DSL: train-option errors are reported together with the model's own, in source order
    List<Diagnostic> all = new ArrayList<>(m.optionDiagnostics());
    boolean optionErrors = all.stream().anyMatch(Diagnostic::isError);
    List<JavaFile> files = List.of();
    try {
      // the lowering's warnings (unused inputs and values) travel with its program
      TrainingGraph tg = BpNetCompiler.differentiate(m.decl(), m.rules());
      all.addAll(tg.program().warnings());
      if (!optionErrors) {
        files = FileCompiler.generateAll(tg, pkg);  // the trainer and the forward-only <Model>Model
      }
    } catch (CompileException x) {
      all.addAll(x.diagnostics());
    }
    all.sort(Comparator.comparing((Diagnostic d) -> d.pos().file()).thenComparingInt(d -> d.pos().line())
        .thenComparingInt(d -> d.pos().col()));
    errors.report(all, values.anchors, type);
    for (JavaFile f : files) {
      if (!writer.write(f, type)) {
        break;  // one error for a clash: the model class would clash as its trainer did
      }
    }
  }

  /** Runs one element's processing; nothing it throws escapes to javac. */
  static void guard(Element e, ErrorReporter errors, Runnable work) {
    try {
      work.run();
    } catch (Throwable t) {
      errors.internal(e, t);
    }
  }

  private static String key(Element e) {
    return e.getKind() == ElementKind.PACKAGE ? e.toString() : e.getKind() + " " + e;
  }
}
