package dev.bpnet.dsl.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bpnet} command. Exit codes: 0 success, 1 errors in the model or the data,
 * 2 usage errors, 3 an internal failure (reported in one line, never a stack trace).
 */
@Command(name = "bpnet", mixinStandardHelpOptions = true, version = "bpnet 0.1.0",
    description = "Compiles .bpnet models and their learning rules into Java training code on ND4J.",
    subcommands = {CheckCommand.class, CompileCommand.class, ShowCommand.class, ParamsCommand.class,
        GradientsCommand.class, GraphCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int MODEL_ERRORS = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command (check, compile, show, params, gradients, graph, train)");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      String input = String.join(" ", args);
      String what = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
      err.println("bpnet: internal error while running 'bpnet " + input + "': " + what.replace('\n', ' '));
      err.flush();
      return INTERNAL;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
