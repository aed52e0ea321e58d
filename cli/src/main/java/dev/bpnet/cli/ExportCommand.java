package dev.bpnet.cli;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.export.OnnxExport;
import dev.bpnet.dsl.ir.Export;
import dev.bpnet.dsl.ir.Program;
import dev.bpnet.dsl.load.TrainerLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bpnet export FILE --params P.npz --onnx OUT.onnx}: the inference graph as ONNX. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Writes a model's inference graph (its output from its inputs) with trained parameters as ONNX (opset "
        + Export.OPSET + "). Learning rules do not matter at inference: the graph is the forward pass.")
final class ExportCommand extends ModelCommand {
  @ArgGroup(exclusive = true, multiplicity = "1")
  ParamsSource source;

  @Option(names = "--onnx", required = true, paramLabel = "OUT.onnx", converter = OutputPaths.FileArgument.class, description = "the file to write")
  Path onnx;

  @Override
  String usageProblem() {
    return OutputPaths.fileProblem("--onnx", onnx, file, source.file());
  }

  @Override
  int run(SourceFile src) throws Exception {
    TrainingGraph tg = compile(src);
    Program p = tg.program();
    Path file = source.file();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    p.params().forEach(q -> shapes.put(q.name(), q.shape().dims().stream().mapToLong(Integer::longValue).toArray()));
    Map<String, INDArray> values = ParamsFiles.readAll(source, shapes, err());
    if (values == null) {
      return Main.MODEL_ERRORS;
    }
    DataType dt = TrainerLoader.dataType(p.train().dtype());
    byte[] model;
    try {
      model = OnnxExport.export(p, values, dt, Main.class.getAnnotation(Command.class).version()[0]);
    } catch (OnnxExport.Unexportable e) {
      err().println("error: " + src.name() + ": " + p.name() + " cannot be exported to ONNX: " + e.getMessage());
      return Main.MODEL_ERRORS;
    }
    try {
      Files.write(onnx, model);
    } catch (java.io.IOException e) {
      err().println("error: --onnx " + onnx + ": cannot write: " + dev.bpnet.runtime.io.IoErrors.describe(e));
      return Main.MODEL_ERRORS;
    }
    String inputs = p.inputs().stream().map(l -> l.name() + " " + l.shape()).collect(Collectors.joining(", "));
    out().printf("wrote %s: %s's output %s from %s, %s, ONNX opset %d (parameters from %s)%n", onnx, p.name(),
        p.graph().shape(p.output()), inputs, dt == DataType.DOUBLE ? "float64" : "float32", Export.OPSET, file);
    return Main.OK;
  }
}
