package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.io.Npz;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every subcommand of {@code bpnet} through {@link Main#run}: exit codes (0 ok, 1 model or
 * data errors, 2 usage), what goes to out and to err, the files written, and never a stack
 * trace.
 */
class CliEndToEndTest {
  /** 4 inputs, one hidden layer of 5, 3 classes; three passes (exact), float64. */
  static final String TINY = """
      // a tiny model for the command-line tests
      model Tiny {
        input x: [4]
        label y: [3]
        h   = tanh(dense(x, 5))
        out = dense(h, 3)
        loss = softmax_cross_entropy(out, y)
        train { passes = 3  alpha = 0.6  third = exact  dtype = float64  seed = 11 }
      }
      """;

  /** The same network with plain backprop (no third pass). */
  static final String TWO_PASS = """
      model TwoPass {
        input x: [4]
        label y: [3]
        h   = relu(dense(x, 5))
        out = dense(h, 3)
        loss = mse(out, y)
        train { optimizer = sgd(lr = 0.1)  seed = 5 }
      }
      """;

  /** Two independent errors: an unknown name and an unknown function. */
  static final String BAD = """
      model Bad {
        input x: [4]
        label y: [3]
        a = relu(nope)
        b = frobnicate(x)
        loss = mse(dense(x, 3), y)
      }
      """;

  /** MNIST-shaped, small and fast: one epoch of batch 256 takes a second or two. */
  static final String MNIST_SMALL = """
      model MnistSmall {
        input x: [784]
        label y: [10]
        h      = relu(dense(x, 16))
        logits = dense(h, 10)
        loss   = softmax_cross_entropy(logits, y)
        train {
          passes = 3  alpha = 0.8  third = paper
          optimizer = sgd(lr = 0.1)
          batch = 256  epochs = 30  seed = 7
          data = mnist
        }
      }
      """;

  /**
   * A (1,4,1) sigmoid regression network on the scaled cosine of anonymous authors under
   * double-blind review, "Difference back propagation with inverse sigmoid function": 100 points,
   * one batch per epoch.
   */
  static final String COSINE = """
      model Cos {
        input x: [1]
        label y: [1]
        h   = sigmoid(dense(x, 4))
        out = sigmoid(dense(h, 1))
        loss = mse(out, y)
        train {
          optimizer = sgd(lr = 5)
          init = xavier  batch = 100  epochs = 40  seed = 3
          data = cosine
        }
      }
      """;

  /** Three warnings and no error: an unused input, an unused value, a third-pass mode with two passes. */
  static final String WARNED = """
      model Warned {
        input x: [4]
        input x2: [2]
        label y: [3]
        h     = tanh(dense(x, 5))
        extra = dense(h, 4)
        out   = dense(h, 3)
        loss  = softmax_cross_entropy(out, y)
        train { third = exact  dtype = float64  seed = 11 }
      }
      """;

  /** Two models in one file. */
  static final String TWO_MODELS = TINY + "\n" + TWO_PASS;

  @TempDir Path dir;

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** Runs {@code bpnet args}; every run must be free of exception names and stack frames. */
  static Result bpnet(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    Result r = new Result(code, out.toString(), err.toString());
    String shown = "bpnet " + String.join(" ", args) + " -> " + code + "\n--- out:\n" + r.out + "\n--- err:\n" + r.err;
    for (String bad : List.of("Exception", "\tat ", "at java.", "at dev.", "http")) {
      assertFalse(r.all().contains(bad), "output holds '" + bad + "' (an exception, a stack frame or a URL): " + shown);
    }
    return r;
  }

  static String show(Result r) {
    return "exit " + r.code + "\n--- out:\n" + r.out + "\n--- err:\n" + r.err;
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  // ---------------------------------------------------------------- check

  @Test
  void checkAnOkFile() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("check", f.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("ok"), show(r));
    assertTrue(r.out.contains("Tiny"), show(r));
    assertTrue(r.out.contains(f.toString()), show(r));
    assertEquals("", r.err, show(r));
  }

  @Test
  void checkABadFilePrintsEveryDiagnosticAndTheirCount() throws Exception {
    Path f = write("bad.bpnet", BAD);
    Result r = bpnet("check", f.toString());
    assertEquals(1, r.code, show(r));
    assertEquals("", r.out, show(r));
    assertTrue(r.err.contains("error(E1): " + f + ":4:12: unknown name 'nope'"), show(r));
    assertTrue(r.err.contains("error(E2): " + f + ":5:7: unknown function 'frobnicate'"), show(r));
    // the source line and a caret under the name
    assertTrue(r.err.contains("    a = relu(nope)\n               ^^^^"), show(r));
    assertTrue(r.err.strip().endsWith("2 errors"), show(r));
  }

  @Test
  void checkOneErrorIsSingular() throws Exception {
    Path f = write("one.bpnet", TINY.replace("dense(h, 3)", "dense(hh, 3)"));
    Result r = bpnet("check", f.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("unknown name 'hh'"), show(r));
    assertTrue(r.err.contains("hint: did you mean 'h'?"), show(r));
    assertTrue(r.err.strip().endsWith("\n1 error"), show(r));
  }

  @Test
  void checkSeveralFilesReportsEachAndFailsIfAnyFails() throws Exception {
    Path ok = write("tiny.bpnet", TINY);
    Path two = write("two.bpnet", TWO_MODELS);
    Path bad = write("bad.bpnet", BAD);
    Result r = bpnet("check", ok.toString(), two.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains(ok + ": ok (Tiny)"), show(r));
    assertTrue(r.out.contains(two + ": ok (Tiny, TwoPass)"), show(r));

    r = bpnet("check", ok.toString(), bad.toString(), two.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.out.contains(ok + ": ok"), "files before the bad one are checked: " + show(r));
    assertTrue(r.out.contains(two + ": ok"), "files after the bad one are checked: " + show(r));
    assertTrue(r.err.contains("unknown name 'nope'"), show(r));
    assertTrue(r.err.strip().endsWith("2 errors"), show(r));
  }

