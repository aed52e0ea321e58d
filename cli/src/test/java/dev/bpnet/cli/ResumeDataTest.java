package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which data a resumed run reads, and how data paths are compared. */
class ResumeDataTest {
  @TempDir Path dir;

  @Test
  void aResumedRunReadsItsRecordedDataAndComparesPathsAsFiles() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path x = data.resolve("x.csv");
    Files.writeString(x, CliErrorTableTest.csv(), StandardCharsets.UTF_8);
    // the model's own data option names another file of the same shape
    Path other = data.resolve("other.csv");
    Files.writeString(other, CliErrorTableTest.csv().replace("0.", "0.0"), StandardCharsets.UTF_8);
    Path model = dir.resolve("tiny.bpnet");
    Files.writeString(model, CliErrorTableTest.tiny(other.toString()), StandardCharsets.UTF_8);
    // one file by two spellings, relative to the working directory
    Path rel = Path.of("").toAbsolutePath().relativize(x);
    String plain = rel.toString();
    String dotted = "." + java.io.File.separator + rel;
    Path run = dir.resolve("run");

    CliErrorTableTest.Result r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--epochs", "1",
        "--data", dotted, "--out", run.toString()));
    assertEquals(0, r.code(), r.all());
    String json = Files.readString(run.resolve("checkpoint.json"));
    assertTrue(json.contains("\"data_source\": \"" + x.toRealPath() + "\""), json);

    r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--epochs", "2", "--data", plain, "--resume", run.toString()));
    assertEquals(0, r.code(), "./data/x.csv and data/x.csv are one file: " + r.all());
    assertTrue(r.out().contains("resuming"), r.all());

    // no --data: the checkpoint's data, not the model's data option (which would be refused as different)
    r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--epochs", "3", "--resume", run.toString()));
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains(x.toRealPath().toString()), r.all());

    // --data still overrides it, and other data is refused as before
    r = CliErrorTableTest.bpnet(List.of("train", model.toString(), "--epochs", "4", "--data", other.toString(),
        "--resume", run.toString()));
    assertEquals(1, r.code(), r.all());
    assertTrue(r.err().contains("refusing to resume"), r.all());
    CliErrorTableTest.assertClean("resume on other data", r);
  }
}
