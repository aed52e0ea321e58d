package dev.bpnet.dsl.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.api.FeedbackThird;
import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.syntax.Overrides;
import dev.bpnet.dsl.syntax.TrainOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code --set NAME=VALUE}: for every train option, a setting gives the trainer (the whole
 * generated source) and the options of the file edited to say the same; bad settings give the
 * train block's diagnostics, positioned in the settings.
 */
class OverridesTest {

  /** The file's train block. */
  private static final Map<String, String> BASE = ordered(
      "passes", "3", "alpha", "0.8", "third", "paper", "optimizer", "sgd(lr = 0.1)", "batch", "8", "epochs", "2",
      "seed", "7");

  /** A value for every train option, different from the block's and from the default. */
  private static final Map<String, String> VALUES = ordered(
      "passes", "2",
      "alpha", "0.5",
      "third", "exact",
      "optimizer", "adam(lr = 0.001, beta2 = 0.99)",
      "init", "xavier",
      "batch", "16",
      "epochs", "5",
      "seed", "11",
      "dtype", "float64",
      "data", "mnist(train = 100, offset = 5, subset_seed = 3)",
      "schedule", "step(2, factor = 0.5)",
      "alpha_schedule", "linear(to = 1, epochs = 3)",
      "lr_over_alpha", "true",
      "validation", "0.2",
      "clip", "0.5",
      "early_stop", "3",
      "min_delta", "0.01",
      "keep", "best",
      "test_every_epoch", "yes",
      "g3", "w");

  private static String file(Map<String, String> options) {
    String block = options.entrySet().stream().map(e -> "    " + e.getKey() + " = " + e.getValue())
        .collect(Collectors.joining("\n"));
    return """
        model Small {
          input x: [4]
          label y: [3]
          h = tanh(dense(x, 5))
          loss = softmax_cross_entropy(dense(h, 3), y)
          train {
        %s
          }
        }
        """.formatted(block);
  }