  @Test
  void checkPrintsWarningsAndExitsZero() throws Exception {
    Path f = write("warned.bpnet", WARNED);
    Result r = bpnet("check", f.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains(f + ": ok (Warned)"), show(r));
    assertTrue(r.err.contains("warning(W2): " + f + ":3:9: unused input 'x2': the loss does not depend on it\n"
        + "      input x2: [2]\n            ^^\n  hint: remove it, or use it in the model\n"), show(r));
    assertTrue(r.err.contains("warning(W3): " + f + ":6:3: 'extra' is computed, but neither the loss nor the output"
        + " depends on it\n"), show(r));
    assertTrue(r.err.contains("hint: remove it, or use it; the loss does not depend on its parameters extra.W, extra.b"), show(r));
    assertTrue(r.err.contains("warning(W1): " + f + ":9:11: 'third = exact' has no effect: passes = 2 (the default)"
        + " trains without the third pass\n"), show(r));
    assertTrue(r.err.strip().endsWith("\n3 warnings"), show(r));
    assertFalse(r.err.contains("error"), show(r));

    // the other commands print them too, and go on
    Result p = bpnet("params", f.toString());
    assertEquals(0, p.code, show(p));
    assertTrue(p.out.contains("extra.W"), show(p));
    assertTrue(p.err.contains("warning(W2)") && p.err.strip().endsWith("3 warnings"), show(p));
  }

  @Test
  void warningsNextToErrorsAreCountedApart() throws Exception {
    Path warned = write("warned.bpnet", WARNED);
    Path bad = write("bad.bpnet", BAD);
    Result r = bpnet("check", warned.toString(), bad.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.out.contains(warned + ": ok (Warned)"), show(r));
    assertTrue(r.err.contains("warning(W2)") && r.err.contains("error(E1)"), show(r));
    assertTrue(r.err.strip().endsWith("\n2 errors, 3 warnings"), show(r));
  }

  @Test
  void checkAMissingFile() {
    Path missing = dir.resolve("missing.bpnet");
    Result r = bpnet("check", missing.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("cannot read " + missing + ": no such file"), show(r));
    assertTrue(r.err.strip().endsWith("1 error"), show(r));
  }

  @Test
  void checkABinaryAndAnEmptyFile() throws Exception {
    Path bin = dir.resolve("bin.bpnet");
    Files.write(bin, new byte[] {'m', 0, 1, 2, (byte) 0xff});
    Result r = bpnet("check", bin.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("not text"), show(r));

    Path empty = write("empty.bpnet", "  // nothing here\n");
    r = bpnet("check", empty.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("empty"), show(r));
  }

  @Test
  void otherCommandsReportModelErrorsTheSameWay() throws Exception {
    Path bad = write("bad.bpnet", BAD);
    for (String[] args : List.of(
        new String[] {"params", bad.toString()},
        new String[] {"show", bad.toString()},
        new String[] {"compile", bad.toString(), "-o", dir.resolve("gen").toString()},
        new String[] {"graph", bad.toString(), "-o", dir.resolve("g.dot").toString()},
        new String[] {"train", bad.toString(), "--epochs", "1", "--out", dir.resolve("run").toString()})) {
      Result r = bpnet(args);
      assertEquals(1, r.code, String.join(" ", args) + ": " + show(r));
      assertTrue(r.err.contains("unknown name 'nope'"), show(r));
      assertTrue(r.err.strip().endsWith("2 errors"), show(r));
    }
    assertFalse(Files.exists(dir.resolve("g.dot")));
    assertFalse(Files.exists(dir.resolve("gen")));
  }

  // ---------------------------------------------------------------- compile

