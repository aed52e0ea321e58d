package dev.bpnet.runtime.optim;

import dev.bpnet.runtime.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * L2 weight decay coupled to the gradient, for SGD, momentum and reinforced backprop: the
 * optimizer moves along {@code direction + lambda * theta}, the gradient of
 * {@code L + lambda/2 ||theta||^2}, for every parameter it updates (biases too, as PyTorch's
 * {@code weight_decay}). Momentum and reinforcement then act on the decayed direction, as in
 * PyTorch's SGD. Adam decays apart from its moments instead (AdamW, in {@link Adam}). The
 * decayed directions are written to buffers of their own: the trainer's gradients are not changed.
 */
final class WeightDecay implements Optimizer {
  private final Optimizer inner;
  private final double lambda;
  private final StateArrays decayed = new StateArrays();
  private final List<INDArray> views = new ArrayList<>();

  WeightDecay(Optimizer inner, double lambda) {
    if (!(lambda > 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("weight decay must be a positive number, got " + lambda);
    }
    this.inner = inner;
    this.lambda = lambda;
  }

  @Override
  public void update(List<INDArray> params, List<INDArray> directions) {
    views.clear();
    for (int i = 0; i < params.size(); i++) {
      INDArray p = params.get(i);
      INDArray d = decayed.get(i, p);
      // d = direction + lambda theta, product and sum rounded apart (SharedScratch.addScaled)
      Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(p, null, d, lambda));
      Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(d, directions.get(i), d));
      views.add(d);
    }
    inner.update(params, views);
  }

  @Override
  public double learningRate() {
    return inner.learningRate();
  }

  @Override
  public void startEpoch(int epoch) {
    inner.startEpoch(epoch);
  }

  /** The decayed optimizer's state: the buffers here are recomputed every step. */
  @Override
  public Map<String, INDArray> state() {
    return inner.state();
  }

  @Override
  public void restoreState(Map<String, INDArray> state) {
    inner.restoreState(state);
  }

  /** The optimizer that receives the decayed directions. */
  Optimizer inner() {
    return inner;
  }
}
