package dev.bpnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks an output path of the command line before any work is done, so that a path that
 * cannot be written is one line naming it and what is wrong (exit 2, a usage error: the fix is
 * another path), not a failure after minutes of training or a library's exception.
 */
final class OutputPaths {
  private OutputPaths() {}

  /**
   * What is wrong with {@code dir} as a directory to write into (created if missing, with its
   * parents), or null: it, or a directory above it, is an existing file.
   */
  static String directoryProblem(String option, Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return option + " " + dir + ": is a file, not a directory; name a directory to write into";
    }
    Path above = fileAbove(dir);
    if (above != null) {
      return option + " " + dir + ": cannot create the directory, " + above + " is a file";
    }
    return null;
  }

  /**
   * What is wrong with {@code file} as a file to write, or null: it is a directory, or its
   * directory is missing or is a file. The directory is not created: a typo in it would
   * otherwise scatter output.
   */
  static String fileProblem(String option, Path file) {
    if (Files.isDirectory(file)) {
      return option + " " + file + ": is a directory; name the file to write";
    }
    Path parent = file.toAbsolutePath().normalize().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Path above = fileAbove(parent);
      if (Files.exists(parent) || above != null) {
        return option + " " + file + ": cannot write there, " + (above != null ? above : parent) + " is a file, not a directory";
      }
      return option + " " + file + ": directory " + parent + " does not exist";
    }
    return null;
  }

  /** The nearest existing path at or above {@code p}'s parent, if that is not a directory. */
  private static Path fileAbove(Path p) {
    for (Path q = p.toAbsolutePath().normalize().getParent(); q != null; q = q.getParent()) {
      if (Files.exists(q)) {
        return Files.isDirectory(q) ? null : q;
      }
    }
    return null;
  }
}
