package dev.bpnet.cli;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.CompileException;
import dev.bpnet.dsl.diag.Diagnostic;
import dev.bpnet.dsl.diag.Diagnostics;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.syntax.Fragments;
import dev.bpnet.dsl.syntax.TrainOptions;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.data.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The commands' data: {@link TrainingData} (the runtime's, which {@code TrainingLoop.run} uses
 * too) for a compiled model, and {@code --data} values written in the train block's syntax
 * ({@code cifar10(crop = 4)}), read as the train block reads them.
 */
final class TrainData {
  private TrainData() {}

  /** {@code name(...)}: a --data value in the train block's syntax (a bare word may be a directory). */
  private static final Pattern EXPRESSION = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*\\s*\\(.*\\)");

  /** See {@link TrainingData#load}; {@code data} may also be a --data value in the train block's syntax. */
  static TrainingData load(String data, Map<String, Double> args, Path modelDir, Program p, DataType dt) {
    return load(data, args, Map.of(), modelDir, p, dt);
  }

  /** As above, with the data's arguments in quotes (a CSV file's label columns: {@code TrainSpec.dataText()}). */
  static TrainingData load(String data, Map<String, Double> args, Map<String, String> text, Path modelDir, Program p,
      DataType dt) {
    if (args.isEmpty() && text.isEmpty() && !TrainOptions.DATA.containsKey(data)
        && EXPRESSION.matcher(data.strip()).matches() && !Files.exists(Path.of(data))) {
      TrainSpec s = parse(data);
      data = s.data();
      args = s.dataArgs();
      text = s.dataText();
    }
    return TrainingData.load(data, args, text, modelDir, target(p), dt);
  }

  /** What the model trains on: its first input and its first label. */
  static TrainingData.Target target(Program p) {
    Map<String, List<Integer>> inputs = new LinkedHashMap<>();
    p.inputs().forEach(l -> inputs.put(l.name(), l.shape().dims().subList(1, l.shape().rank())));
    Map<String, List<Integer>> labels = new LinkedHashMap<>();
    p.labels().forEach(l -> labels.put(l.name(), l.shape().dims().subList(1, l.shape().rank())));
    return TrainingData.Target.of(p.name(), inputs, labels);
  }

  /** A --data value in the train block's syntax, checked as the train block checks it. */
  private static TrainSpec parse(String text) {
    Diagnostics diag = new Diagnostics();
    try {
      TrainSpec s = new TrainOptions(diag).resolve(List.of(
          new TrainOptions.Option("data", Fragments.expr("--data", 1, 1, text), new Pos("--data", 1, 1))));
      if (!diag.hasErrors()) {
        return s;
      }
    } catch (CompileException e) {
      e.diagnostics().forEach(diag::add);
    }
    StringBuilder m = new StringBuilder("--data " + text + ":");
    for (Diagnostic x : diag.all()) {
      m.append(" ").append(x.message()).append(x.hint() == null ? "" : " (" + x.hint() + ")");
    }
    throw new DataException(m.toString());
  }
}
