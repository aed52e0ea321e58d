package dev.bpnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduce/ scripts (REPRODUCTIONS.md), run by bash as a user runs them: every script's
 * sweeps compile (its --check setting: bpnet sweep --dry-run of each, so no model file, model
 * name or grid value rots), every model file there is used by a script, and every script's --quick
 * setting runs end to end: each sweep of its default setting is run, over its settings or (where
 * one run is costly) at least two of them, and writes summary.md, summary.csv and summary.png with a
 * row per setting over all its seeds (their figures are the runs', checked by SweepTest, not here).
 *
 * <p>$BPNET is a small bash command that hands its arguments to this JVM's CLI ({@link Main#run})
 * over a local socket and prints what it prints: one warm JVM for the scripts' 40-odd bpnet calls
 * instead of a JVM (and a cold javac) each, which cost most of their time. Two scripts run at once,
 * one per core of a CI machine; each sweep runs its runs in process, one after another.
 */
class ReproduceScriptsTest {
  private static final Path REPRODUCE = Path.of("../reproduce");
  /** A sweep's first line: {@code sweep of FILE: [M models x ]C combinations x S seeds = N runs in DIR; ...}. */
  private static final Pattern SWEEP = Pattern.compile(
      "(?m)^sweep of \\S+: (?:(\\d+) models x )?(\\d+) combinations? x (\\d+) seeds? = (\\d+) runs in (\\S+)/runs;");
  /** What lib.sh prints before each sweep: {@code == NAME: bpnet sweep FILE ARGS}. */
  private static final Pattern NAMED = Pattern.compile("(?m)^== (\\w+): bpnet sweep (.*)$");
  private static final Pattern GRID = Pattern.compile("--grid (\\w+)=");

  @TempDir
  static Path tmp;

  private static Served bpnet;

  @BeforeAll
  static void serve() throws IOException {
    bpnet = new Served(tmp);
  }

  @AfterAll
  static void stop() throws IOException {
    bpnet.close();
  }

  record Ran(int code, String output) {}

  private static Ran run(Path script, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(options));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("BPNET", bpnet.command.toString());
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    reader.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    reader.join();
    return new Ran(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }

  private static List<Path> scripts() throws Exception {
    try (var s = Files.list(REPRODUCE)) {
      return s.filter(p -> p.toString().endsWith(".sh") && !p.getFileName().toString().equals("lib.sh")).sorted().toList();
    }
  }

  /** A sweep as a script's output shows it: its name, command line, settings (models x combinations) and seeds. */
  record Sweep(String name, String command, int settings, int seeds, Path dir) {}

  private static List<Sweep> sweeps(Path script, Ran r) {
    List<Sweep> out = new ArrayList<>();
    Matcher named = NAMED.matcher(r.output());
    Matcher sweep = SWEEP.matcher(r.output());
    while (named.find()) {
      assertTrue(sweep.find(named.end()), script + ": sweep " + named.group(1) + " did not start:\n" + r.output());
      int models = sweep.group(1) == null ? 1 : Integer.parseInt(sweep.group(1));
      out.add(new Sweep(named.group(1), named.group(2), models * Integer.parseInt(sweep.group(2)),
          Integer.parseInt(sweep.group(3)), Path.of(sweep.group(5))));
    }
    return out;
  }

  /** Each script's --check, run once for both tests. */
  private static final Map<Path, Ran> CHECKED = new ConcurrentHashMap<>();

  private static Ran check(Path script) throws Exception {
    Ran r = CHECKED.get(script);
    if (r == null) {
      r = run(script, "--check", "--out", tmp.resolve("check").resolve(script.getFileName().toString()).toString());
      CHECKED.put(script, r);
    }
    return r;
  }

  @Test
  void everyScriptsSweepsCompileAndEveryModelFileIsUsed() throws Exception {
    List<Path> scripts = scripts();
    assertTrue(scripts.size() >= 6, "a script per paper result: " + scripts);
    StringBuilder all = new StringBuilder();
    for (Path script : scripts) {
      Ran r = check(script);
      assertEquals(0, r.code(), script + ":\n" + r.output());
      long sweeps = r.output().lines().filter(l -> l.startsWith("== ")).count();
      long compiled = r.output().lines().filter(l -> l.startsWith("dry run: every combination compiles")).count();
      assertTrue(sweeps > 0 && sweeps == compiled, script + ": every sweep compiles:\n" + r.output());
      assertEquals(sweeps, sweeps(script, r).size(), script + ": every sweep lists its runs:\n" + r.output());
      all.append(Files.readString(script));
    }
    assertTrue(!Files.exists(tmp.resolve("check")) || Files.walk(tmp.resolve("check")).noneMatch(p -> p.endsWith("runs")),
        "--check trains nothing");
    try (var s = Files.list(REPRODUCE)) {
      for (Path model : s.filter(p -> p.toString().endsWith(".bpnet")).toList()) {
        assertTrue(all.toString().contains(model.getFileName().toString()), model + " is used by no script");
      }
    }
  }

  /**
   * Every script's --quick, two at a time (the scripts that train most first): each of the
   * default setting's sweeps runs over its settings (at least two of them), and writes its summaries with a row per
   * setting, each over all the sweep's seeds, and a column per axis, then the figures' means and
   * standard deviations. The quick settings use data that is always there (the bundled MNIST
   * subset in Fashion-MNIST's place), so no script is skipped for want of a data set.
   */
  @Test
  void everyScriptsQuickSettingRunsEverySweepAndWritesItsSummaries() throws Exception {
    List<Path> scripts = new ArrayList<>(scripts());
    Map<Path, List<Sweep>> full = new LinkedHashMap<>();
    for (Path script : scripts) {
      Ran r = check(script);
      assertEquals(0, r.code(), script + ":\n" + r.output());
      full.put(script, sweeps(script, r));
    }
    scripts.sort(java.util.Comparator.comparingInt((Path s) -> -full.get(s).stream().mapToInt(Sweep::settings).sum()));
    ExecutorService lanes = Executors.newFixedThreadPool(2);
    Map<Path, Future<Ran>> quick = new LinkedHashMap<>();
    Map<Path, Long> seconds = new ConcurrentHashMap<>();
    try {
      for (Path script : scripts) {
        quick.put(script, lanes.submit(() -> {
          long t0 = System.nanoTime();
          Ran r = run(script, "--quick", "--out", tmp.resolve("quick").resolve(script.getFileName().toString()).toString());
          seconds.put(script, (System.nanoTime() - t0) / 1_000_000_000L);
          return r;
        }));
      }
      for (Path script : scripts) {
        Ran r = quick.get(script).get();
        assertEquals(0, r.code(), script + " --quick:\n" + r.output());
        assertFalse(r.output().contains("not installed"), script + " --quick needs no data set to be installed:\n" + r.output());
        List<Sweep> ran = sweeps(script, r);
        assertEquals(full.get(script).stream().map(Sweep::name).toList(), ran.stream().map(Sweep::name).toList(),
            script + ": --quick runs the default setting's sweeps:\n" + r.output());
        for (int i = 0; i < ran.size(); i++) {
          Sweep s = ran.get(i);
          int all = full.get(script).get(i).settings();
          assertTrue(s.settings() <= all && s.settings() >= Math.min(2, all), script + " " + s.name() + ": --quick sweeps "
              + s.settings() + " of the default setting's " + all + " settings (models x grid values), at least two");
          summaries(script, s);
        }
      }
    } finally {
      lanes.shutdownNow();
    }
    System.out.println("reproduce/ --quick, seconds each (two at a time): " + seconds);
  }

  /** A sweep's summaries: the table's rows and columns (not its figures) and the bands' PNG. */
  private static void summaries(Path script, Sweep s) throws IOException {
    String what = script.getFileName() + " " + s.name();
    List<String> axes = new ArrayList<>();
    if (s.command().contains("--models ")) {
      axes.add("model");
    }
    Matcher g = GRID.matcher(s.command());
    while (g.find()) {
      axes.add(g.group(1));
    }
    List<String> csv = Files.readAllLines(s.dir().resolve(SweepSummary.CSV));
    assertEquals(1 + s.settings(), csv.size(), what + ": a header and a row per setting:\n" + String.join("\n", csv));
    List<String> header = Arrays.asList(csv.get(0).split(",", -1));
    assertEquals(axes, header.subList(0, axes.size()), what + ": a column per axis first: " + header);
    assertEquals("runs", header.get(axes.size()), what + ": " + header);
    List<String> figures = header.subList(axes.size() + 1, header.size());
    assertTrue(figures.size() >= 4 && figures.size() % 2 == 0, what + ": each figure's mean and std: " + header);
    for (int i = 0; i < figures.size(); i += 2) {
      String fig = figures.get(i).replaceFirst("_mean$", "");
      assertEquals(List.of(fig + "_mean", fig + "_std"), figures.subList(i, i + 2), what + ": " + header);
    }
    assertTrue(figures.contains("final_train_loss_mean") && figures.stream().anyMatch(f -> f.startsWith("test_")),
        what + ": the final training loss and the test figure: " + header);
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",", -1);
      assertEquals(header.size(), cells.length, what + ": " + row);
      assertEquals(Integer.toString(s.seeds()), cells[axes.size()], what + ": every seed's run finished: " + row);
    }
    assertEquals(s.settings(), csv.subList(1, csv.size()).stream().distinct().count(), what + ": distinct settings");
    String md = Files.readString(s.dir().resolve(SweepSummary.MARKDOWN));
    assertEquals(2 + s.settings(), md.lines().count(), what + ": the markdown table's header, rule and rows:\n" + md);
    assertNotNull(javax.imageio.ImageIO.read(s.dir().resolve(SweepSummary.PNG).toFile()), what + ": the bands' PNG");
  }

  /**
   * The bpnet command of the scripts under test: a bash script that sends its arguments to this
   * JVM (NUL-separated, after their count) over a local socket and prints the output that
   * {@link Main#run} writes back, then exits with its exit code.
   */
  static final class Served implements AutoCloseable {
    private static final String EXIT = "\u0001bpnet-exit ";
    final Path command;
    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "bpnet-served");
      t.setDaemon(true);
      return t;
    });

    Served(Path dir) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      command = dir.resolve("bpnet");
      Files.writeString(command, String.join("\n",
          "#!/usr/bin/env bash",
          "# bpnet, run by the JVM of ReproduceScriptsTest: the arguments go over a socket, the output comes back",
          "exec 3<>/dev/tcp/127.0.0.1/" + socket.getLocalPort() + " || exit 3",
          "printf '%s\\0' \"$#\" \"$@\" >&3",
          "code=3",
          "mark=$'" + EXIT.replace("\u0001", "\\001") + "'",
          "while IFS= read -r line <&3; do",
          "  case \"$line\" in",
          "    *\"$mark\"*) [ -z \"${line%%\"$mark\"*}\" ] || printf '%s\\n' \"${line%%\"$mark\"*}\"; code=${line##*\"$mark\"} ;;",
          "    *) printf '%s\\n' \"$line\" ;;",
          "  esac",
          "done",
          "exit \"$code\"", ""));
      assertTrue(command.toFile().setExecutable(true));
      pool.submit(this::accept);
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          pool.submit(() -> serve(s));
        } catch (IOException e) {
          return;  // closed
        }
      }
    }

    private static void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        String[] args = new String[Integer.parseInt(token(in))];
        for (int i = 0; i < args.length; i++) {
          args[i] = token(in);
        }
        PrintWriter w = new PrintWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), true);
        int code = Main.run(args, w, w);
        w.print(EXIT + code + "\n");
        w.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static String token(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != 0; c = in.read()) {
        if (c < 0) {
          throw new IOException("the bpnet command's arguments end early");
        }
        b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      pool.shutdownNow();
    }
  }
}
