package dev.bpnet.examples.bench;

import dev.bpnet.dsl.compile.BpNetCompiler;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.InMemoryJavac;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Warm compile time of every example model: .bpnet file read, parsed, checked, differentiated,
 * generated and compiled by in-memory javac into a loaded trainer class, as {@code bpnet train}
 * does before its first step. One untimed round over all models warms javac and the compiler,
 * then each model is compiled {@code repeats} more times; the median is reported.
 */
final class CompileTiming {
  /** Median milliseconds from file to loaded class for one model of an example file. */
  record Result(String file, String model, double ms, double[] runsMs) {}

  private CompileTiming() {}

  static List<Result> measure(Path examples, int repeats) {
    List<Path> files;
    try (Stream<Path> s = Files.walk(examples, 2)) {
      files = s.filter(p -> p.toString().endsWith(".bpnet") && !p.toString().contains("/target/")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list example models under " + examples, e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .bpnet file under " + examples);
    }
    record Job(Path file, String model) {}
    List<Job> jobs = new ArrayList<>();
    for (Path f : files) {
      for (ModelDecl m : FileCompiler.parse(SourceFile.read(f))) {
        jobs.add(new Job(f, m.name()));
      }
    }
    for (Job j : jobs) {
      load(j.file(), j.model());
    }
    double[][] runs = new double[jobs.size()][repeats];
    for (int r = 0; r < repeats; r++) {
      for (int k = 0; k < jobs.size(); k++) {
        long t0 = System.nanoTime();
        load(jobs.get(k).file(), jobs.get(k).model());
        runs[k][r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    List<Result> out = new ArrayList<>();
    for (int k = 0; k < jobs.size(); k++) {
      Job j = jobs.get(k);
      out.add(new Result(examples.relativize(j.file()).toString(), j.model(), Timing.median(runs[k]), runs[k]));
    }
    return out;
  }

  /** javac runs every time ({@link InMemoryJavac#javac}): compileAll would return its earlier result. */
  private static Class<? extends Trainer> load(Path file, String model) {
    SourceFile src = SourceFile.read(file);
    com.palantir.javapoet.JavaFile f = FileCompiler.generate(FileCompiler.model(src, model), BpNetCompiler.DEFAULT_PACKAGE);
    return InMemoryJavac.load(InMemoryJavac.javac(List.of(f)), f.packageName() + "." + f.typeSpec().name(), Trainer.class);
  }
}
