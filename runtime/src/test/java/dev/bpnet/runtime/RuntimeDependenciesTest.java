package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a project that depends on {@code bpnet-runtime} gets on its classpath, as Maven resolves
 * it ({@code dependency:list} writes target/runtime-dependencies.txt before the tests), equals
 * the recorded list in src/test/resources: a dependency added by accident, a logging binding
 * forced on users, or a version that moved fails here. The ND4J backend's native artifacts
 * (org.bytedeco, nd4j-native or nd4j-cuda) are left out: a build profile chooses them.
 * After a deliberate change, copy the new list into the resource file.
 */
class RuntimeDependenciesTest {
  private static final Pattern ENTRY = Pattern.compile("^\\s+([\\w.-]+:[\\w.-]+:[\\w.-]+(?::[\\w.-]+)?:[\\w.-]+)(?:\\s.*)?$");

  @Test
  void theRuntimeDependenciesAreTheRecordedOnes() throws IOException {
    Path listed = Path.of("target/runtime-dependencies.txt");
    assertTrue(Files.isRegularFile(listed), "dependency:list did not run before the tests: " + listed.toAbsolutePath());
    List<String> resolved = new ArrayList<>();
    for (String line : Files.readAllLines(listed)) {
      Matcher m = ENTRY.matcher(line);
      if (m.matches() && !backend(m.group(1))) {
        resolved.add(m.group(1));
      }
    }
    List<String> recorded = Files.readAllLines(Path.of("src/test/resources/runtime-dependencies.txt")).stream()
        .filter(l -> !l.isBlank()).toList();
    assertEquals(String.join("\n", recorded), String.join("\n", resolved.stream().sorted().toList()),
        "bpnet-runtime's dependencies changed; if that is deliberate, record the new list");
    assertTrue(resolved.stream().noneMatch(d -> d.startsWith("org.slf4j:slf4j-") && !d.startsWith("org.slf4j:slf4j-api:")),
        "no logging binding for users: " + resolved);
    assertTrue(resolved.stream().noneMatch(d -> d.startsWith("info.picocli:") || d.startsWith("org.knowm.xchart:")),
        "the command line's libraries stay in the cli module: " + resolved);
  }

  private static boolean backend(String coordinates) {
    return coordinates.startsWith("org.bytedeco:") || coordinates.startsWith("org.nd4j:nd4j-native")
        || coordinates.startsWith("org.nd4j:nd4j-cuda");
  }
}
