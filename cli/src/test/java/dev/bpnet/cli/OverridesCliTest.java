package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.cli.CliEndToEndTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --set} and {@code --seed} on the command line: a bad setting is a usage error (exit 2)
 * with the train block's diagnostic; {@code compile} writes the trainer of the edited file; a
 * resumed run applies the settings it was started with and refuses ones that change it.
 */
class OverridesCliTest {

  @TempDir
  Path dir;

  private Path model(String options) throws Exception {
    return Files.writeString(dir.resolve("m.bpnet"), """
        model Cos {
          input x: [1]
          label y: [1]
          out = dense(sigmoid(dense(x, 4)), 1)
          loss = mse(out, y)
          train { optimizer = sgd(lr = 0.5)  batch = 10  epochs = 2  seed = 1  data = cosine(n = 40)  %s }
        }
        """.formatted(options));
  }

  @Test
  void aBadSettingIsAUsageErrorWithTheTrainBlocksDiagnostic() throws Exception {
    Path m = model("");
    for (List<String> cmd : List.of(List.of("train", m.toString(), "--out", dir.resolve("run").toString()),
        List.of("check", m.toString()), List.of("compile", m.toString(), "-o", dir.resolve("src").toString()),
        List.of("show", m.toString()))) {
      List<String> args = new java.util.ArrayList<>(cmd);
      args.addAll(List.of("--set", "alpha=2"));
      Result r = bpnet(args.toArray(String[]::new));
      assertEquals(Main.USAGE, r.code(), show(r));
      assertTrue(r.err().contains("""
          error(E7): --set:1:7: bad value for option 'alpha': must be between 0 and 1, got 2
              alpha=2
                    ^"""), show(r));
    }
    assertFalse(Files.exists(dir.resolve("run")), "nothing trained");
    Result seed = bpnet("train", m.toString(), "--seed", "1.5", "--out", dir.resolve("run").toString());
    assertEquals(Main.USAGE, seed.code(), show(seed));
    assertTrue(seed.err().contains("bad value for option 'seed': must be an integer between -2^53 and 2^53"), show(seed));
  }

  @Test
  void compileWritesTheTrainerOfTheEditedFile() throws Exception {
    Path m = model("");
    Result set = bpnet("compile", m.toString(), "-o", dir.resolve("set").toString(), "--set", "optimizer=adam(lr = 0.01)",
        "--set", "passes=3", "--set", "alpha=0.7");
    assertEquals(0, set.code(), show(set));
    Files.writeString(m, Files.readString(model("passes = 3  alpha = 0.7  optimizer = adam(lr = 0.01)"))
        .replace("optimizer = sgd(lr = 0.5)  ", ""));
    Result file = bpnet("compile", m.toString(), "-o", dir.resolve("file").toString());
    assertEquals(0, file.code(), show(file));
    Path rel = Path.of("dev/bpnet/generated/CosTrainer.java");
    String a = Files.readString(dir.resolve("set").resolve(rel));
    assertEquals(Files.readString(dir.resolve("file").resolve(rel)), a);
    assertTrue(a.contains("thirdPass"), "three passes");
  }

  @Test
  void aResumedRunAppliesItsSettingsAndRefusesOthers() throws Exception {
    Path m = model("");
    String[] settings = {"--set", "optimizer=momentum(lr = 0.2)", "--seed", "4"};
    Path whole = dir.resolve("whole");
    Result w = bpnet(args(m, settings, "--epochs", "3", "--out", whole.toString()));
    assertEquals(0, w.code(), show(w));
    Path part = dir.resolve("part");
    Result p = bpnet(args(m, settings, "--epochs", "1", "--out", part.toString()));
    assertEquals(0, p.code(), show(p));

    // no settings given: the recorded ones again, and the run ends as the uninterrupted one
    Result r = bpnet("train", m.toString(), "--resume", part.toString(), "--set", "epochs=3");
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("note: the run was started with --set 'optimizer=momentum(lr = 0.2)' --set 'seed=4'"), show(r));
    assertEquals(Files.readString(whole.resolve("metrics.csv")).lines().map(OverridesCliTest::noSeconds).toList(),
        Files.readString(part.resolve("metrics.csv")).lines().map(OverridesCliTest::noSeconds).toList());
    var want = dev.bpnet.runtime.io.Npz.read(whole.resolve("params.npz"));
    var got = dev.bpnet.runtime.io.Npz.read(part.resolve("params.npz"));
    assertEquals(want.keySet(), got.keySet());
    want.forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v.data().asDouble(), got.get(k).data().asDouble(),
        "bit-identical " + k));

    // a setting that changes the run is refused, naming each difference
    Result other = bpnet("train", m.toString(), "--resume", part.toString(), "--epochs", "4",
        "--set", "optimizer=momentum(lr = 0.3)", "--seed", "5");
    assertEquals(Main.MODEL_ERRORS, other.code(), show(other));
    assertTrue(other.err().contains("its shuffle seed is 4, this run's is 5"), show(other));
    assertTrue(other.err().contains("optimizer is momentum{lr=0.2, momentum=0.9, nesterov=0.0} in the checkpoint, "
        + "momentum{lr=0.3, momentum=0.9, nesterov=0.0} here"), show(other));
  }

  private static String[] args(Path m, String[] settings, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("train", m.toString()));
    a.addAll(List.of(settings));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** A metrics.csv line without its last cell, the seconds. */
  private static String noSeconds(String line) {
    return line.substring(0, line.lastIndexOf(','));
  }
}
