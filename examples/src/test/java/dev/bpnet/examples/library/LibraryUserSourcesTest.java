package dev.bpnet.examples.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The trainer and model sources checked in under examples/library-user (the example project that
 * the integration test builds against the installed artifacts) are what {@code bpnet compile}
 * writes today. Regenerate with {@code -Dbpnet.updateGolden=true}, or with the command in
 * small_mnist.bpnet.
 */
class LibraryUserSourcesTest {
  static final Path PROJECT = Path.of("library-user");

  @Test
  void checkedInSourcesAreUpToDate() throws Exception {
    Path model = PROJECT.resolve("src/main/bpnet/small_mnist.bpnet");
    TrainingGraph tg = FileCompiler.model(SourceFile.read(model), null);
    for (JavaFile f : FileCompiler.generateAll(tg, "example.generated")) {
      Path p = PROJECT.resolve("src/main/java/example/generated/" + f.typeSpec().name() + ".java");
      if (Boolean.getBoolean("bpnet.updateGolden")) {
        f.writeToPath(PROJECT.resolve("src/main/java"));
      }
      assertTrue(Files.isRegularFile(p), p + " is missing");
      assertEquals(f.toString(), Files.readString(p, StandardCharsets.UTF_8), p + " is out of date: regenerate it");
    }
  }
}
