package dev.bpnet.spark;

import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small float64 models of every kind of trainer, and batches for them. */
final class Models {
  private Models() {}

  static final String SOURCE = """
      activation linear_tanh(z) -> a {
        a = tanh(z)
        backward(da) {
          dz = da
        }
      }
      activation dbp_sigmoid(z) -> a {
        a = sigmoid(z)
        backward(da) {
          a1 = clamp(a - lr * da, eps, 1 - eps)
          z1 = neg(log(1 / a1 - 1))
          dz = da * where(z1 == z, 0, (a1 - a) / where(z1 == z, 1, z1 - z))
        }
      }
      layer fa_dense(x, units) -> y {
        W = param(size(x, axis = 1), units)
        b = param(units)
        B = state(size(x, axis = 1), units)
        y = matmul(x, W) + b
        backward(dy) {
          dx = matmul(dy, transpose(B))
        }
      }
      model TwoPass {
        input x: [6]
        label y: [3]
        h = tanh(dense(x, 5))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { optimizer = sgd(lr = 0.1)   dtype = float64   seed = 3 }
      }
      model Paper {
        input x: [6]
        label y: [3]
        h = relu(dense(x, 5))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3   alpha = 0.8   third = paper   optimizer = momentum(lr = 0.1)   dtype = float64   seed = 4 }
      }
      model Exact {
        input x: [6]
        label y: [3]
        h = sigmoid(dense(x, 5))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3   alpha = 0.7   third = exact   optimizer = adam(lr = 0.01)   dtype = float64   seed = 5 }
      }
      model Rules {
        input x: [6]
        label y: [3]
        h = linear_tanh(dense(x, 5))
        g = dbp_sigmoid(dense(h, 5, feedback = random))
        k = tanh(dense(g, 4, feedback = random_updated))
        logits = fa_dense(k, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3   alpha = 0.9   third = exact   optimizer = adam(lr = 0.05)   dtype = float64   seed = 6 }
      }
      model Float32 {
        input x: [6]
        label y: [3]
        h = sigmoid(dense(x, 5))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3   alpha = 0.7   third = exact   optimizer = adam(lr = 0.01)   seed = 8 }
      }
      model Dropped {
        input x: [6]
        label y: [3]
        h = dropout(tanh(dense(x, 5)), 0.3)
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { passes = 3   alpha = 0.8   third = exact   optimizer = sgd(lr = 0.1)   dtype = float64   seed = 9 }
      }
      model Normed {
        input x: [6]
        label y: [3]
        h = tanh(batch_norm(dense(x, 5)))
        logits = dense(h, 3)
        loss = softmax_cross_entropy(logits, y)
        train { optimizer = sgd(lr = 0.1)   dtype = float64   seed = 10 }
      }
      model Clipped {
        input x: [6]
        label y: [3]
        h = tanh(dense(x, 5))
        logits = dense(h, 3, feedback = random)
        loss = softmax_cross_entropy(logits, y)
        train { optimizer = sgd(lr = 0.1)   clip = 0.01   dtype = float64   seed = 7 }
      }
      """;

  static TrainingGraph graph(String model) {
    return FileCompiler.model(new SourceFile("models.bpnet", SOURCE), model);
  }

  static TrainerRecipe recipe(String model) {
    TrainingGraph tg = graph(model);
    return TrainerRecipe.of(tg, TrainerLoader.dataType(tg.program().train().dtype()), tg.program().train().seed());
  }

  /** A batch of {@code b} random inputs in [-1, 1] and one-hot labels. */
  static Map<String, INDArray> batch(int b, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[b][6];
    double[][] y = new double[b][3];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < 6; j++) {
        x[i][j] = 2 * r.nextDouble() - 1;
      }
      y[i][r.nextInt(3)] = 1;
    }
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("x", Nd4j.create(x).castTo(DataType.DOUBLE));
    m.put("y", Nd4j.create(y).castTo(DataType.DOUBLE));
    return m;
  }

  /** max |a - b| / max |b| over the array: the difference relative to the array's scale. */
  static double relative(INDArray a, INDArray b) {
    double scale = b.amaxNumber().doubleValue();
    double diff = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    return scale == 0 ? diff : diff / scale;
  }

  static double relative(double a, double b) {
    return Double.isNaN(a) && Double.isNaN(b) ? 0 : Math.abs(a - b) / Math.abs(b);
  }
}
