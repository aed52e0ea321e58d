package dev.bpnet.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The benchmark MLP in DL4J SameDiff, trained with its own {@code fit}: the same layers, loss,
 * initial parameters (copied from a {@link HandTunedMlp} of the same seed) and plain SGD as the
 * other implementations. {@link #steps} runs {@code n} SGD steps as one {@code fit} call over an
 * iterator that yields the same batch {@code n} times, so fit's per-call set-up is spread over
 * the steps, as in a real epoch.
 */
final class SameDiffMlp {
  private final SameDiff sd = SameDiff.create();
  private final DataSet batch;

  SameDiffMlp(int[] sizes, INDArray x, INDArray y, double lr, long seed) {
    HandTunedMlp init = new HandTunedMlp(sizes, DataType.FLOAT, seed);
    SDVariable h = sd.placeHolder("x", DataType.FLOAT, -1, sizes[0]);
    sd.placeHolder("y", DataType.FLOAT, -1, sizes[sizes.length - 1]);
    for (int i = 0; i + 1 < sizes.length; i++) {
      SDVariable w = sd.var("w" + i, init.weights()[i].dup());
      SDVariable b = sd.var("b" + i, init.biases()[i].dup());
      h = sd.nn.linear(i + 2 == sizes.length ? "logits" : "z" + i, h, w, b);
      if (i + 2 < sizes.length) {
        h = sd.nn.relu("h" + i, h, 0.0);
      }
    }
    // mean over the batch of the per-example cross-entropy, as the other implementations
    sd.loss.softmaxCrossEntropy("loss", sd.getVariable("y"), h, null);
    sd.setTrainingConfig(new TrainingConfig.Builder().updater(new Sgd(lr))
        .dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
    this.batch = new DataSet(x, y);
  }

  /** {@code n} SGD steps on the batch through {@code SameDiff.fit}. */
  void steps(int n) {
    sd.fit(new Repeat(batch, n), 1);
  }

  /** The current value of a parameter ({@code w0}, {@code b0}, ...). */
  INDArray parameter(String name) {
    return sd.getVariable(name).getArr();
  }

  /**
   * Why SameDiff cannot run the exact third pass (gradient of the input-gradient norm), or null if
   * it can. Tried on a tiny ReLU network: SameDiff keeps gradients in a separate "grad" function
   * whose variable names clash when it is differentiated again; with those renamed, ND4J
   * 1.0.0-M2.1 still stops at the backward ops, whose own derivatives are not implemented.
   */
  static String doubleBackwardUnsupported() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
    SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 2);
    SDVariable h = sd.nn.relu(sd.nn.linear(x, sd.var("w0", Nd4j.rand(DataType.FLOAT, 3, 4)),
        sd.var("b0", Nd4j.zeros(DataType.FLOAT, 4))), 0.0);
    SDVariable logits = sd.nn.linear(h, sd.var("w1", Nd4j.rand(DataType.FLOAT, 4, 2)), sd.var("b1", Nd4j.zeros(DataType.FLOAT, 2)));
    sd.loss.softmaxCrossEntropy("loss", y, logits, null);
    sd.setLossVariables("loss");
    Map<String, INDArray> feeds = Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 3),
        "y", Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
    sd.calculateGradients(feeds, "x", "w0");
    try {
      SameDiff g = sd.getFunction("grad").dup();
      for (String n : new ArrayList<>(g.variableMap().keySet())) {
        if (n.endsWith("-grad") || n.equals("one-var")) {
          g.renameVariable(n, "g2_" + n.replace('-', '_'));
        }
      }
      g.math.square(g.getVariable("g2_x_grad")).sum().mul("lx", 0.5);
      g.setLossVariables("lx");
      g.calculateGradients(feeds, "w0", "w1");
      return null;
    } catch (RuntimeException e) {
      StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
      return "SameDiff (ND4J 1.0.0-M2.1) cannot differentiate its own backward graph: " + e
          + (at == null ? "" : " at " + at.getClassName().replaceAll(".*\\.", "") + "." + at.getMethodName());
    }
  }

  /** The same batch {@code n} times; synchronous so that fit starts no prefetch thread. */
  static final class Repeat implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient DataSet batch;
    private final int n;
    private int i;

    Repeat(DataSet batch, int n) {
      this.batch = batch;
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return i < n;
    }

    @Override
    public DataSet next() {
      if (i >= n) {
        throw new NoSuchElementException();
      }
      i++;
      return batch;
    }

    @Override
    public DataSet next(int num) {
      return next();
    }

    @Override
    public int inputColumns() {
      return (int) batch.getFeatures().size(1);
    }

    @Override
    public int totalOutcomes() {
      return (int) batch.getLabels().size(1);
    }

    @Override
    public boolean resetSupported() {
      return true;
    }

    @Override
    public boolean asyncSupported() {
      return false;
    }

    @Override
    public void reset() {
      i = 0;
    }

    @Override
    public int batch() {
      return (int) batch.getFeatures().size(0);
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
      throw new UnsupportedOperationException("no pre-processing in the benchmark");
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
      return null;
    }

    @Override
    public List<String> getLabels() {
      return null;
    }
  }
}
