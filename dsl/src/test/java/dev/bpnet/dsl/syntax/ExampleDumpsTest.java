package dev.bpnet.dsl.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.ad.IrText;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden parse (AST) and IR dumps of every example .bpnet file. Regenerate after an intended
 * change with {@code -Dbpnet.updateGolden=true} and review the diff.
 */
class ExampleDumpsTest {
  static final Path EXAMPLES = Path.of("../examples");
  static final Path GOLDEN = Path.of("src/test/resources/golden/examples");

  static Stream<Path> examples() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(EXAMPLES)) {
      files = s.filter(p -> p.toString().endsWith(".bpnet") && !p.toString().contains("/target/")).sorted()
          .collect(Collectors.toList());
    }
    assertFalse(files.isEmpty(), "no example files under " + EXAMPLES.toAbsolutePath());
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void parseAndIrDumpsMatchTheGoldenFiles(Path file) throws IOException {
    SourceFile src = SourceFile.read(file);
    StringBuilder dump = new StringBuilder("== ast ==\n").append(AstText.of(FileCompiler.parse(src)));
    for (TrainingGraph tg : FileCompiler.check(src)) {
      dump.append("== ir ==\n").append(IrText.of(tg));
    }
    Path golden = GOLDEN.resolve(file.getFileName().toString().replace(".bpnet", ".dump.txt"));
    if (Boolean.getBoolean("bpnet.updateGolden")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, dump, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(golden), "no golden dump " + golden + "; create it with -Dbpnet.updateGolden=true");
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), dump.toString(), "dump of " + file);
  }
}
