package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every model of every {@code examples/**}{@code /*.bpnet} file passes {@code check} and trains
 * one epoch with {@code train}: an example that the README points at must run as shown, not
 * only compile (a model without data once trained on MNIST against its 4-wide input).
 */
class ExampleFilesTest {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final Pattern MODEL = Pattern.compile("(?m)^model\\s+(\\w+)");

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> everyExampleModelChecksAndTrainsOneEpoch() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(EXAMPLES)) {
      files = s.filter(p -> p.toString().endsWith(".bpnet") && !p.toString().contains("/target/")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no example files under " + EXAMPLES.toAbsolutePath());
    return files.stream().flatMap(f -> {
      String text;
      try {
        text = Files.readString(f);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      List<String> models = MODEL.matcher(text).results().map(m -> m.group(1)).toList();
      return Stream.concat(Stream.of(DynamicTest.dynamicTest(EXAMPLES.relativize(f) + " check", () -> check(f))),
          models.stream().map(model -> DynamicTest.dynamicTest(EXAMPLES.relativize(f) + " " + model, () -> train(f, model))));
    });
  }

  private static void check(Path file) {
    CliEndToEndTest.Result r = CliEndToEndTest.bpnet("check", file.toString());
    assertEquals(0, r.code(), CliEndToEndTest.show(r));
  }

  private void train(Path file, String model) {
    Path out = dir.resolve(model);
    CliEndToEndTest.Result r = CliEndToEndTest.bpnet("train", file.toString(), "--model", model, "--epochs", "1", "--out", out.toString());
    assertEquals(0, r.code(), CliEndToEndTest.show(r));
    assertTrue(Files.isRegularFile(out.resolve("params.npz")), CliEndToEndTest.show(r));
  }
}
