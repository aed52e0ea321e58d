package dev.bpnet.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The convolutional benchmark's nets (lenet, plain20: those of bench/torch_conv.py and
 * {@link ConvBench}) in DL4J SameDiff, trained 2-pass with its own {@code fit} and plain SGD,
 * float32, NCHW, kernels [kH, kW, channels, filters] (YXIO), He-initialised. SameDiff runs
 * ND4J's native conv2d, conv2d_bp and pooling ops: oneDNN's kernels in the oneDNN build. It has
 * no third pass ({@link SameDiffMlp#doubleBackwardUnsupported}).
 */
final class SameDiffConv {
  private final SameDiff sd = SameDiff.create();
  private final DataSet batch;
  private final List<SDVariable> params = new ArrayList<>();
  private final Random random = new Random(1);

  SameDiffConv(String model, INDArray x, INDArray y, double lr) {
    long[] shape = x.shape();
    SDVariable h = sd.placeHolder("x", DataType.FLOAT, -1, shape[1], shape[2], shape[3]);
    sd.placeHolder("y", DataType.FLOAT, -1, 10);
    if (model.equals("lenet")) {
      h = pool(relu(conv(h, 1, 6, 5, 1, 2)));
      h = pool(relu(conv(h, 6, 16, 5, 1, 0)));
      h = sd.reshape(h, -1, 400);
      h = relu(dense(h, 400, 120));
      h = relu(dense(h, 120, 84));
      h = dense(h, 84, 10);
    } else if (model.equals("plain20")) {
      int c = 3;
      int[] filters = {16, 16, 32, 64};
      for (int stage = 0; stage < filters.length; stage++) {
        for (int i = 0; i < (stage == 0 ? 1 : 6); i++) {
          h = relu(conv(h, c, filters[stage], 3, stage >= 2 && i == 0 ? 2 : 1, 1));
          c = filters[stage];
        }
      }
      h = dense(sd.mean(h, 2, 3), 64, 10);
    } else {
      throw new IllegalArgumentException("unknown model " + model);
    }
    sd.loss.softmaxCrossEntropy("loss", sd.getVariable("y"), h, null);
    sd.setTrainingConfig(new TrainingConfig.Builder().updater(new Sgd(lr))
        .dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
    this.batch = new DataSet(x, y);
  }

  /** {@code n} SGD steps on the batch through {@code SameDiff.fit}. */
  void steps(int n) {
    sd.fit(new SameDiffMlp.Repeat(batch, n), 1);
  }

  private SDVariable conv(SDVariable in, int channels, int filters, int k, int stride, int pad) {
    // [kH, kW, C, filters] (YXIO): conv2d_bp of ND4J 1.0.0-M2.1 takes the output channels from the
    // wrong dimension with OIYX kernels and fails on a shape check
    SDVariable w = param(new long[] {k, k, channels, filters}, channels * k * k);
    SDVariable b = sd.var("b" + params.size(), Nd4j.zeros(DataType.FLOAT, filters));
    return sd.cnn.conv2d(in, w, b, Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad)
        .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build());
  }

  private SDVariable dense(SDVariable in, int n, int m) {
    SDVariable w = param(new long[] {n, m}, n);
    return sd.nn.linear(in, w, sd.var("b" + params.size(), Nd4j.zeros(DataType.FLOAT, m)));
  }

  private SDVariable relu(SDVariable in) {
    return sd.nn.relu(in, 0.0);
  }

  private SDVariable pool(SDVariable in) {
    return sd.cnn.maxPooling2d(in, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
  }

  /** He normal with {@code fanIn}, from the harness's seed. */
  private SDVariable param(long[] shape, int fanIn) {
    INDArray a = Nd4j.create(DataType.FLOAT, shape);
    double s = Math.sqrt(2.0 / fanIn);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, random.nextGaussian() * s);
    }
    SDVariable v = sd.var("w" + params.size(), a);
    params.add(v);
    return v;
  }
}
