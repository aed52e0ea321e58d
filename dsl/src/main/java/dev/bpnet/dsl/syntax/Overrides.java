package dev.bpnet.dsl.syntax;

import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.ErrorCode;
import dev.bpnet.dsl.diag.Pos;
import java.util.ArrayList;
import java.util.List;

/**
 * Train options given on the command line, {@code --set NAME=VALUE}: each is read as the line
 * {@code NAME = VALUE} of a train block, with the same parser, defaults and diagnostics, and
 * replaces the option of that name in every train block of the file. Diagnostics point into
 * the pseudo-file {@value #FILE}, one line per setting in the order given, whose text is
 * {@link #text()}: {@code --set:2:7} is the seventh character of the second setting.
 */
public record Overrides(List<String> settings) {
  /** The file name diagnostics of a setting carry. */
  public static final String FILE = "--set";

  public static final Overrides NONE = new Overrides(List.of());

  public Overrides {
    settings = List.copyOf(settings);
  }

  public boolean isEmpty() {
    return settings.isEmpty();
  }

  /** The settings one per line, as diagnostics' positions count them. */
  public String text() {
    return String.join("\n", settings);
  }

  /** These settings, then {@code more}; a later setting of the same option replaces an earlier one. */
  public Overrides then(List<String> more) {
    List<String> all = new ArrayList<>();
    for (String s : settings) {
      if (more.stream().noneMatch(m -> name(m).equals(name(s)))) {
        all.add(s);
      }
    }
    all.addAll(more);
    return new Overrides(all);
  }

  /** The option name a setting gives (the text before '=', trimmed), or the whole text if it has no '='. */
  public static String name(String setting) {
    int eq = setting.indexOf('=');
    return (eq < 0 ? setting : setting.substring(0, eq)).strip();
  }

  /** The command line that gives these settings: {@code --set 'alpha=0.5' ...}. */
  public String commandLine() {
    return String.join(" ", settings.stream().map(s -> "--set '" + s.replace("'", "'\\''") + "'").toList());
  }

  /**
   * The settings as train-block options; syntax errors (and a setting without '=') are added to
   * {@code diag}, and those settings left out.
   */
  List<TrainOptions.Option> options(Diagnostics diag) {
    List<TrainOptions.Option> out = new ArrayList<>();
    for (int i = 0; i < settings.size(); i++) {
      String s = settings.get(i);
      int line = i + 1;
      int eq = s.indexOf('=');
      String name = name(s);
      int nameCol = s.indexOf(name.isEmpty() ? s : name) + 1;
      if (eq < 0 || name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z_0-9]*")) {
        diag.error(ErrorCode.E12, new Pos(FILE, line, Math.max(1, nameCol), Math.max(1, s.length())),
            "a setting is NAME=VALUE, a train option and its value as in a train block, such as alpha=0.5 or"
                + " optimizer='adam(lr = 0.001)'; got '" + s + "'");
        continue;
      }
      if (s.substring(eq + 1).isBlank()) {
        diag.error(ErrorCode.E12, new Pos(FILE, line, eq + 1, 1), "'" + name + "=' needs a value, as in "
            + name + "=... in a train block");
        continue;
      }
      try {
        Expr value = Fragments.expr(FILE, line, eq + 2, s.substring(eq + 1));
        out.add(new TrainOptions.Option(name, value, new Pos(FILE, line, nameCol, name.length())));
      } catch (CompileException e) {
        e.diagnostics().forEach(diag::add);
      }
    }
    return out;
  }

  /**
   * A train block's options with these settings applied: an option a setting names is removed
   * from the block (every occurrence: the block's own duplicates are then no longer reported),
   * and the settings follow, in their order.
   */
  List<TrainOptions.Option> applyTo(List<TrainOptions.Option> block, List<TrainOptions.Option> given) {
    if (given.isEmpty()) {
      return block;
    }
    List<TrainOptions.Option> out = new ArrayList<>();
    for (TrainOptions.Option o : block) {
      if (given.stream().noneMatch(g -> g.name().equals(o.name()))) {
        out.add(o);
      }
    }
    out.addAll(given);
    return out;
  }
}
