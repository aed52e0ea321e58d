package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every model of every {@code examples/**}{@code /*.bpnet} file passes {@code check} and trains
 * one epoch with {@code train}: an example that the README points at must run as shown, not
 * only compile (a model without data once trained on MNIST against its 4-wide input).
 *
 * <p>The papers' convolutional nets (examples/plain, examples/poggio) name data sets that a clean
 * CI machine lacks (CIFAR-10 needs a download, Fashion-MNIST a Debian package) and on which one
 * epoch of plain-32 would take hours. Their models train on a stand-in of the same image shape
 * that is always there, read by the same kind of reader with the file's own data arguments
 * (crop, flip, normalisation): for {@code cifar10}, CIFAR-10 binary batches that this test writes
 * ([3, 32, 32], random pixels); for {@code fashion_mnist}, the bundled MNIST subset ([1, 28, 28]
 * IDX, as Fashion-MNIST is). They take 16 training and 8 test examples at batch 8, so one epoch is
 * two steps through every pass of the model as written (its layers, passes, alpha, optimizer,
 * init and schedule unchanged). Their files must pass {@code check} with the stand-in, and without
 * it either pass (the data is installed) or fail only for the missing data, with the message that
 * says where to put it.
 *
 * <p>The models on the bundled MNIST subset, which is always there, train on its first 256
 * training and 64 test digits, with the file's other data arguments and batch size: one epoch
 * still takes several steps through every pass, where the whole 7,200 digits took LeNet seconds.
 */
class ExampleFilesTest {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final Pattern MODEL = Pattern.compile("(?m)^model\\s+(\\w+)");
  /** A train block's data option, by name with its arguments (none of the examples nests parentheses there). */
  private static final Pattern DATA = Pattern.compile("(?m)^\\s*data\\s*=\\s*(\\w+)\\s*(?:\\(([^()]*)\\))?");
  private static final String SUBSET = "train = 16, test = 8";
  private static final String STAND_IN_BATCH = "batch=8";
  /** The MNIST digits a model on the bundled subset trains on: more than any example's batch, after validation. */
  private static final String MNIST_SUBSET = "train = 256, test = 64";
  private static final Pattern SUBSET_ARG = Pattern.compile("\\s*(train|test)\\s*=\\s*[^,]*,?");

  @TempDir Path dir;

  /** The stand-in of each data set that is not always there, from the file's own arguments. */
  private Map<String, Function<String, String>> standIns() {
    return Map.of(
        "cifar10", args -> "path(\"" + cifar() + "\", " + join(args, SUBSET) + ")",
        "fashion_mnist", args -> "mnist(" + join(args, SUBSET) + ")");
  }

  private static String join(String a, String b) {
    return a == null || a.isBlank() ? b : a.strip() + ", " + b;
  }

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
        throw new UncheckedIOException(e);
      }
      List<Model> models = models(text);
      List<String> standIns = models.stream().map(Model::standIn).distinct().toList();
      String fileStandIn = standIns.size() == 1 ? standIns.get(0) : null;
      return Stream.concat(Stream.of(DynamicTest.dynamicTest(EXAMPLES.relativize(f) + " check", () -> check(f, standIns))),
          models.stream().map(m -> DynamicTest.dynamicTest(EXAMPLES.relativize(f) + " " + m.name()
              + (m.standIn() == null ? "" : " (stand-in data)"), () -> train(f, m))));
    });
  }

  /**
   * A model of a file, the data it trains on here when its own is not always there (else null),
   * and the subset of the bundled MNIST it trains on when that is its data (else null).
   */
  private record Model(String name, String standIn, String mnistSubset) {}

  private List<Model> models(String text) {
    List<Model> out = new ArrayList<>();
    Matcher m = MODEL.matcher(text);
    List<int[]> spans = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      if (!spans.isEmpty()) {
        spans.get(spans.size() - 1)[1] = m.start();
      }
      spans.add(new int[] {m.start(), text.length()});
      names.add(m.group(1));
    }
    for (int i = 0; i < names.size(); i++) {
      Matcher d = DATA.matcher(text.substring(spans.get(i)[0], spans.get(i)[1]));
      boolean found = d.find();
      Function<String, String> s = found ? standIns().get(d.group(1)) : null;
      String subset = found && d.group(1).equals("mnist")
          ? "mnist(" + join(d.group(2) == null ? null : SUBSET_ARG.matcher(d.group(2)).replaceAll("").replaceFirst(",\\s*$", ""),
              MNIST_SUBSET) + ")" : null;
      out.add(new Model(names.get(i), s == null ? null : s.apply(d.group(2)), subset));
    }
    return out;
  }

  private static void check(Path file, List<String> standIns) {
    CliEndToEndTest.Result r = CliEndToEndTest.bpnet("check", file.toString());
    if (standIns.stream().allMatch(s -> s == null)) {
      assertEquals(0, r.code(), CliEndToEndTest.show(r));
      return;
    }
    // the data may be missing on this machine: then that must be the only complaint, saying where to get it
    if (r.code() != 0) {
      assertEquals(1, r.code(), CliEndToEndTest.show(r));
      for (String line : r.err().lines().filter(l -> l.startsWith("error")).toList()) {
        assertTrue(line.contains("cifar10 not found: no directory cifar-10-batches-bin") && line.contains("BPNET_DATA")
            || line.contains("Fashion-MNIST is not installed") && line.contains("apt-get install dataset-fashion-mnist"),
            "only missing data may fail: " + line);
      }
    }
    assertTrue(standIns.stream().distinct().count() == 1, "the models of " + file + " name different data sets, "
        + "which this test checks one at a time: give each its own file");
    r = CliEndToEndTest.bpnet("check", file.toString(), "--set", "data=" + standIns.get(0));
    assertEquals(0, r.code(), CliEndToEndTest.show(r));
  }

  private void train(Path file, Model model) {
    Path out = dir.resolve(model.name());
    List<String> args = new ArrayList<>(List.of("train", file.toString(), "--model", model.name(), "--epochs", "1", "--out", out.toString()));
    if (model.standIn() != null) {
      args.addAll(List.of("--set", "data=" + model.standIn(), "--set", STAND_IN_BATCH));
    } else if (model.mnistSubset() != null) {
      args.addAll(List.of("--set", "data=" + model.mnistSubset()));
    }
    CliEndToEndTest.Result r = CliEndToEndTest.bpnet(args.toArray(String[]::new));
    assertEquals(0, r.code(), CliEndToEndTest.show(r));
    assertTrue(Files.isRegularFile(out.resolve("params.npz")), CliEndToEndTest.show(r));
    if (model.standIn() != null) {
      assertTrue(r.out().contains("(16 of "), "trained on the 16 stand-in examples: " + CliEndToEndTest.show(r));
    } else if (model.mnistSubset() != null) {
      assertTrue(r.out().contains("(256 of 8,000)"), "trained on 256 digits: " + CliEndToEndTest.show(r));
    }
  }

  /** CIFAR-10's binary layout, written once: per image a label byte, then 1,024 red, green and blue bytes. */
  private Path cifar() {
    Path d = dir.resolve("cifar-10-batches-bin");
    if (Files.isDirectory(d)) {
      return d;
    }
    try {
      Files.createDirectories(d);
      Random r = new Random(1);
      for (String f : new String[] {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"}) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
          bytes.write(r.nextInt(10));
          for (int k = 0; k < 3072; k++) {
            bytes.write(r.nextInt(256));
          }
        }
        Files.write(d.resolve(f + ".bin"), bytes.toByteArray());
      }
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
