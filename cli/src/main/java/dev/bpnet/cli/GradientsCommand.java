package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.DataException;
import dev.bpnet.runtime.io.Npz;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bpnet gradients FILE --params P.npz --batch B.npz --out G.npz}: losses and per-pass
 * gradients of one batch, to debug a learning rule. Parameters missing from P.npz are
 * initialised from the model's seed.
 */
@Command(name = "gradients", mixinStandardHelpOptions = true, description = "Writes loss, input_loss, grad2/<param>, grad3/<param> and direction/<param> of one batch to an .npz file.")
final class GradientsCommand extends ModelCommand {
  @Option(names = "--params", paramLabel = "P.npz", description = "parameter values by name (missing ones: initialised from the model's seed)")
  Path params;

  @Option(names = "--batch", required = true, paramLabel = "B.npz", description = "the batch: inputs and labels by their names in the model")
  Path batch;

  @Option(names = "--out", required = true, paramLabel = "G.npz", converter = OutputPaths.FileArgument.class, description = "the file to write")
  Path outFile;

  @Override
  String usageProblem() {
    return OutputPaths.fileProblem("--out", outFile, file, batch, params);
  }

  @Override
  int run(SourceFile src) {
    TrainingGraph tg = compile(src);
    DataType dt = TrainerLoader.dataType(tg.program().train().dtype());
    Trainer t = TrainerLoader.instantiate(tg, dt, tg.program().train().seed());
    try {
      List<String> problems = new ArrayList<>();
      if (params != null) {
        load(t, Npz.read(params), problems);
      }
      Map<String, INDArray> feeds = feeds(t, tg, Npz.read(batch), problems);
      if (!problems.isEmpty()) {
        problems.forEach(p -> err().println("error: " + p));
        return Main.MODEL_ERRORS;
      }
      Gradients g = t.gradients(feeds);
      Map<String, INDArray> out = new LinkedHashMap<>();
      out.put("loss", Nd4j.scalar(dt, g.loss()));
      boolean inputLoss = !Double.isNaN(g.inputLoss());
      if (inputLoss) {
        out.put("input_loss", Nd4j.scalar(dt, g.inputLoss()));
      }
      g.pass2().forEach((k, v) -> out.put("grad2/" + k, v));
      g.pass3().forEach((k, v) -> out.put("grad3/" + k, v));
      g.direction().forEach((k, v) -> out.put("direction/" + k, v));
      Npz.write(outFile, out);
      out().printf("wrote %s: loss %.6g, %s, %d arrays%n", outFile, g.loss(), inputLoss
          ? String.format("input_loss %.6g", g.inputLoss())
          : "input_loss not written (l_x comes from the third pass; this model has passes = 2)", out.size());
      return Main.OK;
    } catch (DataException | IllegalArgumentException e) {
      err().println("error: " + e.getMessage());
      return Main.MODEL_ERRORS;
    }
  }

  private static void load(Trainer t, Map<String, INDArray> given, List<String> problems) {
    Map<String, INDArray> live = t.parameters();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    live.forEach((k, v) -> shapes.put(k, v.shape()));
    List<String> found = dev.bpnet.runtime.io.ParamsFile.problems(shapes, given, "--params", false);
    problems.addAll(found);
    if (found.isEmpty()) {
      given.forEach((k, v) -> live.get(k).assign(v.castTo(live.get(k).dataType())));
    }
  }

  /**
   * The batch's arrays for the model's inputs and labels, as the trainer's data type. Class
   * indices (an integer vector) for a one-hot label become one-hot rows, as {@code train} reads
   * them. Arrays the model does not use and arrays of another floating type are warned about.
   */
  private Map<String, INDArray> feeds(Trainer t, TrainingGraph tg, Map<String, INDArray> batch, List<String> problems) {
    Map<String, INDArray> feeds = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(t.inputNames());
    names.addAll(t.labelNames());
    for (String n : names) {
      INDArray a = batch.get(n);
      if (a == null) {
        problems.add("--batch has no array '" + n + "'; it holds " + batch.keySet() + " and the model needs " + names);
        continue;
      }
      int classes = t.labelNames().contains(n) ? tg.program().labels().stream().filter(l -> l.name().equals(n))
          .findFirst().map(l -> l.shape().rank() - l.shape().batchDims() == 1 ? l.shape().dim(-1) : 0).orElse(0) : 0;
      if (a.dataType().isIntType() && classes > 1 && (a.rank() == 1 || a.rank() == 2 && a.size(1) == 1)) {
        try {
          a = dev.bpnet.runtime.data.Labels.oneHot(a.toIntVector(), classes, "--batch array '" + n + "'", t.dataType());
        } catch (DataException e) {
          problems.add(e.getMessage());
          continue;
        }
      } else if (a.dataType().isFPType() && a.dataType() != t.dataType()) {
        err().println("warning: --batch array '" + n + "' is " + a.dataType().name().toLowerCase(java.util.Locale.ROOT)
            + " and the model computes in " + t.dataType().name().toLowerCase(java.util.Locale.ROOT) + ": its values are "
            + (a.dataType().width() < t.dataType().width() ? "widened (they carry only the precision they were stored with)" : "rounded"));
      }
      feeds.put(n, a.castTo(t.dataType()));
    }
    for (String k : batch.keySet()) {
      if (!names.contains(k)) {
        err().println("warning: --batch array '" + k + "' is not an input or label of the model; ignored (it needs " + names + ")");
      }
    }
    return feeds;
  }
}
