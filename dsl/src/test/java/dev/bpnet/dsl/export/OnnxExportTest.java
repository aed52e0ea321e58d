package dev.bpnet.dsl.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exported models run in ONNX Runtime (an independent implementation of every op) and give
 * what the generated trainer's {@code predict} gives, for every primitive that has an ONNX form.
 */
class OnnxExportTest {
  /** Dense layers with every activation; learning rules, which inference ignores. */
  static final String ACTIVATIONS = """
      activation my_tanh(z) -> a {
        a = tanh(z)
        backward(da) {
          dz = da
        }
      }
      model Activations {
        input x: [6]
        label y: [4]
        a = tanh(dense(x, 8))
        b = relu(dense(a, 8, feedback = random))
        c = leaky_relu(dense(b, 8), slope = 0.2) + elu(dense(b, 8), alpha = 0.7)
        d = gelu(dense(c, 8)) + swish(dense(c, 8)) + softplus(dense(c, 8)) + sigmoid(dense(c, 8))
        e = my_tanh(dense(d, 8))
        logits = dense(straight_through(relu(e)), 4)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3 }
      }
      """;

  /** Layout, reductions, selections, element-wise math and batch-size constants on images. */
  static final String LAYOUTS = """
      model Layouts {
        input x: [2, 3, 4]
        label y: [5]
        c = param(2, init = zeros)
        xb = bias_add(x, c, axis = 1)
        t = transpose(xb)
        f = flatten(t)
        r = reshape(f, 4, 6)
        W = param(6, 5)
        m = matmul(r, W)
        s = mean(m, axis = 1)
        k = sum(m, axis = 1) / size(m, axis = 1)
        u = clamp(s, -0.5, 0.5) + where(s > 0, s, 0 - s) + round(3 * stop_gradient(s)) + sign(stop_gradient(s)) + pow(abs2(s), 0.5)
        v = sqrt(exp(s)) + log(sigmoid(s) + 1) - neg(k) * (s >= 0.1) + (s != k) + (s <= 0) + (s < 0.2) + (s == s)
        w = sum(v, axis = 0, keepdims = 1) / size(v, axis = 0)
        out = log_softmax(u + v * 0.5 + w) + softmax(stop_gradient(u))
        loss = mse(out, y)
      }
      """;

  @Test
  void activationsAndRulesAgreeWithOnnxRuntime() throws Exception {
    check(ACTIVATIONS, DataType.FLOAT, 1e-5);
    // ONNX Runtime has no float64 kernels for LeakyRelu, Elu or Softplus: float64 is checked on the others
    check(ACTIVATIONS.replace("leaky_relu(dense(b, 8), slope = 0.2) + elu(dense(b, 8), alpha = 0.7)", "tanh(dense(b, 8))")
        .replace(" + softplus(dense(c, 8))", ""), DataType.DOUBLE, 1e-12);
  }

  @Test
  void layoutsReductionsAndSelectionsAgreeWithOnnxRuntime() throws Exception {
    String text = LAYOUTS.replace("abs2(s)", "s * s");
    check(text, DataType.FLOAT, 1e-5);
    check(text, DataType.DOUBLE, 1e-12);
  }

  /** Convolutions (even kernels with same padding, strides, dilation) and pooling. */
  @Test
  void convolutionsAndPoolingAgreeWithOnnxRuntime() throws Exception {
    String text = """
        model Conv {
          input x: [2, 11, 10]
          label y: [4]
          a = relu(conv2d(x, 3, kernel = 4, padding = same))
          b = tanh(conv2d(a, 4, kernel = 3, stride = 2, padding = 1, dilation = 2))
          c = max_pool(a, 3, stride = 2, padding = 1)
          d = avg_pool(conv2d(c, 4, kernel = 2, padding = valid, bias = no), 2, padding = 1)
          e = global_avg_pool(b) + global_avg_pool(d)
          logits = dense(flatten(b), 4) + dense(e, 4)
          loss = softmax_cross_entropy(logits, y)
        }
        """;
    // ONNX Runtime's CPU kernels have Conv in float32 only
    check(text, DataType.FLOAT, 1e-5);
  }

  /**
   * Untied convolutions: unfold exported as a convolution with a one-hot kernel, the per-position
   * products as a batched MatMul (strides, padding, dilation, feedback alignment, no bias).
   */
  @Test
  void untiedConvolutionsAgreeWithOnnxRuntime() throws Exception {
    String text = """
        model Untied {
          input x: [2, 9, 8]
          label y: [4]
          a = relu(untied_conv2d(x, 3, kernel = 3, padding = same))
          b = tanh(untied_conv2d(a, 4, kernel = 2, stride = 2, padding = 1, dilation = 2, feedback = random))
          c = untied_conv2d(max_pool(a, 2, padding = same), 2, kernel = 3, padding = valid, bias = no)
          logits = dense(flatten(b), 4) + dense(flatten(c), 4)
          loss = softmax_cross_entropy(logits, y)
        }
        """;
    check(text, DataType.FLOAT, 1e-5);
  }

