package dev.bpnet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where trained parameters come from, for the commands that use a trained model: a file or a run. */
final class ParamsSource {
  @Option(names = "--params", required = true, paramLabel = "P.npz", description = "the trained parameters (params.npz of a run)")
  Path params;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "a run directory: the parameters it kept, best.npz if it was trained with keep = best, else params.npz")
  Path run;

  /** The parameters file. */
  Path file() {
    return params != null ? params : dev.bpnet.runtime.io.ParamsFile.inRun(run);
  }

  /** How the file is named in messages. */
  String option() {
    return params != null ? "--params " + params : file().toString();
  }
}
