package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command does not depend on Spark: without the bpnet-spark module on the classpath (as in
 * this module's tests) --spark is refused with what to do, before anything is trained. The
 * module's own tests run --spark for real.
 */
class SparkOptionTest {
  @TempDir Path dir;

  @Test
  void sparkIsNotOnTheCommandsClasspath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.SparkContext"));
    assertTrue(Distribution.find("spark").isEmpty());
  }

  @Test
  void withoutTheModuleSparkIsAUsageErrorThatSaysWhatToDo() throws Exception {
    Path data = dir.resolve("x.csv");
    Files.writeString(data, CliErrorTableTest.csv(), StandardCharsets.UTF_8);
    Path model = dir.resolve("tiny.bpnet");
    Files.writeString(model, CliErrorTableTest.tiny(data.toString()), StandardCharsets.UTF_8);
    Path out = dir.resolve("run");
    CliErrorTableTest.Result r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--spark", "local[2]",
        "--out", out.toString()));
    assertEquals(Main.USAGE, r.code(), r.all());
    assertTrue(r.err().contains("--spark needs the bpnet-spark module on the classpath"), r.all());
    assertTrue(!Files.exists(out.resolve("checkpoint.json")), "nothing trained");
    CliErrorTableTest.assertClean("--spark without the module", r);

    r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--spark-partitions", "2"));
    assertEquals(Main.USAGE, r.code(), r.all());
    assertTrue(r.err().contains("--spark-partitions needs --spark MASTER"), r.all());
  }
}
