package dev.bpnet.dsl.compile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random mutations of valid .bpnet files (delete, swap, duplicate, insert or replace a token,
 * replace a name or a number, flip a byte, truncate, nest a token past the nesting limit, make a
 * line very long or end lines with CR) must come out of the compiler as a result
 * or as diagnostics: {@link FileCompiler#check} and {@link FileCompiler#generate} throw nothing
 * but {@link CompileException}, its diagnostics render, and none of them is an internal compiler
 * error (E11). A few accepted mutants with new code, and every seed text, are also compiled and
 * run on a random batch: what check accepts must run.
 *
 * <p>Bounded by time (about 16 s) and by a number of mutants. Every mutant is made from its own
 * seed, printed with the mutant's text on failure: {@code -Dbpnet.fuzz.seed=N} sets the seed
 * of the whole run, {@code mutant(corpus(), mutantSeed)} rebuilds one mutant.
 */
class FuzzTest {
  static final long DEFAULT_SEED = 0x6270_6e65_7446L;
  static final long BUDGET_NANOS = Duration.ofSeconds(16).toNanos();
  static final int MAX_MUTANTS = 50_000;
  static final int MAX_REPORTED = 12;
  /** Accepted mutants (with code not seen before) whose trainers are compiled and run. */
  static final int MAX_EXECUTED = 12;

  /** The command-line tests' tiny model (cli's CliEndToEndTest.TINY): three exact passes, float64. */
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

  /** Comparisons, where, clamp, named arguments, exponents, comments, separators. */
  static final String SYNTAX_1 = """
      /* Syntax tour 1: comparisons, where, clamp, named arguments,
         exponents and comments. */
      model Syntax1 {
        input x: [4,];   // a trailing comma in the shape
        label y: [3];
        z  = dense(x, 5, bias = 1)
        h  = where(z > 0, z, 0.01 * z) + clamp(z, -1.5e0, 2.5E+0) * (z <= 1) - (z != 0.5) / 4
        g  = leaky_relu(h, slope = 2e-2) ^ 2 + sqrt(exp(-h) + 1.) - log(1 + sigmoid(h))
        out = softmax(dense(g, 3), axis = -1)
        loss = mse(out, y) + 1e-3 * mean(sum(g * g, axis = 1, keepdims = 0))
        train {
          passes = 3, alpha = 0.75, third = exact,
          optimizer = sgd(lr = 5e-2); init = xavier; batch = 16; epochs = 2; seed = 99;
          dtype = float64; data = "some/dir"
        }
      }
      """;

  /** Explicit parameters, forward references, reductions, two models in one file. */
  static final String SYNTAX_2 = """
      // Syntax tour 2: explicit parameters, forward references, two models in one file.
      model Explicit2 {
        loss = hinge(logits, y)          // the loss first: names resolve in any order
        logits = bias_add(matmul(h, W2), b2)
        h = tanh(bias_add(matmul(x, W1), b1)) * (x_mean >= -1) + stop_gradient(neg(h0)) * 0
        h0 = relu(matmul(x, W1))
        x_mean = mean(x, axis = 1, keepdims = 1)
        W1 = param(4, 6, init = three_pass)
        b1 = param(6)
        W2 = param(6, 3, init = kaiming)
        b2 = param(3, init = zeros)
        input x: [4]
        label y: [3]
        train { passes = 3 alpha = 0.5 third = paper init = three_pass }
      }

      model Small {
        input x : [ 2 ]
        label t : [ 2 ]
        p = log_softmax(dense(x, 2, bias = 0))
        loss = softmax_cross_entropy(pow(p, 1) - (-p) + p == p, t)
        train { }
      }
      """;

  /** Matrix algebra, division, unary minus in exponents, a tiny 2-pass model. */
  static final String SYNTAX_3 = """
      model Algebra {
        input p: [3]
        label q: [2]
        W = param(3, 2)
        v = matmul(p, W) / (1 + exp(-matmul(p, W)))
        s = v - 2 ^ -1 * v
        loss = mse(s, q) + mean(clamp(s, 0, 1e1)) * 0.
        train { optimizer = sgd; batch = 1; epochs = 1 }
      }
      """;

  /** The image layers, small enough to compile and run within the budget (examples/conv's LeNet is not). */
  static final String CONV = """
      model Conv {
        input x: [2, 7, 7]
        label y: [3]
        c = relu(conv2d(x, 3, kernel = 3, stride = 2, padding = same, dilation = 1, bias = yes))
        p = max_pool(c, 2, stride = 1, padding = valid)
        a = avg_pool(conv2d(p, 2, 2, bias = no), 1)
        logits = dense(flatten(a), 3) + dense(global_avg_pool(c), 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 alpha = 0.5 third = exact batch = 4 }
      }
      """;

  /**
   * Words and symbols of the language, and some awkward ones, for insertions: the built-in
   * functions, train options and initialisers come from the compiler's own tables.
   */
  static final String[] VOCABULARY = vocabulary(
    "model", "input", "label", "train", "{", "}", "[", "]", "(", ")", ":", ";", ",", "=",
    "^", "-", "*", "/", "+", "<", "<=", ">", ">=", "==", "!=", "x", "y", "h", "z", "W", "b",
    "loss", "logits", "out", "B", "L", "l_x", "d", "t",
    "sgd", "lr", "adam", "paper", "exact",
    "zeros", "float32", "float64", "float16", "mnist", "axis",
    "keepdims", "slope", "bias", "units", "kernel", "stride", "padding", "dilation", "same", "valid", "yes", "no", "0", "1", "2", "3", "-1", "0.5", ".5", "1.", "1e9",
    "1e-9", "1e400", "-0", "2147483648", "99999999999999999999", "0.0", "\"mnist\"",
    "\"some/dir\"", "\"\"", "\"unterminated", "\"a\\\"b\"", "//", "/*", "*/", "@", "#", "$",
    "%", "&", "|", "!", "?", "~", "`", "'", "\\", ".", "é", "Ω", "\uD83D\uDE00", "\t", "\n",
    "\r", "\f", "\u0000", "\u0007", "\uFEFF", "\uFFFD", "[]", "()", "{}", "[0]", "[-1]",
    "[1e3]", "[784, 10]", "a = x", "train {", "model M {", "input q: [2]");

  private static String[] vocabulary(String... words) {
    java.util.List<String> l = new java.util.ArrayList<>(java.util.List.of(words));
    l.addAll(dev.bpnet.dsl.lower.Lowering.functionNames());
    l.addAll(dev.bpnet.dsl.syntax.TrainOptions.NAMES);
    l.addAll(dev.bpnet.dsl.syntax.TrainOptions.INITS);
    return l.toArray(new String[0]);
  }

  static final Pattern TOKEN = Pattern.compile(
      "//[^\\n]*|/\\*[\\s\\S]*?\\*/|\"(?:[^\"\\\\\\r\\n]|\\\\.)*\"|[A-Za-z_][A-Za-z_0-9]*"
          + "|(?:[0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?|<=|>=|==|!=|\\S");

  /** The seed texts: the examples of the repository and the syntax tours above. */
  static List<String> corpus() throws Exception {
    List<String> texts = new ArrayList<>();
    for (String p : List.of("../examples/mnist/mnist.bpnet", "../examples/basics/explicit.bpnet")) {
      Path f = Path.of(p);
      if (Files.isRegularFile(f)) {
        texts.add(Files.readString(f, StandardCharsets.UTF_8));
      } else {
        assertFalse(p.contains("mnist"), "the example " + f.toAbsolutePath() + " is missing");
      }
    }
    texts.add(SYNTAX_1);
    texts.add(SYNTAX_2);
    texts.add(SYNTAX_3);
    texts.add(TINY);
    texts.add(CONV);
    return texts;
  }

  record Span(int start, int end) {}

  static List<Span> tokens(String text) {
    List<Span> spans = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      spans.add(new Span(m.start(), m.end()));
    }
    return spans;
  }

  /** One random edit of {@code text}. */
  static String mutateOnce(String text, Random r) {
    List<Span> t = tokens(text);
    int kind = r.nextInt(12);
    if (t.isEmpty() && kind != 5) {
      kind = 3;
    }
    switch (kind) {
      case 0: { // delete a token
        Span s = t.get(r.nextInt(t.size()));
        return text.substring(0, s.start) + text.substring(s.end);
      }
      case 1: { // swap two tokens
        Span a = t.get(r.nextInt(t.size()));
        Span b = t.get(r.nextInt(t.size()));
        if (a.start > b.start) {
          Span c = a;
          a = b;
          b = c;
        }
        if (a.equals(b)) {
          return text;
        }
        return text.substring(0, a.start) + text.substring(b.start, b.end) + text.substring(a.end, b.start)
            + text.substring(a.start, a.end) + text.substring(b.end);
      }
      case 2: { // duplicate a token
        Span s = t.get(r.nextInt(t.size()));
        String tok = text.substring(s.start, s.end);
        return text.substring(0, s.end) + (r.nextBoolean() ? " " : "") + tok + text.substring(s.end);
      }
      case 3: { // insert a token of the vocabulary at a token boundary
        String v = VOCABULARY[r.nextInt(VOCABULARY.length)];
        int at = t.isEmpty() ? 0 : r.nextBoolean() ? t.get(r.nextInt(t.size())).start : t.get(r.nextInt(t.size())).end;
        String sep = r.nextInt(4) == 0 ? "" : " ";
        return text.substring(0, at) + sep + v + sep + text.substring(at);
      }
      case 4: { // flip a byte of the UTF-8 encoding
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
          return text;
        }
        int i = r.nextInt(bytes.length);
        bytes[i] = r.nextBoolean() ? (byte) (bytes[i] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
        return new String(bytes, StandardCharsets.UTF_8);
      }
      case 5: // truncate
        return text.substring(0, text.isEmpty() ? 0 : r.nextInt(text.length()));
      case 6: { // replace a token by one of the vocabulary
        Span s = t.get(r.nextInt(t.size()));
        return text.substring(0, s.start) + VOCABULARY[r.nextInt(VOCABULARY.length)] + text.substring(s.end);
      }
      case 8: { // replace a name by another name of the text or of the vocabulary: keeps the syntax
        List<Span> names = t.stream().filter(s -> Character.isLetter(text.charAt(s.start)) || text.charAt(s.start) == '_').toList();
        if (names.isEmpty()) {
          return text;
        }
        Span s = names.get(r.nextInt(names.size()));
        String by;
        if (r.nextBoolean()) {
          Span o = names.get(r.nextInt(names.size()));
          by = text.substring(o.start, o.end);
        } else {
          do {
            by = VOCABULARY[r.nextInt(VOCABULARY.length)];
          } while (!by.matches("[A-Za-z_][A-Za-z_0-9]*"));
        }
        return text.substring(0, s.start) + by + text.substring(s.end);
      }
      case 9: { // replace a number by another small one
        List<Span> nums = t.stream().filter(s -> Character.isDigit(text.charAt(s.start)) || text.charAt(s.start) == '.').toList();
        if (nums.isEmpty()) {
          return text;
        }
        Span s = nums.get(r.nextInt(nums.size()));
        String by = r.nextBoolean() ? String.valueOf(r.nextInt(12) - 3) : String.valueOf(r.nextInt(40) / 8.0);
        return text.substring(0, s.start) + by + text.substring(s.end);
      }
      case 10: { // nest a token deeply: parentheses, calls, unary minus or a chain of ^, around and past the limit
        Span s = t.get(r.nextInt(t.size()));
        int n = new int[] {50, 999, 1001, 3000, 10_000}[r.nextInt(5)];
        String tok = text.substring(s.start, s.end);
        String deep = switch (r.nextInt(4)) {
          case 0 -> "(".repeat(n) + tok + ")".repeat(n);
          case 1 -> "tanh(".repeat(n) + tok + ")".repeat(n);
          case 2 -> "-".repeat(n) + tok;
          default -> (tok + " ^ ").repeat(n) + tok;
        };
        return text.substring(0, s.start) + deep + text.substring(s.end);
      }
      case 11: { // a very long line: a token repeated as a long sum, or the file on one line (or CR-only lines)
        if (r.nextBoolean()) {
          Span s = t.get(r.nextInt(t.size()));
          String tok = text.substring(s.start, s.end);
          int n = new int[] {100, 2000, 20_000}[r.nextInt(3)];
          return text.substring(0, s.end) + (" + " + tok).repeat(n) + text.substring(s.end);
        }
        return text.replace("\n", r.nextBoolean() ? " " : "\r");
      }
      default: { // replace a number by an awkward one
        List<Span> nums = t.stream().filter(s -> Character.isDigit(text.charAt(s.start)) || text.charAt(s.start) == '.').toList();
        if (nums.isEmpty()) {
          return text;
        }
        Span s = nums.get(r.nextInt(nums.size()));
        String[] awkward = {"0", "-1", "0.0", "1e400", "1e-400", "2147483648", "9223372036854775808",
          "99999999999999999999", "0.5", "3", "1000000", "65536", "1e9", "-0.0", "NaN"};
        return text.substring(0, s.start) + awkward[r.nextInt(awkward.length)] + text.substring(s.end);
      }
    }
  }

  /** The mutant made from {@code seed}: a seed text and one to three edits. */
  static String mutant(List<String> corpus, long seed) {
    Random r = new Random(seed);
    String text = corpus.get(r.nextInt(corpus.size()));
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits; i++) {
      text = mutateOnce(text, r);
    }
    return text;
  }

  /** How one mutant fared: accepted or not, and what went wrong (null if nothing). */
  record Outcome(boolean accepted, int diagnostics, String failure, List<TrainingGraph> models, List<String> sources) {
    Outcome(boolean accepted, int diagnostics, String failure) {
      this(accepted, diagnostics, failure, List.of(), List.of());
    }
  }

  static Outcome run(String text) {
    SourceFile src = new SourceFile("fuzz.bpnet", text);
    DiagnosticPrinter printer = new DiagnosticPrinter(Map.of(src.name(), text));
    String phase = "check";
    try {
      List<TrainingGraph> models;
      try {
        models = FileCompiler.check(src);
      } catch (CompileException e) {
        phase = "rendering the diagnostics of check";
        String why = diagnosticsProblem(e, printer);
        return new Outcome(false, e.diagnostics().size(), why);
      }
      if (models.isEmpty()) {
        return new Outcome(true, 0, "check accepted a file without models");
      }
      List<String> sources = new ArrayList<>();
      for (TrainingGraph tg : models) {
        phase = "generate(" + tg.program().name() + ")";
        try {
          String java = FileCompiler.generate(tg, "fuzz").toString();
          if (!java.contains("class ")) {
            return new Outcome(true, 0, "generate gave no class for " + tg.program().name());
          }
          sources.add(java);
        } catch (CompileException e) {
          phase = "rendering the diagnostics of generate";
          String why = diagnosticsProblem(e, printer);
          return new Outcome(false, e.diagnostics().size(), why != null ? why
              : "check accepted the model but generate rejected it:\n" + printer.render(e.diagnostics()));
        }
      }
      return new Outcome(true, 0, null, models, sources);
    } catch (Throwable e) {
      return new Outcome(false, 0, e.getClass().getName() + " escaped from " + phase + ":\n" + trace(e));
    }
  }

  static String trace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString().lines().limit(14).reduce("", (a, b) -> a + b + "\n");
  }

  /**
   * Compiles the trainer of a model that check accepted and runs it on a random batch of 3:
   * gradients, a step and predict must not throw (NaN values are fine). Returns the problem, or
   * null.
   */
  static String execute(TrainingGraph tg, long seed) {
    Program p = tg.program();
    DataType dt = TrainerLoader.dataType(p.train().dtype());
    Random r = new Random(seed);
    Map<String, INDArray> feeds = new LinkedHashMap<>();
    List<Program.Leaf> leaves = new ArrayList<>(p.inputs());
    leaves.addAll(p.labels());
    long elements = 0;
    for (Program.Leaf l : leaves) {
      List<Integer> dims = l.shape().dims();
      long[] shape = new long[dims.size()];
      shape[0] = 3;
      for (int i = 1; i < shape.length; i++) {
        shape[i] = dims.get(i);
      }
      INDArray a = Nd4j.create(DataType.DOUBLE, shape);
      elements += a.length();
      if (elements > 200_000) {
        return null; // too big to be quick; not a finding
      }
      for (long i = 0; i < a.length(); i++) {
        a.putScalar(i, r.nextGaussian());
      }
      feeds.put(l.name(), a.castTo(dt));
    }
    for (Program.Param q : p.params()) {
      elements += q.shape().staticSize();
    }
    if (elements > 2_000_000) {
      return null;
    }
    String phase = "instantiate";
    try {
      Trainer t = TrainerLoader.instantiate(tg, dt, p.train().seed());
      phase = "gradients";
      t.gradients(feeds);
      phase = "step";
      t.step(feeds);
      phase = "predict";
      Map<String, INDArray> inputs = new LinkedHashMap<>();
      for (String n : t.inputNames()) {
        inputs.put(n, feeds.get(n));
      }
      t.predict(inputs);
      return null;
    } catch (Throwable e) {
      return "model " + p.name() + " passed check and generate but fails in " + phase + " on a batch of 3: "
          + e.getClass().getName() + ":\n" + trace(e);
    }
  }

  /** The rendered diagnostics of a text, for failure messages. */
  static String diagnostics(String text) {
    try {
      FileCompiler.check(new SourceFile("fuzz.bpnet", text));
      return "(no diagnostics)";
    } catch (CompileException e) {
      return new DiagnosticPrinter(Map.of("fuzz.bpnet", text)).render(e.diagnostics());
    } catch (RuntimeException e) {
      return e.toString();
    }
  }

  /** Diagnostics must be there, hold an error, render, and not be internal compiler errors. */
  static String diagnosticsProblem(CompileException e, DiagnosticPrinter printer) {
    if (e.diagnostics().isEmpty()) {
      return "a CompileException without diagnostics";
    }
    String shown = printer.render(e.diagnostics());
    for (Diagnostic d : e.diagnostics()) {
      // a diagnostic shows a window of its line, however long the line (a message, a hint, a caret)
      if (printer.render(d).length() > 2_000) {
        return "a diagnostic renders to " + printer.render(d).length() + " characters:\n"
            + printer.render(d).substring(0, 2_000);
      }
      if (d.code() == ErrorCode.E11) {
        return "an internal compiler error (E11):\n" + shown;
      }
    }
    if (e.diagnostics().stream().noneMatch(Diagnostic::isError)) {
      return "a CompileException with warnings only:\n" + shown;
    }
    // warnings travel with the errors, in source order, so either may come first
    if (!shown.startsWith("error(") && !shown.startsWith("warning(")) {
      return "diagnostics render oddly:\n" + shown;
    }
    return null;
  }

  @Test
  void mutantsGiveResultsOrDiagnosticsNeverCrashes() throws Exception {
    long seed = Long.getLong("bpnet.fuzz.seed", DEFAULT_SEED);
    List<String> corpus = corpus();
    long start = System.nanoTime(); // the budget covers the seed texts too
    java.util.Set<String> executedSources = new java.util.HashSet<>();
    Map<String, String> failures = new LinkedHashMap<>();
    for (String text : corpus) {
      Outcome o = run(text);
      assertTrue(o.accepted && o.failure == null, () -> "a seed text must compile: " + o.failure + "\n" + text
          + "\n" + diagnostics(text));
      for (int i = 0; i < o.models.size(); i++) {
        executedSources.add(o.sources.get(i));
        String failure = execute(o.models.get(i), 1);
        if (failure != null) {
          failures.put("seed " + failures.size(), "a seed text (no mutation)\n" + failure
              + "\n--- seed text ---\n" + text + "\n-----------------");
        }
      }
    }
    String[] current = {"(none yet)"};
    int[] counts = new int[5]; // mutants, accepted, rejected, failures, executed
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      Random master = new Random(seed);
      while (counts[0] < MAX_MUTANTS && System.nanoTime() - start < BUDGET_NANOS) {
        long mutantSeed = master.nextLong();
        String text = mutant(corpus, mutantSeed);
        current[0] = "mutant seed " + mutantSeed + ":\n" + text;
        Outcome o = run(text);
        counts[0]++;
        counts[o.accepted ? 1 : 2]++;
        String failure = o.failure;
        // a few accepted mutants with new code are also compiled and run
        for (int i = 0; failure == null && i < o.models.size() && counts[4] < MAX_EXECUTED; i++) {
          if (executedSources.add(o.sources.get(i))) {
            counts[4]++;
            failure = execute(o.models.get(i), mutantSeed);
          }
        }
        if (failure != null) {
          counts[3]++;
          // one report per kind of failure: its first line without the numbers, and its first frame
          String kind = failure.lines().limit(2).reduce("", String::concat).replaceAll("[0-9]+", "N");
          String firstFrame = failure.lines().filter(l -> l.startsWith("\tat ")).findFirst().orElse("");
          failures.putIfAbsent(kind + firstFrame, "run seed " + seed + ", mutant seed " + mutantSeed + "\n"
              + failure + "\n--- mutant (between the lines) ---\n" + text + "\n----------------------------------");
        }
      }
    }, () -> "stuck (or very slow) on " + current[0]);
    System.out.printf("FuzzTest: run seed %d: %d mutants, %d accepted, %d rejected with diagnostics, "
        + "%d compiled and run, %d failures (%d kinds)%n",
        seed, counts[0], counts[1], counts[2], counts[4], counts[3], failures.size());
    if (!failures.isEmpty()) {
      StringBuilder b = new StringBuilder(counts[3] + " of " + counts[0] + " mutants failed, "
          + failures.size() + " kinds (run seed " + seed + "):\n");
      failures.values().stream().limit(MAX_REPORTED).forEach(f -> b.append("\n").append(f).append("\n"));
      System.out.println(b);
      fail(b.toString());
    }
    assertTrue(counts[0] >= 200, "too few mutants in the time: " + counts[0]);
    assertTrue(counts[1] > 0 && counts[2] > 0, "both outcomes should occur: " + counts[1] + " accepted, " + counts[2] + " rejected");
  }

  /** Single edits of every seed text at fixed seeds: quick, and exactly reproducible. */
  @Test
  void singleEditsAtFixedSeeds() throws Exception {
    List<String> corpus = corpus();
    List<String> failures = new ArrayList<>();
    for (int c = 0; c < corpus.size(); c++) {
      for (long s = 0; s < 40; s++) {
        Random r = new Random(c * 1000 + s);
        String text = mutateOnce(corpus.get(c), r);
        Outcome o = run(text);
        if (o.failure != null && failures.size() < MAX_REPORTED) {
          failures.add("seed text " + c + ", edit seed " + (c * 1000 + s) + "\n" + o.failure
              + "\n--- mutant ---\n" + text + "\n--------------");
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " failures:\n\n" + String.join("\n\n", failures));
    }
  }
}
