package dev.bpnet.cli;

import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.IoErrors;
import dev.bpnet.runtime.train.CheckpointException;
import dev.bpnet.runtime.train.NonFiniteException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bpnet} command. Exit codes: 0 success, 1 errors in the model or the data,
 * 2 usage errors (including an output path that cannot be written: a file where a directory is
 * wanted, a directory where a file is, a missing directory), 3 an internal failure (reported in
 * one line, never a stack trace). A file that cannot be read or written while working (permission,
 * disk full) is exit 1.
 */
@Command(name = "bpnet", mixinStandardHelpOptions = true, version = "bpnet 0.1.0",
    description = "Compiles .bpnet models and their learning rules into Java training code on ND4J.",
    subcommands = {CheckCommand.class, CompileCommand.class, ShowCommand.class, ParamsCommand.class,
        GradientsCommand.class, GraphCommand.class, TrainCommand.class, SweepCommand.class, PlotCommand.class, PredictCommand.class,
        EvaluateCommand.class, ExportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int MODEL_ERRORS = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Accepted before or after any command; the bpnet script also exports it as OMP_NUM_THREADS. */
  @CommandLine.Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
      description = "CPU threads for ND4J and OpenBLAS, 1 to 1024 (default: $OMP_NUM_THREADS, which the bpnet script sets to 1 when unset)")
  Integer threads;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command (check, compile, show, params, gradients, graph, train, sweep, plot, predict, evaluate, export)");
  }

  /**
   * The message of a failure that is the user's or the machine's, not a bug: bad data or a bad
   * checkpoint found late, or a file that cannot be read or written (exit 1); null otherwise.
   */
  static String userError(Throwable e) {
    if (e instanceof DataException || e instanceof CheckpointException || e instanceof NonFiniteException
        || e instanceof dev.bpnet.dsl.load.TrainerLoader.TooLarge) {
      return e.getMessage();
    }
    if (e instanceof dev.bpnet.runtime.train.TrainingFailedException && e.getCause() != null
        && userError(e.getCause()) != null) {
      return e.getMessage();  // the cause's words and what the run directory holds
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
        return f.getFile() + ": " + IoErrors.describe(f);
      }
      if (c instanceof java.io.IOException) {
        return IoErrors.describe(c);
      }
    }
    return null;
  }

  /**
   * A usage error: the message, a did-you-mean for an unknown option or command, and the
   * command's one-line synopsis with where to find the options. The full option list (40 lines)
   * would bury the one line that matters; {@code bpnet help CMD} prints it.
   */
  static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine c = e.getCommandLine();
    PrintWriter w = c.getErr();
    if (e instanceof CommandLine.UnmatchedArgumentException u && c.getCommandSpec().parent() == null
        && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
      w.println("error: unknown command '" + u.getUnmatched().get(0) + "'; the commands are "
          + String.join(", ", c.getSubcommands().keySet()));
    } else {
      w.println("error: " + words(e.getMessage()));
    }
    CommandLine.UnmatchedArgumentException.printSuggestions(e, w);
    CommandLine.Help help = c.getHelp();
    w.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
    String name = c.getCommandSpec().qualifiedName();
    w.println(name.equals("bpnet") ? "Run 'bpnet help' for the commands." : "Run 'bpnet help "
        + c.getCommandName() + "' for its options.");
    w.flush();
    return USAGE;
  }

  /** picocli's type names in words: "'99999999999' is not an int" says nothing about the range. */
  static String words(String message) {
    return message.replaceAll("is not an int\\b", "is not a whole number from -2147483648 to 2147483647")
        .replaceAll("is not a long\\b", "is not a whole number that fits in 64 bits")
        .replaceAll("is not a (?:double|float)\\b", "is not a number");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      String user = userError(e);
      if (user != null) {
        err.println("error: " + user);
        err.flush();
        return MODEL_ERRORS;
      }
      // a bug: one line, in words; the class name and trace help no user (BPNET_DEBUG=1 prints them)
      String input = String.join(" ", args);
      String what = e.getMessage() == null ? "unexpected failure" : IoErrors.clean(e.getMessage());
      err.println("bpnet: internal error while running 'bpnet " + input + "': " + what + " (please report this)");
      if (System.getenv("BPNET_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.flush();
      return INTERNAL;
    });
    // Integer.valueOf reads any script's digits ("--epochs ١" would be 1): options take ASCII digits
    CommandLine.ITypeConverter<Integer> ascii = v -> {
      if (!v.matches("[+-]?[0-9]+")) {
        throw new CommandLine.TypeConversionException("'" + v + "' is not a whole number (digits 0-9)");
      }
      try {
        return Integer.valueOf(v);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + v + "' is not a whole number from -2147483648 to 2147483647");
      }
    };
    cl.registerConverter(Integer.class, ascii);
    cl.registerConverter(Integer.TYPE, ascii);
    cl.setParameterExceptionHandler(Main::usageError);
    cl.setExecutionStrategy(parsed -> {
      if (main.threads != null) {
        if (main.threads < 1 || main.threads > dev.bpnet.runtime.Backend.MAX_THREADS) {
          throw new CommandLine.ParameterException(parsed.subcommand() != null ? parsed.subcommand().commandSpec().commandLine()
              : cl, "--threads must be " + (main.threads < 1 ? "at least 1" : "at most " + dev.bpnet.runtime.Backend.MAX_THREADS)
              + ", got " + main.threads);
        }
        dev.bpnet.runtime.Backend.setThreads(main.threads);
      }
      String command = parsed.subcommand() == null ? "" : parsed.subcommand().commandSpec().name();
      String warning = threadsWarning(dev.bpnet.runtime.Backend.threads(), command, System.getenv());
      if (warning != null) {
        err.println(warning);
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The commands that compute for long enough for the thread count to matter. */
  private static final java.util.Set<String> COMPUTING = java.util.Set.of("train", "sweep", "evaluate", "predict");

  /**
   * The warning that more than one thread may be slower, for a command that computes while
   * OpenMP's idle workers spin (Backend.idleWorkersSpin); null otherwise. On 2 free cores, 2
   * threads with spinning workers made the MNIST MLP's steps 2 to 4.6 times slower than 1, and
   * 0.67 to 0.90 times as long with passive ones (BENCHMARKS.md, Threads).
   */
  static String threadsWarning(int threads, String command, java.util.Map<String, String> env) {
    if (threads <= 1 || !COMPUTING.contains(command) || !dev.bpnet.runtime.Backend.idleWorkersSpin(env)) {
      return null;
    }
    return "warning: " + threads + " threads with OpenMP's idle workers spinning: steps can be several times slower"
        + " than with one thread; set OMP_WAIT_POLICY=passive in the environment before Java starts (the bpnet"
        + " script does unless OMP_WAIT_POLICY is set)";
  }
}
