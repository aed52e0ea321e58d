package dev.bpnet.cli;

import static dev.bpnet.cli.CliEndToEndTest.bpnet;
import static dev.bpnet.cli.CliEndToEndTest.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.io.Npz;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code bpnet export}: a trained run as ONNX, checked by running it in ONNX Runtime. */
class ExportCommandTest {
  static final String MODEL = """
      model Small {
        input x: [1, 4, 4]
        label y: [3]
        h = relu(dense(flatten(x), 8))
        logits = dense(h, 3, feedback = random)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3  alpha = 0.5  data = teacher_student(n = 64)  batch = 16  epochs = 1  seed = 2 }
      }
      """;

  @TempDir Path dir;

  @Test
  void aTrainedRunExportsAndOnnxRuntimeAgreesWithPredict() throws Exception {
    Path f = dir.resolve("small.bpnet");
    Files.writeString(f, MODEL);
    Path run = dir.resolve("run");
    CliEndToEndTest.Result r = bpnet("train", f.toString(), "--out", run.toString());
    assertEquals(0, r.code(), show(r));
    Path onnx = dir.resolve("small.onnx");
    r = bpnet("export", f.toString(), "--run", run.toString(), "--onnx", onnx.toString());
    assertEquals(0, r.code(), show(r));
    assertTrue(r.out().contains("wrote " + onnx) && r.out().contains("ONNX opset 13") && r.out().contains("float32"), show(r));

    TrainingGraph tg = FileCompiler.model(new SourceFile("small.bpnet", MODEL), null);
    Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 7);
    Npz.read(run.resolve("params.npz")).forEach((k, v) -> t.parameters().get(k).assign(v));
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.FLOAT, 7, 1, 4, 4);
    float[] want = t.predict(Map.of("x", x)).dup('c').data().asFloat();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(Files.readAllBytes(onnx), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').data().asFloat()), new long[] {7, 1, 4, 4});
        OrtSession.Result res = s.run(Map.of("x", in))) {
      FloatBuffer got = ((OnnxTensor) res.get(0)).getFloatBuffer();
      assertEquals(want.length, got.remaining());
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got.get(i), 1e-5, "output " + i);
      }
    }
  }

  @Test
  void parametersOfAnotherModelAreRefusedNamingEachMismatch() throws Exception {
    Path f = dir.resolve("small.bpnet");
    Files.writeString(f, MODEL);
    Path p = dir.resolve("other.npz");
    Npz.write(p, Map.of("h.W", Nd4j.zeros(DataType.FLOAT, 16, 5), "hidden.W", Nd4j.zeros(DataType.FLOAT, 2, 2)));
    Path onnx = dir.resolve("m.onnx");
    CliEndToEndTest.Result r = bpnet("export", f.toString(), "--params", p.toString(), "--onnx", onnx.toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("parameter 'h.W' has shape [16, 5]") && r.err().contains("[16, 8] in the model"), show(r));
    assertTrue(r.err().contains("parameter 'hidden.W'") && r.err().contains("not in the model"), show(r));
    assertTrue(r.err().contains("no parameter 'logits.W'") && r.err().contains("no parameter 'logits.B'"), show(r));
    assertFalse(Files.exists(onnx), "nothing written");
  }

  @Test
  void usageErrors() throws Exception {
    Path f = dir.resolve("small.bpnet");
    Files.writeString(f, MODEL);
    CliEndToEndTest.Result r = bpnet("export", f.toString(), "--onnx", dir.resolve("m.onnx").toString());
    assertEquals(2, r.code(), show(r));
    assertTrue(r.err().contains("--params") && r.err().contains("--run"), show(r));
    r = bpnet("export", f.toString(), "--params", "a.npz", "--run", "r", "--onnx", dir.resolve("m.onnx").toString());
    assertEquals(2, r.code(), show(r));
    r = bpnet("export", f.toString(), "--params", "a.npz", "--onnx", dir.resolve("missing/m.onnx").toString());
    assertEquals(2, r.code(), show(r));
    r = bpnet("export", f.toString(), "--params", dir.resolve("none.npz").toString(), "--onnx", dir.resolve("m.onnx").toString());
    assertEquals(1, r.code(), show(r));
    assertTrue(r.err().contains("none.npz"), show(r));
  }
}