  @Test
  void compileWritesTheTrainerAndItCompilesWithoutWarnings() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Path gen = dir.resolve("gen");
    Result r = bpnet("compile", f.toString(), "-o", gen.toString());
    assertEquals(0, r.code, show(r));
    Path java = gen.resolve("dev/bpnet/generated/TinyTrainer.java");
    Path model = gen.resolve("dev/bpnet/generated/TinyModel.java");
    assertTrue(Files.isRegularFile(java), "expected " + java + "; " + show(r) + "\nfiles: " + listing(gen));
    assertTrue(r.out.contains("wrote " + java) && r.out.contains("wrote " + model), show(r));
    String src = Files.readString(java);
    assertTrue(src.startsWith("package dev.bpnet.generated;") || src.contains("\npackage dev.bpnet.generated;"), src);
    assertTrue(src.contains("class TinyTrainer"), src);
    assertTrue(Files.readString(model).contains("public final class TinyModel implements Model"));
    javac(gen, List.of(java, model));
  }

  @Test
  void compileEveryModelOfAFileOrOneWithModelAndPackage() throws Exception {
    Path f = write("two.bpnet", TWO_MODELS);
    Path gen = dir.resolve("gen");
    Result r = bpnet("compile", f.toString(), "-o", gen.toString(), "--package", "my.nets");
    assertEquals(0, r.code, show(r));
    Path tiny = gen.resolve("my/nets/TinyTrainer.java");
    Path two = gen.resolve("my/nets/TwoPassTrainer.java");
    assertTrue(Files.isRegularFile(tiny) && Files.isRegularFile(two), show(r) + "\nfiles: " + listing(gen));
    assertTrue(Files.readString(two).contains("package my.nets;"));
    javac(gen, List.of(tiny, two, gen.resolve("my/nets/TinyModel.java"), gen.resolve("my/nets/TwoPassModel.java")));

    Path only = dir.resolve("only");
    r = bpnet("compile", f.toString(), "-o", only.toString(), "--model", "TwoPass");
    assertEquals(0, r.code, show(r));
    assertEquals(List.of(only.resolve("dev/bpnet/generated/TwoPassModel.java"),
        only.resolve("dev/bpnet/generated/TwoPassTrainer.java")), listing(only));

    r = bpnet("compile", f.toString(), "-o", only.toString(), "--model", "Nope");
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("no model named 'Nope'"), show(r));
  }

  @Test
  void compileWithoutOutIsAUsageError() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("compile", f.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("--out"), show(r));
  }

  /** Compiles the written sources with the JDK's javac, as a user would: warnings are errors. */
  static void javac(Path outDir, List<Path> sources) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
    Path classes = Files.createDirectories(outDir.resolveSibling(outDir.getFileName() + "-classes"));
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none",
          "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
      boolean ok = javac.getTask(null, fm, diags, options, null,
          fm.getJavaFileObjectsFromPaths(sources)).call();
      String report = diags.getDiagnostics().stream().map(Object::toString).collect(Collectors.joining("\n"));
      assertTrue(ok, "javac failed:\n" + report);
      assertTrue(diags.getDiagnostics().isEmpty(), "javac reported:\n" + report);
    }
    for (Path s : sources) {
      String cls = s.getFileName().toString().replace(".java", ".class");
      try (Stream<Path> files = Files.walk(classes)) {
        assertTrue(files.anyMatch(p -> p.getFileName().toString().equals(cls)), "no " + cls);
      }
    }
  }

  static List<Path> listing(Path root) throws Exception {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  // ---------------------------------------------------------------- show

  @Test
  void showEachPass() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result fwd = bpnet("show", f.toString(), "--pass", "forward");
    assertEquals(0, fwd.code, show(fwd));
    assertTrue(fwd.out.contains("void forward("), show(fwd));
    assertTrue(fwd.out.contains("loss("), show(fwd));
    assertFalse(fwd.out.contains("void backward("), show(fwd));
    assertFalse(fwd.out.contains("class TinyTrainer"), "only the methods: " + show(fwd));
    assertTrue(fwd.out.contains("[" + f.getFileName() + ":5:"), "statements carry source positions, relative to the model file's directory: " + show(fwd));

    Result bwd = bpnet("show", f.toString(), "--pass", "backward");
    assertEquals(0, bwd.code, show(bwd));
    assertTrue(bwd.out.contains("void backward("), show(bwd));
    assertFalse(bwd.out.contains("void forward("), show(bwd));
    assertFalse(bwd.out.contains("void thirdPass("), show(bwd));

    Result third = bpnet("show", f.toString(), "--pass", "third");
    assertEquals(0, third.code, show(third));
    assertTrue(third.out.contains("void thirdPass("), show(third));
    assertTrue(third.out.contains("void direction("), show(third));
    assertTrue(third.out.contains("exact"), "the Javadoc names the mode: " + show(third));
    assertFalse(third.out.contains("void backward("), show(third));

    Result all = bpnet("show", f.toString(), "--pass", "all");
    assertEquals(0, all.code, show(all));
    Result dflt = bpnet("show", f.toString());
    assertEquals(all.out, dflt.out, "--pass all is the default");
    for (String m : List.of("class TinyTrainer", "void forward(", "void backward(", "void thirdPass(", "void direction(")) {
      assertTrue(all.out.contains(m), m + " in " + show(all));
    }
    // each pass's statements are those of the whole file
    for (Result part : List.of(fwd, bwd, third)) {
      part.out.lines().map(String::strip).filter(l -> l.startsWith("Nd4j.") || l.startsWith("// ")).forEach(l ->
          assertTrue(all.out.contains(l), "'" + l + "' is not in the whole file"));
    }
  }

  @Test
  void showTheIr() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result all = bpnet("show", f.toString(), "--ir");
    assertEquals(0, all.code, show(all));
    for (String s : List.of("model Tiny", "input x [B, 4]", "label y [B, 3]", "param h.W [4, 5]", "forward:", "backward:", "third:")) {
      assertTrue(all.out.contains(s), s + " in " + show(all));
    }
    Result fwd = bpnet("show", f.toString(), "--ir", "--pass", "forward");
    assertEquals(0, fwd.code, show(fwd));
    assertTrue(fwd.out.contains("forward:") && fwd.out.contains("model Tiny"), show(fwd));
    assertFalse(fwd.out.contains("backward:") || fwd.out.contains("third:"), show(fwd));
    Result third = bpnet("show", f.toString(), "--ir", "--pass", "third");
    assertEquals(0, third.code, show(third));
    assertTrue(third.out.contains("third:") && third.out.contains("l_x"), show(third));
    assertFalse(third.out.contains("forward:") || third.out.contains("backward:"), show(third));
  }

  @Test
  void showThirdOfATwoPassModelIsAnError() throws Exception {
    Path f = write("two.bpnet", TWO_PASS);
    Result r = bpnet("show", f.toString(), "--pass", "third");
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("TwoPass has no third pass"), show(r));
    assertTrue(r.err.contains("passes = 2"), show(r));
    assertEquals("", r.out, show(r));

    r = bpnet("show", f.toString(), "--pass", "third", "--ir");
    assertEquals(1, r.code, show(r));

    // an alpha of 1 with three passes generates no third pass either
    Path g = write("a1.bpnet", TINY.replace("alpha = 0.6", "alpha = 1"));
    r = bpnet("show", g.toString(), "--pass", "third");
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("has no third pass"), show(r));
  }

  @Test
  void showAnUnknownPassIsAUsageError() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("show", f.toString(), "--pass", "fourth");
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("fourth"), show(r));
  }

  @Test
  void showAModelByName() throws Exception {
    Path f = write("two.bpnet", TWO_MODELS);
    Result r = bpnet("show", f.toString(), "--model", "TwoPass", "--pass", "forward");
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("void forward("), show(r));
    r = bpnet("show", f.toString(), "--model", "Nope");
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("no model named 'Nope'"), show(r));
  }

  // ---------------------------------------------------------------- params

  static final Pattern PARAM_LINE = Pattern.compile("^  (\\S+)\\s+(\\[[0-9, ]+\\])\\s+(\\S+)$", Pattern.MULTILINE);

  /** Parameter name to shape, as {@code bpnet params} prints them (one model). */
  static Map<String, String> params(Result r) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher x = PARAM_LINE.matcher(r.out);
    while (x.find()) {
      m.put(x.group(1), x.group(2));
    }
    return m;
  }

  @Test
  void paramsListsNamesShapesAndTheTotal() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("params", f.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.startsWith("model Tiny\n"), show(r));
    assertEquals(Map.of("h.W", "[4, 5]", "h.b", "[5]", "out.W", "[5, 3]", "out.b", "[3]"), params(r), show(r));
    assertEquals(List.of("h.W", "h.b", "out.W", "out.b"), new ArrayList<>(params(r).keySet()), "declaration order");
    assertTrue(r.out.contains("h.W") && r.out.contains("kaiming"), show(r));
    assertTrue(r.out.contains("h.b") && r.out.contains("zeros"), show(r));
    assertTrue(r.out.contains("43 parameters"), show(r)); // 4*5 + 5 + 5*3 + 3
  }

  @Test
  void paramsOfEveryModelOrOne() throws Exception {
    Path f = write("two.bpnet", TWO_MODELS);
    Result r = bpnet("params", f.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("model Tiny\n") && r.out.contains("model TwoPass\n"), show(r));
    r = bpnet("params", f.toString(), "--model", "TwoPass");
    assertEquals(0, r.code, show(r));
    assertFalse(r.out.contains("model Tiny"), show(r));
    assertEquals(4, params(r).size(), show(r));
  }

  // ---------------------------------------------------------------- graph

  @Test
  void graphWritesADigraphWithThreeClusters() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Path dot = dir.resolve("x.dot");
    Result r = bpnet("graph", f.toString(), "-o", dot.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("wrote " + dot), show(r));
    String g = Files.readString(dot);
    assertTrue(g.startsWith("digraph \"Tiny\" {"), g);
    assertTrue(g.strip().endsWith("}"), g);
    for (String c : List.of("cluster_forward", "cluster_backward", "cluster_third")) {
      assertEquals(1, count(g, "subgraph " + c + " {"), c + " in\n" + g);
    }
    assertEquals(3, count(g, "subgraph "), g);
    assertEquals(count(g, "{"), count(g, "}"), "balanced braces:\n" + g);
    assertTrue(count(g, " -> ") > 10, "edges:\n" + g);
    assertTrue(g.contains("[label=\"x\\ninput [B, 4]\""), "the input says input:\n" + g);
    assertTrue(g.contains("[label=\"y\\nlabel [B, 3]\""), "the label says label:\n" + g);
    // every edge joins declared nodes
    Pattern node = Pattern.compile("^\\s+(n\\d+) \\[", Pattern.MULTILINE);
    Pattern edge = Pattern.compile("^\\s+(n\\d+) -> (n\\d+)", Pattern.MULTILINE);
    java.util.Set<String> nodes = node.matcher(g).results().map(m -> m.group(1)).collect(Collectors.toSet());
    edge.matcher(g).results().forEach(m -> {
      assertTrue(nodes.contains(m.group(1)) && nodes.contains(m.group(2)), m.group() + " joins undeclared nodes");
    });
  }

  static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- train

  @Test
  void trainOneEpochWritesParamsAndMetrics() throws Exception {
    Path f = write("mnist_small.bpnet", MNIST_SMALL);
    Result p = bpnet("params", f.toString());
    assertEquals(0, p.code, show(p));
    Map<String, String> declared = params(p);
    assertEquals(List.of("h.W", "h.b", "logits.W", "logits.b"), new ArrayList<>(declared.keySet()), show(p));

    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--epochs", "1", "--out", run.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("training MnistSmall on bundled MNIST"), show(r));
    assertTrue(r.out.contains("epoch 1/1: loss"), show(r));
    assertTrue(r.out.contains("test accuracy"), show(r));
    assertFalse(r.out.contains("epoch 2/"), "--epochs 1 overrides the model's 30: " + show(r));

    Path npz = run.resolve("params.npz");
    Path csv = run.resolve("metrics.csv");
    assertTrue(Files.isRegularFile(npz), show(r));
    assertTrue(Files.isRegularFile(csv), show(r));
    // the run's picture, drawn from its metrics.csv as bpnet plot draws it
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(run.resolve("curves.png").toFile());
    assertTrue(png != null && png.getWidth() > 100, "curves.png: " + show(r));
    assertTrue(r.out.contains("and " + run.resolve("curves.png")), show(r));
    List<String> rows = Files.readAllLines(csv);
    assertEquals(2, rows.size(), "header and one row: " + rows);
    assertEquals("epoch,train_loss,train_input_loss,train_error,val_loss,val_input_loss,val_error,test_accuracy,seconds", rows.get(0));
    String[] cells = rows.get(1).split(",");
    assertEquals(9, cells.length, rows.get(1));
    assertEquals("1", cells[0]);
    double loss = Double.parseDouble(cells[1]);
    double lx = Double.parseDouble(cells[2]);
    double trainError = Double.parseDouble(cells[3]);
    double valLoss = Double.parseDouble(cells[4]);
    double valError = Double.parseDouble(cells[6]);
    double acc = Double.parseDouble(cells[7]);
    assertTrue(loss > 0 && loss < 2.31, "loss after one epoch " + loss);
    assertTrue(Double.isFinite(lx) && lx >= 0, "three passes: l_x is reported, got " + lx);
    assertTrue(trainError > 0 && trainError < 0.8, "running train error " + trainError);
    assertTrue(valLoss > 0 && valLoss < 2.31 && Double.parseDouble(cells[5]) >= 0, "validation figures " + rows.get(1));
    assertTrue(Math.abs(valError - (1 - acc)) < 0.1, "validation and test error agree roughly: " + rows.get(1));
    assertTrue(acc > 0.2 && acc <= 1, "accuracy " + acc);
    assertTrue(Double.parseDouble(cells[8]) >= 0, rows.get(1));
    assertTrue(r.out.contains(": train on training examples 0-7,999 (all 8,000) less 800 drawn at random with seed 7 to validate on;"
        + " test on test examples 0-1,999 (all 2,000); "), show(r));

    Map<String, INDArray> saved = Npz.read(npz);
    assertEquals(new ArrayList<>(declared.keySet()), new ArrayList<>(saved.keySet()), "the names bpnet params printed");
    for (Map.Entry<String, String> e : declared.entrySet()) {
      assertEquals(e.getValue(), Arrays.toString(saved.get(e.getKey()).shape()), e.getKey());
    }
    assertEquals("FLOAT", saved.get("h.W").dataType().name(), "float32 by default");
  }

  /** Regression data: the test figure is the MSE, never an accuracy, and the loss goes down. */
  @Test
  void trainOnGeneratedRegressionDataReportsTestMse() throws Exception {
    Path f = write("cos.bpnet", COSINE);
    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--out", run.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("training Cos on scaled cosine (difference backprop paper: y = (1 + cos(pi x))/2, x ~ U(-1, 1); "
        + "100 points, tested on the same points, data seed 1): train on training examples 0-99 (all 100), no validation set;"
        + " test on test examples 0-99 (all 100); 40 epochs, batch 100, 2 passes"), show(r));
    assertTrue(r.out.contains("epoch 40/40: loss "), show(r));
    assertTrue(r.out.contains("\ntest mse "), show(r));
    assertFalse(r.out.contains(", test mse "), "the test figure once, at the end: " + show(r));
    assertFalse(r.out.contains("accuracy"), "no accuracy for regression: " + show(r));
    List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals("epoch,train_loss,train_input_loss,train_error,val_loss,val_input_loss,val_error,test_mse,seconds", rows.get(0));
    assertEquals(41, rows.size(), "header and 40 rows: " + rows);
    assertTrue(r.out.contains("no validation set"), "regression data: none by default: " + show(r));
    double first = Double.parseDouble(rows.get(1).split(",")[1]);
    double last = Double.parseDouble(rows.get(40).split(",")[1]);
    String[] cells = rows.get(40).split(",", -1);
    assertEquals("", cells[4], "no validation: empty cells " + rows.get(40));
    double trainMse = Double.parseDouble(cells[3]);
    double mse = Double.parseDouble(cells[7]);
    // the running train error of regression is the MSE of the batch before its update: 2 L
    assertEquals(2 * last, trainMse, 1e-3 * trainMse, rows.get(40));
    assertTrue(last < first, "the loss goes down: " + first + " -> " + last);
    // the test set is the training set and loss = 1/2 (y - out)^2 per point: before the last
    // step the test MSE is twice the mean loss; after it, a little lower
    assertTrue(mse > 0 && mse < 2 * last * 1.01, "test mse " + mse + ", loss " + last);
  }

  @Test
  void trainPrintsWarningsAndStillTrains() throws Exception {
    Path f = write("cos.bpnet", COSINE.replace("out = sigmoid(dense(h, 1))", "out = sigmoid(dense(h, 1))\n  spare = dense(h, 2)")
        .replace("init = xavier", "init = xavier  third = paper"));
    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--epochs", "2", "--out", run.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.err.contains("warning(W3): " + f + ":6:3: 'spare' is computed"), show(r));
    assertTrue(r.err.contains("warning(W1): " + f + ":10:20: 'third = paper' has no effect"), show(r));
    assertTrue(r.err.strip().endsWith("\n2 warnings"), show(r));
    assertTrue(r.out.contains("epoch 2/2: loss "), show(r));
    assertTrue(Files.isRegularFile(run.resolve("params.npz")), show(r));
  }

  @Test
  void trainOnTeacherStudentAndCubicData() throws Exception {
    Path ts = write("ts.bpnet", """
        model Student {
          input v: [20]
          label y: [3]
          h   = sigmoid(dense(v, 16))
          out = sigmoid(dense(h, 3))
          loss = mse(out, y)
          train { batch = 50  data = teacher_student(n = 200, seed = 4) }
        }
        """);
    Result r = bpnet("train", ts.toString(), "--epochs", "2", "--out", dir.resolve("ts").toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("teacher-student data (Huang and Toyoizumi: y = sigmoid(W_g v), v ~ N(0, 1); 200 train, 200 test, data seed 4)"), show(r));
    assertTrue(r.out.contains("epoch 2/2: loss ") && r.out.contains("test mse"), show(r));

    Path cubic = write("cubic.bpnet", COSINE.replace("data = cosine", "data = cubic(noise = 0)").replace("sigmoid(dense(h, 1))", "dense(h, 1)")
        .replace("batch = 100", "batch = 5").replace("lr = 5", "lr = 0.01"));
    r = bpnet("train", cubic.toString(), "--out", dir.resolve("cubic").toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("noisy cubic (Yazdani: y = x^3 - 3x^2 - x + 1 + N(0, 0.0^2), 5 points on [-1, 3]; "
        + "tested on the noise-free curve at 101 points, data seed 1)"), show(r));

    // --data NAME takes the data set with its default arguments
    r = bpnet("train", cubic.toString(), "--epochs", "1", "--data", "cubic", "--out", dir.resolve("cubic2").toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("N(0, 0.1^2)"), show(r));
  }

  /**
   * The example's optimizer written in the language (agreeing reinforced backprop, random masks)
   * trains MNIST, keeps its state and generator in checkpoint.npz and resumes bit for bit.
   */
  @Test
  void anOptimizerWrittenInTheLanguageResumesBitForBit() throws Exception {
    Path f = Path.of("../examples/optimizers/agreeing_reinforced.bpnet");
    String data = "--set=data=mnist(train = 1000, test = 200)";
    Path whole = dir.resolve("whole");
    Path split = dir.resolve("split");
    Result r = bpnet("train", f.toString(), data, "--epochs", "3", "--out", whole.toString());
    assertEquals(0, r.code, show(r));
    r = bpnet("train", f.toString(), data, "--epochs", "2", "--out", split.toString());
    assertEquals(0, r.code, show(r));
    Map<String, INDArray> npz = Npz.read(split.resolve("checkpoint.npz"));
    assertTrue(npz.containsKey("optimizer/previous/0") && npz.containsKey("optimizer/rng") && npz.containsKey("optimizer/t"),
        npz.keySet().toString());
    r = bpnet("train", f.toString(), "--epochs", "3", "--resume", split.toString());
    assertEquals(0, r.code, show(r));
    assertSameRun(whole, split, 3);
  }

  /**
   * The dropout example (masks drawn from the trainer's generator, state/rng in checkpoint.npz)
   * and the batch norm example (running statistics in params.npz) resume through the command
   * bit for bit.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"dropout.bpnet, MnistDropout, state/rng", "normalised.bpnet, MnistBatchNorm, param/h.running_var"})
  void dropoutAndBatchNormResumeBitForBit(String file, String model, String key) throws Exception {
    Path f = Path.of("../examples/basics/" + file);
    String data = "--set=data=mnist(train = 1000, test = 200)";
    Path whole = dir.resolve("whole-" + model);
    Path split = dir.resolve("split-" + model);
    Result r = bpnet("train", f.toString(), "--model", model, data, "--epochs", "3", "--out", whole.toString());
    assertEquals(0, r.code, show(r));
    r = bpnet("train", f.toString(), "--model", model, data, "--epochs", "2", "--out", split.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(Npz.read(split.resolve("checkpoint.npz")).containsKey(key), show(r));
    r = bpnet("train", f.toString(), "--model", model, "--epochs", "3", "--resume", split.toString());
    assertEquals(0, r.code, show(r));
    assertSameRun(whole, split, 3);
  }

  /** --resume without --model continues the run's own model (run.json), not the file's first. */
  @Test
  void resumeWithoutModelContinuesTheRunsModel() throws Exception {
    Path f = Path.of("../examples/basics/normalised.bpnet");  // MnistLayerNorm is its second model
    String data = "--set=data=mnist(train = 500, test = 100)";
    Path whole = dir.resolve("whole");
    Path split = dir.resolve("split");
    Result r = bpnet("train", f.toString(), "--model", "MnistLayerNorm", data, "--epochs", "2", "--out", whole.toString());
    assertEquals(0, r.code, show(r));
    r = bpnet("train", f.toString(), "--model", "MnistLayerNorm", data, "--epochs", "1", "--out", split.toString());
    assertEquals(0, r.code, show(r));
    r = bpnet("train", f.toString(), "--epochs", "2", "--resume", split.toString());
    assertEquals(0, r.code, show(r));
    assertSameRun(whole, split, 2);
  }

  /**
   * Two runs of {@code epochs} epochs ended alike: params.npz bit for bit and every metrics.csv
   * figure but the seconds.
   */
  private static void assertSameRun(Path whole, Path split, int epochs) throws Exception {
    Map<String, INDArray> a = Npz.read(whole.resolve("params.npz"));
    Map<String, INDArray> b = Npz.read(split.resolve("params.npz"));
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertTrue(v.equalsWithEps(b.get(k), 0.0), k + " bit-identical"));
    List<String> ma = Files.readAllLines(whole.resolve("metrics.csv"));
    List<String> mb = Files.readAllLines(split.resolve("metrics.csv"));
    assertEquals(epochs + 1, mb.size(), mb.toString());
    for (int i = 0; i <= epochs; i++) {
      assertEquals(ma.get(i).substring(0, ma.get(i).lastIndexOf(',')), mb.get(i).substring(0, mb.get(i).lastIndexOf(',')));
    }
  }

  /** --out then --resume: the resumed run's parameters are those of an uninterrupted run, bit for bit. */
  @Test
  void trainThenResumeEndsWhereAnUninterruptedRunEnds() throws Exception {
    Path f = write("mnist_small.bpnet", MNIST_SMALL.replace("sgd(lr = 0.1)", "momentum(lr = 0.05)"));
    Path whole = dir.resolve("whole");
    Path split = dir.resolve("split");
    Result r = bpnet("train", f.toString(), "--epochs", "3", "--out", whole.toString());
    assertEquals(0, r.code, show(r));
    r = bpnet("train", f.toString(), "--epochs", "2", "--out", split.toString(), "--save-every", "0");
    assertEquals(0, r.code, show(r));
    for (String file : List.of("checkpoint.npz", "checkpoint.json", "checkpoint.previous.npz", "checkpoint.previous.json",
        "params.npz", "metrics.csv")) {
      assertTrue(Files.isRegularFile(split.resolve(file)), file + " " + show(r));
    }
    String json = Files.readString(split.resolve("checkpoint.json"));
    assertTrue(json.contains("\"epoch\": 2") && json.contains("\"model_hash\"") && json.contains("\"npz_sha256\""), json);
    Map<String, INDArray> npz = Npz.read(split.resolve("checkpoint.npz"));
    assertTrue(npz.containsKey("param/h.W") && npz.containsKey("optimizer/velocity/0"), npz.keySet().toString());

    r = bpnet("train", f.toString(), "--epochs", "2", "--out", split.toString());
    assertEquals(2, r.code, "a fresh run into a run's directory is refused: " + show(r));
    assertTrue(r.err.contains("already holds a checkpoint; continue it with --resume"), show(r));

    r = bpnet("train", f.toString(), "--resume", split.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("is finished (2 of 2 epochs); nothing to do"), show(r));

    r = bpnet("train", f.toString(), "--epochs", "3", "--resume", split.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("resuming MnistSmall") && r.out.contains("epoch 3/3: loss"), show(r));
    assertFalse(r.out.contains("epoch 2/3"), show(r));
    assertSameRun(whole, split, 3);

    Path other = write("other.bpnet", MNIST_SMALL.replace("dense(x, 16)", "dense(x, 8)"));
    r = bpnet("train", other.toString(), "--epochs", "4", "--resume", split.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("refusing to resume from a checkpoint of a different model")
        && r.err.contains("parameter h.W is [784, 16] in the checkpoint but [784, 8] in this model"), show(r));
    // the run is finished (3 of 3), but that is no reason to accept another model's checkpoint
    r = bpnet("train", other.toString(), "--resume", split.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("refusing to resume from a checkpoint of a different model") && !r.out.contains("is finished"),
        show(r));

    r = bpnet("train", f.toString(), "--resume", dir.resolve("nothing").toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("no such directory (--resume takes the --out directory of a run)"), show(r));
    r = bpnet("train", f.toString(), "--resume", split.toString(), "--out", whole.toString());
    assertEquals(2, r.code, show(r));
  }

  /** A learning rate that blows up: exit 1, the step named, the initial checkpoint kept. */
  @Test
  void aDivergingRunStopsWithTheStepNamed() throws Exception {
    Path f = write("mnist_small.bpnet", MNIST_SMALL.replace("sgd(lr = 0.1)", "sgd(lr = 1e30)"));
    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--epochs", "2", "--out", run.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("error: non-finite value at epoch 1, step "), show(r));
    assertTrue(r.err.contains("the last good checkpoint (the initial state) is "), show(r));
    assertTrue(Files.isRegularFile(run.resolve("checkpoint.json")), show(r));
  }

  /** Many short epochs: about 50 printed lines at round intervals, every epoch in metrics.csv. */
  @Test
  void longRunsPrintEveryFewEpochs() throws Exception {
    Path f = write("cos.bpnet", COSINE.replace("epochs = 40", "epochs = 120"));
    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--out", run.toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("printing every 5 epochs; metrics.csv has them all"), show(r));
    List<String> printed = r.out.lines().filter(l -> l.startsWith("epoch ")).map(l -> l.substring(6, l.indexOf('/'))).toList();
    List<String> expected = new ArrayList<>(List.of("1"));
    for (int e = 5; e <= 120; e += 5) {
      expected.add(String.valueOf(e));
    }
    assertEquals(expected, printed, show(r));
    assertEquals(121, Files.readAllLines(run.resolve("metrics.csv")).size());
    assertTrue(Files.isRegularFile(run.resolve("params.npz")));

    assertEquals(1, TrainCommand.reportEvery(1));
    assertEquals(1, TrainCommand.reportEvery(50));
    assertEquals(2, TrainCommand.reportEvery(51));
    assertEquals(2, TrainCommand.reportEvery(100));
    assertEquals(5, TrainCommand.reportEvery(101));
    assertEquals(50, TrainCommand.reportEvery(2000));
    assertEquals(100, TrainCommand.reportEvery(5000));
    assertEquals(200, TrainCommand.reportEvery(5001));
  }

  @Test
  void generatedDataOfTheWrongShapeIsAClearError() throws Exception {
    Path f = write("tiny.bpnet", TINY.replace("seed = 11", "seed = 11  data = cosine"));
    Result r = bpnet("train", f.toString(), "--epochs", "1", "--out", dir.resolve("run").toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("error: scaled cosine"), show(r));
    assertTrue(r.err.contains("1 features per example but the model's input 'x' is [4]"), show(r));
  }

  @Test
  void unknownDataSetsAreCheckErrorsWithAHint() throws Exception {
    Path f = write("cos.bpnet", COSINE.replace("data = cosine", "data = cosin"));
    Result r = bpnet("check", f.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("error(E7): " + f + ":10:12: bad value for option 'data': unknown data set 'cosin' "
        + "(known: cifar10, cifar100, cosine, cubic, fashion_mnist, mnist, teacher_student)"), show(r));
    assertTrue(r.err.contains("hint: did you mean 'cosine'?"), show(r));

    f = write("cubic.bpnet", COSINE.replace("data = cosine", "data = cubic(nosie = 0)"));
    r = bpnet("train", f.toString(), "--out", dir.resolve("run").toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("unknown option 'nosie' for data set 'cubic'"), show(r));
    assertTrue(r.err.contains("hint: did you mean 'noise'?"), show(r));
    assertFalse(Files.exists(dir.resolve("run")), "nothing trained, nothing written");
  }

  @Test
  void trainOnMissingDataIsAClearError() throws Exception {
    Path f = write("mnist_small.bpnet", MNIST_SMALL);
    Path run = dir.resolve("run");
    Result r = bpnet("train", f.toString(), "--epochs", "1", "--data", "/nonexistent", "--out", run.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("error: data '/nonexistent' is neither a known data set (cifar10, cifar100, cosine, cubic, "
        + "fashion_mnist, mnist, teacher_student) nor an existing file or directory"), show(r));
    assertFalse(Files.exists(run.resolve("params.npz")), show(r));
  }

  @Test
  void trainOnDataOfTheWrongShapeIsAClearError() throws Exception {
    Path f = write("tiny.bpnet", TINY); // input [4], label [3]; mnist has 784 features and 10 classes
    Result r = bpnet("train", f.toString(), "--epochs", "1", "--out", dir.resolve("run").toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("784 features"), show(r));
    assertTrue(r.err.contains("input 'x' is [4]"), show(r));
  }

  @Test
  void trainOnADirectoryWithoutIdxFilesIsAClearError() throws Exception {
    Path f = write("mnist_small.bpnet", MNIST_SMALL);
    Path data = Files.createDirectories(dir.resolve("data"));
    Result r = bpnet("train", f.toString(), "--epochs", "1", "--data", data.toString(), "--out", dir.resolve("run").toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.startsWith("error: "), show(r));
  }

  // ---------------------------------------------------------------- what check must catch

  /** Unknown names are all reported, in a call's arguments as in an operator's operands. */
  @Test
  void everyUnknownNameOfACallIsReported() throws Exception {
    Path op = write("op.bpnet", "model M {\n  input x: [4]\n  label y: [3]\n  a = xx + yy\n"
        + "  loss = mse(dense(x, 3), y) + mean(a)\n}\n");
    Result r = bpnet("check", op.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("unknown name 'xx'") && r.err.contains("unknown name 'yy'"), show(r));

    Path call = write("call.bpnet", "model M {\n  input x: [4]\n  label y: [3]\n  loss = mse(dense(xx, 3), yy)\n}\n");
    r = bpnet("check", call.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("unknown name 'xx'"), show(r));
    assertTrue(r.err.contains("unknown name 'yy'"), "the second argument's error is reported too: " + show(r));
    assertTrue(r.err.strip().endsWith("2 errors"), show(r));
  }

  /** Out-of-range axes, non-integer sizes and flags: diagnostics at the argument, never E11. */
  @Test
  void badArgumentsAreModelErrors() throws Exception {
    List<String> cases = List.of(
        "sum(h, axis = 2)", "mean(h, axis = -3)", "softmax(h, axis = 7)", "log_softmax(h, axis = 2)",
        "sum(h, axis = 1.5)", "softmax(h, axis = -1e400)", "sum(h, keepdims = 2)", "dense(h, 2.5)",
        "dense(h, 1e400)", "param(1e400)", "mse(6, 3)");
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      String e = cases.get(i);
      Path f = write("arg" + i + ".bpnet", "model M {\n  input x: [4]\n  label y: [3]\n  h = dense(x, 3)\n"
          + "  z = " + e + "\n  loss = mse(h, y) + mean(z)\n}\n");
      checks.add(() -> {
        Result r = bpnet("check", f.toString());
        assertEquals(1, r.code, "z = " + e + ": " + show(r));
        assertFalse(r.err.contains("internal"), "z = " + e + ": " + show(r));
        assertTrue(r.err.contains(f + ":5:"), "z = " + e + ": the position of the argument, " + show(r));
      });
    }
    org.junit.jupiter.api.Assertions.assertAll(checks);
  }

  /** A learning rate of 1e400 (infinity) must be rejected by check, not break the generated Java. */
  @Test
  void aNonFiniteLearningRateIsAModelError() throws Exception {
    Path f = write("lr.bpnet", TWO_PASS.replace("sgd(lr = 0.1)", "sgd(lr = 1e400)"));
    Result r = bpnet("check", f.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("'lr'") || r.err.contains("lr"), show(r));
    assertFalse(r.err.contains("internal"), show(r));
  }

  /**
   * Names the generated Java uses itself (the batch size {@code b}, imported classes such as
   * Nd4j, Feeds, List, DataType, Double, Initializers) are ordinary names in a model: the
   * trainer written by {@code compile} must still compile.
   */
  @Test
  void namesTheGeneratedCodeUsesAreFineInModels() throws Exception {
    List<String> names = List.of("b", "Nd4j", "Feeds", "List", "DataType", "Double", "Initializers", "batch", "L",
        "Path", "ParamsFile", "w", "inputs", "workspaces", "Workspace");
    Path gen = dir.resolve("names");
    List<Path> sources = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      // as a value, and (in a second model) as an input
      String text = "model V" + i + " {\n  input x: [3]\n  label y: [2]\n  W = param(3, 2)\n  " + n + " = matmul(x, W)\n"
          + "  loss = mse(" + n + " * 1, y)\n}\n"
          + "model I" + i + " {\n  input " + n + ": [3]\n  label y: [2]\n  W = param(3, 2)\n"
          + "  loss = mse(matmul(" + n + ", W), y)\n}\n";
      Path f = write("name" + i + ".bpnet", text);
      Result r = bpnet("compile", f.toString(), "-o", gen.toString());
      assertEquals(0, r.code, n + ": " + show(r));
      for (String kind : List.of("Trainer", "Model")) {
        sources.add(gen.resolve("dev/bpnet/generated/V" + i + kind + ".java"));
        sources.add(gen.resolve("dev/bpnet/generated/I" + i + kind + ".java"));
      }
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
      List<String> options = List.of("-proc:none", "-classpath", System.getProperty("java.class.path"),
          "-d", Files.createDirectories(dir.resolve("names-classes")).toString());
      javac.getTask(null, fm, diags, options, null, fm.getJavaFileObjectsFromPaths(sources)).call();
    }
    Map<String, List<String>> broken = new java.util.TreeMap<>();
    for (var d : diags.getDiagnostics()) {
      if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR && d.getSource() != null) {
        String file = Path.of(d.getSource().toUri()).getFileName().toString();
        int i = Integer.parseInt(file.replaceAll("\\D", ""));
        String key = "'" + names.get(i) + "' as " + (file.startsWith("V") ? "a value" : "an input");
        broken.computeIfAbsent(key, k -> new ArrayList<>()).add("line " + d.getLineNumber() + ": " + d.getMessage(null).lines().findFirst().orElse(""));
      }
    }
    assertTrue(broken.isEmpty(), "generated trainers that do not compile, by the model name that breaks them:\n"
        + broken.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().get(0)).collect(Collectors.joining("\n")));
  }

  // ---------------------------------------------------------------- usage

  @Test
  void usageErrorsExitWithTwo() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("frobnicate", f.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("frobnicate"), show(r));
    assertTrue(r.err.contains("Usage: bpnet"), show(r));

    r = bpnet();
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("name a command"), show(r));

    for (String cmd : List.of("check", "compile", "show", "params", "gradients", "graph", "train")) {
      r = bpnet(cmd);
      assertEquals(2, r.code, cmd + ": " + show(r));
      assertTrue(r.err.contains("Missing required"), cmd + ": " + show(r));
      assertTrue(r.err.contains("Usage: bpnet " + cmd), cmd + ": " + show(r));
    }

    r = bpnet("check", "--frob", f.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("Unknown option: '--frob'"), show(r));

    r = bpnet("params", f.toString(), "--frob");
    assertEquals(2, r.code, show(r));

    r = bpnet("train", f.toString(), "--epochs", "many");
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("many"), show(r));
  }

  /** An output that is also an input, or that holds another run's outcome, is refused before anything is written. */
  @Test
  void outputsNeverOverwriteInputsOrAnotherRun() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    String model = Files.readString(f);
    Result r = bpnet("graph", f.toString(), "-o", f.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("is also an input of this command"), show(r));
    assertEquals(model, Files.readString(f), "the model is untouched");
    Path batch = dir.resolve("B.npz");
    Npz.write(batch, Map.of("x", org.nd4j.linalg.factory.Nd4j.zeros(2, 4), "y", org.nd4j.linalg.factory.Nd4j.zeros(2, 3)));
    byte[] before = Files.readAllBytes(batch);
    r = bpnet("gradients", f.toString(), "--batch", batch.toString(), "--out", dir.resolve(".").resolve("B.npz").toString());
    assertEquals(2, r.code, show(r));
    assertTrue(Arrays.equals(before, Files.readAllBytes(batch)), "the batch is untouched");
    r = bpnet("graph", f.toString(), "-o", dir.resolve("newdir").toString() + "/");
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("names a directory"), show(r));
    assertFalse(Files.exists(dir.resolve("newdir")), show(r));
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(run.resolve("metrics.csv"), "epoch,train_loss\n1,0.5\n");
    r = bpnet("train", f.toString(), "--out", run.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("already holds metrics.csv"), show(r));
    assertEquals("epoch,train_loss\n1,0.5\n", Files.readString(run.resolve("metrics.csv")));
  }

  /** check says ok only for what train can run: a data file that is not there is an error naming it. */
  @Test
  void checkRefusesAMissingDataFile() throws Exception {
    Path f = write("d.bpnet", TINY.replace("seed = 11", "seed = 11  data = \"nowhere/train.csv\""));
    Result r = bpnet("check", f.toString());
    assertEquals(1, r.code, show(r));
    assertTrue(r.err.contains("model Tiny") && r.err.contains("nowhere/train.csv"), show(r));
    assertFalse(r.out.contains("ok"), show(r));
  }

  /** Model names that camel-case to nothing or to a digit still give a Java class. */
  @Test
  void underscoreModelNamesCompile() throws Exception {
    Path f = write("u.bpnet", TINY.replace("model Tiny", "model _") + TINY.replace("model Tiny", "model _1"));
    Result r = bpnet("compile", f.toString(), "-o", dir.resolve("src").toString());
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("ModelTrainer.java") && r.out.contains("Model1Trainer.java"), show(r));
  }

  /** A usage error is its message, a did-you-mean and the synopsis: not the 40-line option list. */
  @Test
  void usageErrorsAreShort() throws Exception {
    Path f = write("tiny.bpnet", TINY);
    Result r = bpnet("train", f.toString(), "--epochs", "99999999999");
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("'99999999999' is not a whole number from"), show(r));
    assertFalse(r.err.contains("is not an int"), show(r));
    r = bpnet("train", f.toString(), "--epoch", "3");
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("--epochs") && r.err.contains("Run 'bpnet help train'"), show(r));
    r = bpnet("train", f.toString(), "--epochs", "\u0661");
    assertEquals(2, r.code, "Arabic-Indic digits are not read as a number: " + show(r));
    r = bpnet("chek", f.toString());
    assertEquals(2, r.code, show(r));
    assertTrue(r.err.contains("unknown command 'chek'") && r.err.contains("bpnet check"), show(r));
    for (String[] args : List.of(new String[] {"train", f.toString(), "--epochs", "x"}, new String[] {"train", "--epoch", "3"},
        new String[] {"frobnicate"}, new String[] {"compile"}, new String[] {"show", f.toString(), "--pass"})) {
      r = bpnet(args);
      assertEquals(2, r.code, show(r));
      // message, did-you-mean, a synopsis of up to four lines (train's, with the --spark options) and the help hint
      assertTrue(r.err.lines().count() <= 7, "short usage error: " + show(r));
      assertFalse(r.err.contains("the .bpnet file"), "no option descriptions: " + show(r));
    }
  }

  @Test
  void helpAndVersion() {
    for (String h : List.of("--help", "-h")) {
      Result r = bpnet(h);
      assertEquals(0, r.code, show(r));
      assertTrue(r.out.contains("Usage: bpnet"), show(r));
      for (String cmd : List.of("check", "compile", "show", "params", "gradients", "graph", "train")) {
        assertTrue(r.out.contains("  " + cmd + " "), cmd + " listed: " + show(r));
      }
    }
    for (String v : List.of("--version", "-V")) {
      Result r = bpnet(v);
      assertEquals(0, r.code, show(r));
      assertTrue(r.out.matches("bpnet \\d+\\.\\d+\\.\\d+\\R"), show(r));
    }
    Result r = bpnet("help", "train");
    assertEquals(0, r.code, show(r));
    assertTrue(r.out.contains("Usage: bpnet train") && r.out.contains("--epochs"), show(r));
  }

  /** {@code bpnet CMD --help}, the usual way to ask a picocli subcommand for its usage. */
  @Test
  void everySubcommandTakesHelp() {
    for (String cmd : List.of("check", "compile", "show", "params", "gradients", "graph", "train")) {
      Result r = bpnet(cmd, "--help");
      assertEquals(0, r.code, "bpnet " + cmd + " --help: " + show(r));
      assertTrue(r.out.contains("Usage: bpnet " + cmd), show(r));
    }
  }
}
