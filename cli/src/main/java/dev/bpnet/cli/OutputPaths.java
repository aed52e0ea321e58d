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
  static String fileProblem(String option, Path file, Path... inputs) {
    for (Path in : inputs) {
      if (in != null && same(file, in)) {
        return option + " " + file + ": is also an input of this command; writing it would destroy it, name another file";
      }
    }
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

  /**
   * What is wrong with {@code dir} as a new run's directory, or null: besides
   * {@link #directoryProblem}, it holds what a run writes (params.npz, metrics.csv, best.npz)
   * without a checkpoint to resume, which a new run would overwrite.
   */
  static String runDirectoryProblem(String option, Path dir) {
    String p = directoryProblem(option, dir);
    if (p != null || !Files.isDirectory(dir) || dev.bpnet.runtime.train.CheckpointStore.exists(dir)) {
      return p;  // a run with a checkpoint is refused later, with how to resume it
    }
    for (String written : java.util.List.of("params.npz", "metrics.csv", "best.npz")) {
      if (Files.exists(dir.resolve(written))) {
        return option + " " + dir + ": already holds " + written + " (and no checkpoint to resume); a new run would"
            + " overwrite it, choose another directory";
      }
    }
    return null;
  }

  /** Whether two paths name one file (through links, or as written when one does not exist yet). */
  private static boolean same(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (java.io.IOException e) {
      // unreadable: compare the names
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  /**
   * Reads an output file option. A trailing separator means a directory, which {@link Path}
   * would drop silently ("out/dir/" would become a file named dir); an empty value is no file.
   */
  static final class FileArgument implements picocli.CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      if (value.isEmpty()) {
        throw new picocli.CommandLine.TypeConversionException("an empty path; name the file to write");
      }
      if (value.endsWith("/") || value.endsWith(java.io.File.separator)) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' names a directory (it ends in '/'); name the file to write");
      }
      return Path.of(value);
    }
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