  @Test
  void transposedMatmulsAgreeWithOnnxRuntime() throws Exception {
    String text = """
        model Trans {
          input x: [3, 4]
          label y: [4, 4]
          A = param(4, 4)
          p = matmul(transpose(x), x)
          q = matmul(x, transpose(A))
          out = p + matmul(transpose(q), q) * 0.1
          loss = mse(out, y)
        }
        """;
    check(text, DataType.FLOAT, 1e-4);
  }

  /**
   * Dropout is the identity at inference (exported as nothing), batch norm uses its running
   * statistics (set away from 0 and 1 here), layer norm its formula: predict agrees with ONNX Runtime.
   */
  @Test
  void dropoutExportsAsTheIdentity() throws Exception {
    String text = """
        model Drop {
          input x: [6]
          label y: [3]
          h = tanh(dense(x, 8))
          d = dropout(layer_norm(h), 0.5)
          logits = dense(dropout(relu(batch_norm(dense(d, 5))), p = 0.2), 3)
          loss = softmax_cross_entropy(logits, y)
        }
        """;
    check(text, DataType.FLOAT, 1e-5);
    check(text, DataType.DOUBLE, 1e-12);
  }

  @Test
  void aBackwardKernelInTheOutputIsRefusedByName() {
    String text = """
        model Bp {
          input x: [3]
          label y: [3]
          z = dense(x, 3)
          out = sigmoid_bp(z, x)
          loss = mse(out, y)
        }
        """;
    TrainingGraph tg = FileCompiler.model(new SourceFile("bp.bpnet", text), null);
    Trainer t = TrainerLoader.instantiate(tg, DataType.FLOAT, 1);
    OnnxExport.Unexportable e = assertThrows(OnnxExport.Unexportable.class,
        () -> OnnxExport.export(tg.program(), t.parameters(), DataType.FLOAT, "test"));
    assertTrue(e.getMessage().contains("'out' (sigmoid_bp, bp.bpnet:5:"), e.getMessage());
    Map<String, INDArray> none = new HashMap<>(t.parameters());
    none.remove("z.W");
    String text2 = text.replace("sigmoid_bp(z, x)", "sigmoid(z)");
    TrainingGraph tg2 = FileCompiler.model(new SourceFile("bp.bpnet", text2), null);
    e = assertThrows(OnnxExport.Unexportable.class, () -> OnnxExport.export(tg2.program(), none, DataType.FLOAT, "test"));
    assertTrue(e.getMessage().contains("parameter 'z.W' has no value"), e.getMessage());
  }

  /** Random parameters (biases too), a batch of 5, then predict against ONNX Runtime's run. */
  private static void check(String text, DataType dt, double tolerance) throws Exception {
    TrainingGraph tg = FileCompiler.model(new SourceFile("m.bpnet", text), null);
    Trainer t = TrainerLoader.instantiate(tg, dt, 5);
    Nd4j.getRandom().setSeed(7);
    for (Map.Entry<String, INDArray> e : t.parameters().entrySet()) {
      INDArray p = e.getValue();
      // a variance (batch norm's running one) is positive
      p.assign(Nd4j.rand(dt, p.shape()).subi(e.getKey().endsWith(".running_var") ? -0.5 : 0.5));
    }
    String input = t.inputNames().get(0);
    long[] shape = new long[tg.program().inputs().get(0).shape().rank()];
    shape[0] = 5;
    for (int i = 1; i < shape.length; i++) {
      shape[i] = tg.program().inputs().get(0).shape().dim(i);
    }
    INDArray x = Nd4j.rand(dt, shape).subi(0.5).muli(2);
    INDArray want = t.predict(Map.of(input, x)).castTo(DataType.DOUBLE);
    byte[] model = OnnxExport.export(tg.program(), t.parameters(), dt, "test");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (dt == DataType.DOUBLE) {
      // its graph optimisations fuse x * sigmoid(x) into a kernel that exists in float32 only
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
    }
    try (OrtSession s = env.createSession(model, options);
        OnnxTensor in = dt == DataType.FLOAT
            ? OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').data().asFloat()), shape)
            : OnnxTensor.createTensor(env, DoubleBuffer.wrap(x.dup('c').data().asDouble()), shape);
        OrtSession.Result r = s.run(Map.of(input, in))) {
      OnnxTensor out = (OnnxTensor) r.get(0);
      assertArrayEquals(want.shape(), out.getInfo().getShape(), "output shape");
      double[] got;
      if (dt == DataType.FLOAT) {
        FloatBuffer fb = out.getFloatBuffer();
        got = new double[fb.remaining()];
        for (int i = 0; i < got.length; i++) {
          got[i] = fb.get(i);
        }
      } else {
        DoubleBuffer db = out.getDoubleBuffer();
        got = new double[db.remaining()];
        db.get(got);
      }
      double[] w = want.dup('c').data().asDouble();
      double worst = 0;
      for (int i = 0; i < w.length; i++) {
        worst = Math.max(worst, Math.abs(w[i] - got[i]));
      }
      assertTrue(worst < tolerance, tg.program().name() + " " + dt + ": max |predict - ONNX Runtime| = " + worst);
      System.out.printf("%s %s: max |predict - ONNX Runtime| = %.2e%n", tg.program().name(), dt, worst);
    }
  }
}
