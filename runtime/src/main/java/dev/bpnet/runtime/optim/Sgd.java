package dev.bpnet.runtime.optim;

import dev.bpnet.runtime.Optimizer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Plain stochastic gradient descent: theta -= lr * direction, with BLAS axpy (no allocation). */
public final class Sgd implements Optimizer {
  private final double lr;

  public Sgd(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("SGD learning rate must be a positive number, got " + lr);
    }
    this.lr = lr;
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    for (int i = 0; i < params.size(); i++) {
      INDArray p = params.get(i);
      Nd4j.getBlasWrapper().level1().axpy(p.length(), -lr, directions.get(i), p);
    }
  }

  @Override
  public double learningRate() {
    return lr;
  }
}
