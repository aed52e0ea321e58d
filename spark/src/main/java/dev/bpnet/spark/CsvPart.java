package dev.bpnet.spark;

import dev.bpnet.runtime.data.Csv;
import dev.bpnet.runtime.data.DataException;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A large CSV file read in parts, so that several executors read one file: byte ranges aligned to
 * line starts, as Hadoop's line reader splits text. A part [start, end) holds the lines that
 * start inside it: its reader skips the line it begins in the middle of (none if byte start - 1
 * ends a line) and reads on through the end of the line that crosses {@code end}; line starts
 * lie in exactly one range, so every line is read once, by one part. A line ends at a newline
 * byte, which UTF-8 never uses inside a character, so a part decodes on its own. The header is
 * decided once, on the driver, from the file's first non-blank line ({@link Csv#isHeader}), and
 * the parts cover the bytes after it, each read without a header; an error in a part names the
 * line of the file (lines before the part are counted then, only on error).
 */
final class CsvPart {
  private CsvPart() {}

  /**
   * The parts of {@code files}: a file of at most {@code bytes} bytes whole, a larger one in
   * ranges of {@code bytes} after its header. {@code bytes} 0: Spark's rule for files, min(maxPartitionBytes,
   * max(openCostInBytes, all bytes / default parallelism)).
   */
  static List<StreamedData.Part> parts(JavaSparkContext sc, List<String> files, Csv.Header header, long bytes) {
    Configuration conf = sc.hadoopConfiguration();
    long[] sizes = new long[files.size()];
    try {
      for (int i = 0; i < sizes.length; i++) {
        Path p = new Path(files.get(i));
        sizes[i] = p.getFileSystem(conf).getFileStatus(p).getLen();
      }
      if (bytes <= 0) {
        long open = sc.getConf().getSizeAsBytes("spark.sql.files.openCostInBytes", "4m");
        long max = sc.getConf().getSizeAsBytes("spark.sql.files.maxPartitionBytes", "128m");
        long total = java.util.Arrays.stream(sizes).sum() + open * sizes.length;
        bytes = Math.min(max, Math.max(open, total / Math.max(1, sc.defaultParallelism())));
      }
      List<StreamedData.Part> parts = new ArrayList<>();
      for (int i = 0; i < sizes.length; i++) {
        String f = files.get(i);
        long start = sizes[i] <= bytes ? sizes[i] : dataStart(new Path(f), conf, header);
        if (start >= sizes[i]) {  // small, or a header alone (the reader says so)
          parts.add(StreamedData.Part.whole(f));
          continue;
        }
        for (long s = start; s < sizes[i]; s += bytes) {
          parts.add(new StreamedData.Part(f, s, Math.min(sizes[i], s + bytes), false));
        }
      }
      return parts;
    } catch (IOException e) {
      throw new DataException(String.join(", ", files) + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** The first byte after the header line, or 0 if the file's first non-blank line is data. */
  private static long dataStart(Path p, Configuration conf, Csv.Header header) throws IOException {
    try (InputStream in = new BufferedInputStream(p.getFileSystem(conf).open(p), 1 << 16)) {
      long pos = 0;
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int n = line(in, line); n > 0; n = line(in, line)) {
        pos += n;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!text.isBlank()) {
          return Csv.isHeader(text.strip(), header) ? pos : 0;
        }
      }
      return pos;
    }
  }

  /**
   * The table of {@code part}'s lines, read by the runtime's CSV reader (a whole file with
   * {@code options}, a range of one without a header), or null for a range that holds no data
   * line (a line longer than the range starts before it).
   */
  static Csv.Table read(StreamedData.Part part, Csv.Options options, Configuration conf) throws IOException {
    Path p = new Path(part.file());
    FileSystem fs = p.getFileSystem(conf);
    if (part.isWhole()) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8.newDecoder()))) {
        return Csv.table(in, part.file(), options);
      } catch (IOException e) {
        throw new DataException(part.file() + ": cannot read: " + e.getMessage(), e);
      }
    }
    long first;
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    try (FSDataInputStream raw = fs.open(p)) {
      long pos = part.start();
      if (pos > 0) {
        raw.seek(pos - 1);
      }
      InputStream in = new BufferedInputStream(raw, 1 << 16);
      if (pos > 0) {
        // through the newline at or after start - 1: pos is then the first line start at or after start
        pos += line(in, new ByteArrayOutputStream()) - 1;
      }
      first = pos;
      while (pos < part.end()) {
        int n = line(in, lines);
        if (n == 0) {
          break;
        }
        pos += n;
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(lines.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new DataException(part.file() + ": not a text file (not valid UTF-8); a CSV file holds "
          + "comma-separated numbers, one example a line", e);
    }
    if (text.isBlank()) {
      return null;
    }
    try {
      return Csv.table(new BufferedReader(new StringReader(text)), part.file(), new Csv.Options(options.labels(),
          Csv.Header.NO));
    } catch (DataException e) {
      throw relocated(e, part.file(), first, fs, p);
    }
  }

  /** An error at line n of a part, as at its line of the file: the lines before the part counted. */
  private static DataException relocated(DataException e, String file, long first, FileSystem fs, Path p)
      throws IOException {
    Matcher m = Pattern.compile(Pattern.quote(file) + ":(\\d+)(.*)", Pattern.DOTALL).matcher(e.getMessage());
    if (!m.matches()) {
      return e;
    }
    long before = 0;
    try (InputStream in = new BufferedInputStream(fs.open(p), 1 << 16)) {
      for (long i = 0; i < first; i++) {
        if (in.read() == '\n') {
          before++;
        }
      }
    }
    return new DataException(file + ":" + (Long.parseLong(m.group(1)) + before) + m.group(2), e);
  }

  /** Reads one line's bytes, through its newline, into {@code out}; the bytes read (0 at the end of the stream). */
  private static int line(InputStream in, ByteArrayOutputStream out) throws IOException {
    int n = 0;
    for (int b = in.read(); b >= 0; b = in.read()) {
      out.write(b);
      n++;
      if (b == '\n') {
        break;
      }
    }
    return n;
  }
}