  @Test
  void everyOptionOverriddenGivesTheEditedFilesTrainer() {
    assertEquals(List.copyOf(TrainOptions.NAMES), List.copyOf(VALUES.keySet()),
        "every train option has a value to override it with");
    FileCompiler.Checked base = FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE)));
    for (String name : TrainOptions.NAMES) {
      Map<String, String> editedOptions = new LinkedHashMap<>(BASE);
      editedOptions.put(name, VALUES.get(name));
      if (name.equals("alpha_schedule") || name.equals("lr_over_alpha")) {
        editedOptions.put("passes", "3");  // both need three passes, which the block has
      }
      String setting = name + "=" + VALUES.get(name);
      FileCompiler.Checked edited = FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(editedOptions)));
      FileCompiler.Checked set = FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE)),
          new Overrides(List.of(setting)));
      TrainSpec want = edited.model("Small").program().train();
      TrainSpec got = set.model("Small").program().train();
      assertEquals(want, got, setting + ": options");
      assertNotEquals(base.model("Small").program().train(), got, setting + " changes the options");
      assertEquals(source(edited.model("Small")), source(set.model("Small")), setting + ": generated source");
      assertEquals(edited.warnings().stream().map(Diagnostic::code).toList(),
          set.warnings().stream().map(Diagnostic::code).toList(), setting + ": warnings");
    }
  }

  @Test
  void aSettingReachesEveryModelOfTheFile() {
    String two = file(BASE) + """
        model Other {
          input x: [2]
          label y: [2]
          loss = mse(dense(x, 2), y)
        }
        """;
    FileCompiler.Checked set = FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", two),
        new Overrides(List.of("seed=5", "init=xavier")));
    assertEquals(TrainSpec.DEFAULTS.withSeed(5).withInit("xavier"), set.model("Other").program().train());
    assertEquals(5, set.model("Small").program().train().seed());
  }

  @Test
  void settingsApplyInOrderAndALaterOneReplacesAnEarlierOne() {
    Overrides o = new Overrides(List.of("alpha=0.2", "seed=4")).then(List.of("alpha=0.3"));
    assertEquals(List.of("seed=4", "alpha=0.3"), o.settings());
    TrainSpec s = FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE)), o).model("Small").program().train();
    assertEquals(0.3, s.alpha());
    assertEquals(4, s.seed());
  }

  @Test
  void theGeneratedSourceChangesWithTheSetting() {
    // the equality above could hold for a setting that is ignored: here the sources differ
    String before = source(FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE))).model("Small"));
    String after = source(FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE)),
        new Overrides(List.of("alpha=0.5"))).model("Small"));
    assertNotEquals(before, after);
  }

  /** A model with two feedback layers, the first with its own g3 when {@code layer} is not empty. */
  private static String feedbackFile(String layer, String train) {
    return """
        model Fa {
          input x: [4]
          label y: [3]
          h = tanh(dense(x, 5, feedback = random%s))
          loss = softmax_cross_entropy(dense(h, 3, feedback = random_updated), y)
          train {
            passes = 3   alpha = 0.5   optimizer = sgd(lr = 0.1)   batch = 8   %s
          }
        }
        """.formatted(layer.isEmpty() ? "" : ", g3 = " + layer, train);
  }

  /** The generated source without its TRAIN constant (and the import only it uses): the passes, which g3 changes. */
  private static String passes(TrainingGraph tg) {
    String all = source(tg);
    String without = all.replaceAll("(?s)public static final TrainSpec TRAIN = .*?;\n", "")
        .replace("import dev.bpnet.api.FeedbackThird;\n", "");
    assertNotEquals(all, without, "the TRAIN constant was found");
    return without;
  }

  private static TrainingGraph compileFa(String file, String... settings) {
    return FileCompiler.checkWithWarnings(new SourceFile("fa.bpnet", file), new Overrides(List.of(settings))).model("Fa");
  }

  @Test
  void theG3SettingIsTheDefaultOfEveryFeedbackLayerAndALayersOwnWins() {
    for (String to : List.of("b", "w", "none")) {
      TrainingGraph set = compileFa(feedbackFile("", ""), "g3=" + to);
      // as the edited file's train block: the same trainer, TRAIN constant and all
      assertEquals(source(compileFa(feedbackFile("", "g3 = " + to))), source(set), "g3=" + to);
      // as the edited file's layers: the same passes
      String layers = """
          model Fa {
            input x: [4]
            label y: [3]
            h = tanh(dense(x, 5, feedback = random, g3 = %s))
            loss = softmax_cross_entropy(dense(h, 3, feedback = random_updated, g3 = %s), y)
            train {
              passes = 3   alpha = 0.5   optimizer = sgd(lr = 0.1)   batch = 8
            }
          }
          """.formatted(to, to);
      assertEquals(passes(compileFa(layers)), passes(set), "g3=" + to + " against g3 = " + to + " on every layer");
      assertEquals(FeedbackThird.of(to), set.program().train().feedbackThird());
    }
    // the three choices give three different third passes (the equalities above could hold for an ignored setting)
    assertEquals(3, List.of("b", "w", "none").stream().map(to -> passes(compileFa(feedbackFile("", ""), "g3=" + to)))
        .distinct().count());
    // a layer's own g3 wins: its g3 = b stays under g3=w, while the other layer takes w
    TrainingGraph mixed = compileFa(feedbackFile("b", ""), "g3=w");
    String firstB = feedbackFile("b", "").replace("feedback = random_updated)", "feedback = random_updated, g3 = w)");
    assertNotEquals(feedbackFile("b", ""), firstB);
    assertEquals(passes(compileFa(firstB)), passes(mixed));
    assertNotEquals(passes(compileFa(feedbackFile("", ""), "g3=w")), passes(mixed));
  }

  @Test
  void g3WithTwoPassesIsAWarningAsThirdIs() {
    FileCompiler.Checked c = FileCompiler.checkWithWarnings(new SourceFile("fa.bpnet",
        feedbackFile("", "").replace("passes = 3", "passes = 2")), new Overrides(List.of("g3=w")));
    String shown = new DiagnosticPrinter(Map.of()).render(c.warnings()).strip();
    assertEquals("""
        warning(W1): --set:1:1: 'g3 = w' has no effect: passes = 2 (at fa.bpnet:7:5) trains without the third pass
          hint: write passes = 3 to train with the third pass, or leave out 'g3'""", shown);
  }

  /** A bad setting, and the diagnostics it must give (rendered with the settings as source). */
  private record Bad(List<String> settings, String expected) {}

  @Test
  void badSettingsGiveTheTrainBlocksDiagnostics() {
    List<Bad> table = List.of(
        new Bad(List.of("alpha=2"), """
            error(E7): --set:1:7: bad value for option 'alpha': must be between 0 and 1, got 2
                alpha=2
                      ^"""),
        new Bad(List.of("batch=0.5"), """
            error(E7): --set:1:7: bad value for option 'batch': must be a positive integer, got 0.5
                batch=0.5
                      ^^^"""),
        new Bad(List.of("third=exakt"), """
            error(E7): --set:1:7: bad value for option 'third': expected one of paper, exact, got 'exakt'
                third=exakt
                      ^^^^^
              hint: did you mean 'exact'?"""),
        new Bad(List.of("g3=nonee"), """
            error(E7): --set:1:4: bad value for option 'g3': expected one of b, w, none, got 'nonee'
                g3=nonee
                   ^^^^^
              hint: did you mean 'none'?"""),
        new Bad(List.of("g3=0"), """
            error(E7): --set:1:4: bad value for option 'g3': expected one of b, w, none, got this
                g3=0
                   ^"""),
        new Bad(List.of("optimizer=adam(lr = -1)"), """
            error(E55): --set:1:21: optimizer 'adam' requires lr > 0, but lr = -1
                optimizer=adam(lr = -1)
                                    ^^
              hint: see its declaration at optimizers.bpnet:32:3"""),
        new Bad(List.of("optimizer=adam(lr = )"), """
            error(E12): --set:1:21: syntax error: expected an expression, found ')'
                optimizer=adam(lr = )
                                    ^"""),
        new Bad(List.of("alhpa=0.5"), """
            error(E8): --set:1:1: unknown option 'alhpa' for the train block
                alhpa=0.5
                ^^^^^
              hint: did you mean 'alpha'?"""),
        new Bad(List.of("alpha"), """
            error(E12): --set:1:1: syntax error: a setting is NAME=VALUE, a train option and its value as in a train block, \
            such as alpha=0.5 or optimizer='adam(lr = 0.001)'; got 'alpha'
                alpha
                ^^^^^"""),
        new Bad(List.of("seed="), """
            error(E12): --set:1:5: syntax error: 'seed=' needs a value, as in seed=... in a train block
                seed=
                    ^"""),
        new Bad(List.of("alpha=0.1", "alpha=0.2"), """
            error(E19): --set:2:1: duplicate option 'alpha' (first given at --set:1:1)
                alpha=0.2
                ^^^^^"""),
        new Bad(List.of("data=mnist(train = 0, offset = 1.5)"), """
            error(E7): --set:1:20: bad value for option 'mnist.train': must be a fraction between 0 and 1 or a whole number of examples, got 0
                data=mnist(train = 0, offset = 1.5)
                                   ^
            error(E7): --set:1:32: bad value for option 'mnist.offset': must be a whole number of examples to skip, at least 0, got 1.5
                data=mnist(train = 0, offset = 1.5)
                                               ^^^"""),
        new Bad(List.of("passes=2", "alpha_schedule=linear(to = 1, epochs = 3)"), """
            error(E7): --set:2:16: bad value for option 'alpha_schedule': alpha weighs the third pass: it needs passes = 3
                alpha_schedule=linear(to = 1, epochs = 3)
                               ^^^^^^
            warning(W1): m.bpnet:9:5: 'third = paper' has no effect: passes = 2 (at --set:1:1) trains without the third pass
              hint: write passes = 3 to train with the third pass, or leave out 'third'"""));
    for (Bad b : table) {
      Overrides o = new Overrides(b.settings());
      CompileException e = assertThrows(CompileException.class,
          () -> FileCompiler.checkWithWarnings(new SourceFile("m.bpnet", file(BASE)), o), b.settings().toString());
      String shown = new DiagnosticPrinter(Map.of(Overrides.FILE, o.text())).render(e.diagnostics()).strip();
      assertEquals(b.expected(), shown, b.settings().toString());
      assertTrue(e.diagnostics().stream().filter(Diagnostic::isError).allMatch(d -> d.pos().file().equals(Overrides.FILE)),
          shown);
    }
  }

  private static String source(TrainingGraph tg) {
    return FileCompiler.generate(tg, "p").toString();
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
