package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.DiagnosticPrinter;
import dev.bpnet.dsl.syntax.Overrides;
import dev.bpnet.runtime.train.CheckpointStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bpnet sweep FILE --grid alpha=0,0.5 --seeds 3 --out DIR}: every combination of the
 * grid's values, with each seed, trained as its own run ({@code bpnet train --set ... --seed S
 * --out DIR/runs/NAME}), one after another, or {@code --jobs} at once in child processes; then
 * {@link SweepSummary} over the seeds of each combination. Every combination is compiled first, so a bad value stops the sweep before
 * anything trains. Resumable: a run whose checkpoint has all its epochs is kept, one stopped
 * part-way is resumed (bit-identical to an uninterrupted run), one never started is started.
 * {@link SweepProgress} reports the whole sweep as it runs; {@code --dry-run} stops after the
 * compilation and lists the runs (reproduce/'s scripts check their sweeps with it).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Trains every combination of --grid values with each of --seeds seeds, each in its own run directory,"
        + " and writes summary.md and summary.csv (mean and standard deviation over seeds) to --out.")
final class SweepCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the .bpnet file")
  Path file;

  @Option(names = "--model", paramLabel = "NAME", description = "which model of the file (default: the first)")
  String model;

  @Option(names = "--models", paramLabel = "A,B,...", split = ",", description = "sweep these models of the file,"
      + " each with every combination (a column of the summary)")
  List<String> models = new ArrayList<>();

  @Option(names = "--grid", paramLabel = "NAME=V1,V2,...", description = "a train option and the values to try, each as in a"
      + " train block (commas inside parentheses or quotes belong to the value); repeatable: every combination is run")
  List<String> grid = new ArrayList<>();

  @Option(names = "--seeds", paramLabel = "N", description = "run each combination with seeds 1 to N (default: ${DEFAULT-VALUE})")
  int seeds = 1;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a train option for every run, as bpnet train --set")
  List<String> sets = new ArrayList<>();

  @Option(names = "--epochs", paramLabel = "N", description = "epochs of every run (default: the model's)")
  Integer epochs;

  @Option(names = "--jobs", paramLabel = "N", description = "runs at once, each in its own process with its share of"
      + " the threads ($OMP_NUM_THREADS, else the CPUs, divided by N; at least 1) (default: ${DEFAULT-VALUE}: one after another, in this process)")
  int jobs = 1;

  @Option(names = "--dry-run", description = "compile every combination, list the runs and train none")
  boolean dryRun;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the runs (DIR/runs/...) and the summary go")
  Path outDir;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** One run of the sweep: its combination of grid settings, its seed and its directory. */
  record Run(String model, List<String> combination, long seed, Path dir) {
    /** The model and combination, as the epochs are planned. */
    String key() {
      return model + "\n" + combination;
    }

    /** The run's settings as given to bpnet train: the fixed ones, then the combination's, then the seed. */
    List<String> settings(List<String> fixed) {
      List<String> all = new ArrayList<>(fixed);
      all.addAll(combination);
      all.add("seed=" + seed);
      return all;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seeds < 1) {
      err.println("error: --seeds must be at least 1, got " + seeds);
      return Main.USAGE;
    }
    if (jobs < 1) {
      err.println("error: --jobs must be at least 1, got " + jobs);
      return Main.USAGE;
    }
    if (epochs != null && epochs < 1) {
      err.println("error: --epochs must be at least 1, got " + epochs);
      return Main.USAGE;
    }
    String outProblem = OutputPaths.directoryProblem("--out", outDir);
    if (outProblem != null) {
      err.println("error: " + outProblem);
      return Main.USAGE;
    }
    Map<String, List<String>> axes = new LinkedHashMap<>();
    for (String g : grid) {
      int eq = g.indexOf('=');
      String name = eq < 0 ? "" : g.substring(0, eq).strip();
      List<String> values = eq < 0 ? List.of() : splitValues(g.substring(eq + 1));
      if (name.isEmpty() || values.isEmpty() || values.stream().anyMatch(String::isBlank)) {
        err.println("error: --grid " + g + ": expected NAME=V1,V2,... such as --grid alpha=0,0.5,1");
        return Main.USAGE;
      }
      if (axes.put(name, values) != null) {
        err.println("error: --grid " + name + " is given twice; list all its values in one --grid");
        return Main.USAGE;
      }
    }
    SourceFile src;
    try {
      src = SourceFile.read(file);
    } catch (CompileException e) {
      err.print(new DiagnosticPrinter(Map.of()).render(e.diagnostics()));
      return Main.MODEL_ERRORS;
    }
    if (model != null && !models.isEmpty()) {
      err.println("error: --model and --models: give the models in --models only");
      return Main.USAGE;
    }
    List<String> modelNames = models.isEmpty() ? java.util.Collections.singletonList(model) : models;
    List<List<String>> combinations = combinations(new ArrayList<>(axes.entrySet()));
    // every combination compiles before anything trains; a bad value is the train block's diagnostic
    Map<String, Integer> plannedEpochs = new LinkedHashMap<>();
    for (String name : modelNames) {
      for (List<String> c : combinations) {
        List<String> settings = new ArrayList<>(sets);
        settings.addAll(c);
        Overrides o = new Overrides(settings);
        try {
          TrainingGraph tg = FileCompiler.checkWithWarnings(src, o).model(name);
          plannedEpochs.put(name + "\n" + c, epochs != null ? epochs : tg.program().train().epochs());
        } catch (CompileException e) {
          err.print(new DiagnosticPrinter(Map.of(src.name(), src.text(), Overrides.FILE, o.text())).render(e.diagnostics()));
          err.println(DiagnosticPrinter.summary(e.diagnostics()) + " (with " + o.commandLine() + ")");
          return ModelCommand.usage(e) ? Main.USAGE : Main.MODEL_ERRORS;
        }
      }
    }
    List<Run> runs = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (String name : modelNames) {
      for (List<String> c : combinations) {
        for (long s = 1; s <= seeds; s++) {
          String dir = (models.isEmpty() ? "" : "model=" + name + ",") + dirName(c, s);
          String unique = dir;
          for (int k = 2; !names.add(unique); k++) {
            unique = dir + "-" + k;
          }
          runs.add(new Run(name, c, s, outDir.resolve("runs").resolve(unique)));
        }
      }
    }
    List<Run> todo = new ArrayList<>();
    for (Run r : runs) {
      if (!finished(r, plannedEpochs.get(r.key()))) {
        todo.add(r);
      }
    }
    out.printf("sweep of %s: %s%d combination%s x %d seed%s = %d runs in %s; %s%n", file,
        models.isEmpty() ? "" : models.size() + " models x ", combinations.size(), combinations.size() == 1 ? "" : "s", seeds, seeds == 1 ? "" : "s", runs.size(), outDir.resolve("runs"),
        todo.isEmpty() ? "all finished" : todo.size() == runs.size() ? "running all" : todo.size() + " to run (the others are finished)");
    if (dryRun) {
      for (Run r : runs) {
        out.println("  " + outDir.relativize(r.dir()) + (todo.contains(r) ? "" : " (finished)"));
      }
      out.println("dry run: every combination compiles; nothing trained");
      return Main.OK;
    }
    out.flush();
    List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    // a line redrawn in place only on a terminal; plain lines elsewhere (a log, a pipe, a test)
    SweepProgress progress = new SweepProgress(out, todo.size(), System.console() != null, System::nanoTime);
    // --jobs > 1: each run in its own JVM (ND4J's native state is per process), the threads divided among them
    int threads = Math.max(1, threadsEach());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, jobs));
    List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
    for (Run r : todo) {
      pending.add(pool.submit(() -> {
        Files.createDirectories(r.dir());
        progress.started();
        boolean resume = CheckpointStore.exists(r.dir());
        List<String> args = new ArrayList<>(List.of("train", file.toString()));
        if (r.model() != null) {
          args.addAll(List.of("--model", r.model()));
        }
        for (String s : r.settings(sets)) {
          args.addAll(List.of("--set", s));
        }
        args.addAll(List.of("--epochs", Integer.toString(plannedEpochs.get(r.key()))));
        args.addAll(List.of(resume ? "--resume" : "--out", r.dir().toString(), "--no-live"));
        String log;
        int code;
        if (jobs > 1) {
          Path logFile = Files.createTempFile(r.dir(), ".train", ".log");
          List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
              System.getProperty("java.class.path"), Main.class.getName()));
          cmd.addAll(args);
          ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
          pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
          code = pb.start().waitFor();
          log = Files.readString(logFile);
          Files.delete(logFile);
        } else {
          StringWriter w = new StringWriter();
          try (PrintWriter pw = new PrintWriter(w, true)) {
            code = Main.run(args.toArray(String[]::new), pw, pw);
          }
          log = w.toString();
        }
        Files.writeString(r.dir().resolve("train.log"), log, resume ? java.nio.file.StandardOpenOption.APPEND
            : java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE);
        String last = log.lines().filter(l -> l.startsWith("epoch ")).reduce((a, b) -> b).orElse("");
        progress.finished(outDir.relativize(r.dir()) + (resume ? " (resumed)" : "") + ": "
            + (code == 0 ? last : "failed, exit " + code + ": see " + r.dir().resolve("train.log")));
        if (code != 0) {
          failed.add(r.dir().toString());
        }
        return null;
      }));
    }
    pool.shutdown();
    try (progress) {
      for (java.util.concurrent.Future<?> f : pending) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception x ? x : e;
        }
      }
    }
    List<Run> finishedRuns = runs.stream().filter(r -> finished(r, plannedEpochs.get(r.key()))).toList();
    List<String> columns = new ArrayList<>(axes.keySet());
    if (!models.isEmpty()) {
      columns.add(0, "model");
    }
    SweepSummary summary = SweepSummary.of(columns, finishedRuns, !models.isEmpty());
    summary.write(outDir);
    boolean plotted = SweepSummary.plot(outDir, columns, finishedRuns, !models.isEmpty());
    out.println("wrote " + outDir.resolve(SweepSummary.MARKDOWN) + ", " + outDir.resolve(SweepSummary.CSV)
        + (plotted ? " and " + outDir.resolve(SweepSummary.PNG) : "") + " (" + finishedRuns.size() + " of " + runs.size() + " runs)");
    out.print(summary.markdown());
    if (!failed.isEmpty()) {
      err.println("error: " + failed.size() + " run" + (failed.size() == 1 ? "" : "s") + " failed: " + String.join(", ", failed));
      return Main.MODEL_ERRORS;
    }
    return Main.OK;
  }

  /** The threads of each of --jobs processes: $OMP_NUM_THREADS (else the CPUs) divided among them. */
  private int threadsEach() {
    String env = System.getenv("OMP_NUM_THREADS");
    int total = Runtime.getRuntime().availableProcessors();
    if (env != null && env.matches("[1-9][0-9]*")) {
      total = Integer.parseInt(env);
    }
    return total / jobs;
  }

  /**
   * Whether the run's checkpoint has all {@code epochs} epochs, or early stopping ended it; read
   * from the checkpoint's json (a run whose npz is damaged is resumed, which reports it).
   */
  static boolean finished(Run r, int epochs) {
    CheckpointStore.Progress p = CheckpointStore.progress(r.dir());
    return p != null && (p.epoch() >= epochs || p.stoppedEarly());
  }

  /** Every combination of one value per axis, the first axis slowest; one empty combination for no axes. */
  static List<List<String>> combinations(List<Map.Entry<String, List<String>>> axes) {
    List<List<String>> out = new ArrayList<>();
    out.add(List.of());
    for (Map.Entry<String, List<String>> a : axes) {
      List<List<String>> next = new ArrayList<>();
      for (List<String> c : out) {
        for (String v : a.getValue()) {
          List<String> more = new ArrayList<>(c);
          more.add(a.getKey() + "=" + v);
          next.add(more);
        }
      }
      out = next;
    }
    return out;
  }

  /** {@code 0, 0.5, adam(lr = 0.1, beta1 = 0.9)}: split at commas outside parentheses and quotes. */
  static List<String> splitValues(String text) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder cur = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '[')) {
        depth++;
      } else if (!quoted && (c == ')' || c == ']')) {
        depth--;
      }
      if (c == ',' && depth == 0 && !quoted) {
        out.add(cur.toString().strip());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString().strip());
    return out;
  }

  /** A directory name for a run: its settings and seed, characters other than letters, digits and . = - as _. */
  static String dirName(List<String> combination, long seed) {
    List<String> parts = new ArrayList<>();
    for (String s : combination) {
      parts.add(s.replace(" ", ""));
    }
    parts.add("seed=" + seed);
    return String.join(",", parts).replaceAll("[^A-Za-z0-9.=,_-]", "_");
  }
}
