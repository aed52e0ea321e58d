package dev.bpnet.examples.bench;

import dev.bpnet.runtime.Kernels;
import java.util.Random;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hand-tuned ND4J reference MLP trainer, the yardstick that generated trainers are compared against.
 *
 * <p>Network: {@code sizes[0] -> sizes[1] -> ... -> sizes[L]}, affine layers {@code h W + b} with
 * {@code W} of shape {@code [in, out]}, ReLU on every hidden layer, softmax cross-entropy on the
 * last layer averaged over the batch, plain SGD ({@code W -= lr * dW}).
 *
 * <p>Performance choices: every buffer is allocated once per batch size and
 * kept in fields; transposes are never materialised, {@link Nd4j#gemm} transpose flags are used
 * instead; bias add, ReLU and log-softmax are single ND4J ops writing into preallocated outputs; the
 * SGD update is an in-place BLAS axpy; dL/dx of the input layer is never computed. ReLU is applied
 * in place, so only the post-activation {@code h} of each hidden layer is stored ({@code h > 0}
 * exactly where the pre-activation is {@code > 0}).
 *
 * <p>Two choices measured faster than the obvious single op (784-512-10, batch 128, float32, one
 * thread, ND4J 1.0.0-M2.1): the ReLU backward pass is {@code Step(h) -> h} in place (h is dead by
 * then) followed by {@code MulOp(g, h, g)}, about 0.08 ms against 0.37-0.47 ms for the fused
 * {@code RectifiedLinearDerivative} ({@code relu_bp}); and the bias
 * gradient is one direct BLAS gemv {@code g[B,out]^T x ones[B]} (the runtime's
 * {@code Kernels.ColumnSums}, bound once per batch size), 0.2-3 us against 14-36 us for the gemm
 * {@code ones[1,B] x g[B,out]} through {@link Nd4j#gemm} and 0.15-0.33 ms for a {@code Sum} over
 * dimension 0.
 *
 * <p>Not thread-safe. Inputs are {@code [batch, sizes[0]]} and one-hot {@code [batch, sizes[L]]}
 * arrays of the model's data type (any label rows summing to 1 give the right gradient).
 */
public final class HandTunedMlp {

    private final int[] sizes;
    private final int layers;
    private final DataType dtype;
    private final INDArray[] w;
    private final INDArray[] b;
    private final INDArray[] dW;
    private final INDArray[] dB;

    // Per-batch-size buffers.
    private long batch = -1;
    /**
     * act[i]: output of layer i, [batch, sizes[i+1]]; hidden layers hold ReLU(z), the last the
     * logits. The backward pass overwrites hidden activations with their ReLU masks.
     */
    private INDArray[] act;
    /** grad[i]: dL/d(pre-activation of layer i), [batch, sizes[i+1]]. */
    private INDArray[] grad;
    /** log-softmax of the logits, [batch, sizes[L]]. */
    private INDArray logProb;
    /** biasSums[i]: dB[i] = column sums of grad[i], one gemv. */
    private Kernels.ColumnSums[] biasSums;

    // Per-batch-size op objects, bound to the buffers above and re-executed every step (constructing
    // an ND4J op costs about 4-10 us, comparable to running it on these sizes).
    private BiasAdd[] biasAddOps;
    private RectifiedLinear[] reluOps;
    private Step[] reluMaskOps;
    private MulOp[] reluBackOps;
    private LogSoftMax logSoftMaxOp;
    private Exp softMaxOp;

    private final Level1 blas1 = Nd4j.getBlasWrapper().level1();

    public HandTunedMlp(int[] sizes, DataType dtype, long seed) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("need at least an input and an output size");
        }
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        this.sizes = sizes.clone();
        this.layers = sizes.length - 1;
        this.dtype = dtype;
        this.w = new INDArray[layers];
        this.b = new INDArray[layers];
        this.dW = new INDArray[layers];
        this.dB = new INDArray[layers];
        Random rnd = new Random(seed);
        for (int i = 0; i < layers; i++) {
            int in = sizes[i];
            int out = sizes[i + 1];
            double std = Math.sqrt(2.0 / in);
            double[] data = new double[in * out];
            for (int k = 0; k < data.length; k++) {
                data[k] = rnd.nextGaussian() * std;
            }
            w[i] = Nd4j.create(data, new long[] {in, out}, 'c').castTo(dtype);
            b[i] = Nd4j.zeros(dtype, out);
            dW[i] = Nd4j.zeros(dtype, in, out);
            dB[i] = Nd4j.zeros(dtype, out);
        }
    }

    private void ensureBatch(long n) {
        if (n == batch) {
            return;
        }
        act = new INDArray[layers];
        grad = new INDArray[layers];
        for (int i = 0; i < layers; i++) {
            act[i] = Nd4j.createUninitialized(dtype, new long[] {n, sizes[i + 1]}, 'c');
            grad[i] = Nd4j.createUninitialized(dtype, new long[] {n, sizes[i + 1]}, 'c');
        }
        logProb = Nd4j.createUninitialized(dtype, new long[] {n, sizes[layers]}, 'c');
        biasSums = new Kernels.ColumnSums[layers];
        biasAddOps = new BiasAdd[layers];
        reluOps = new RectifiedLinear[layers - 1];
        reluMaskOps = new Step[layers - 1];
        reluBackOps = new MulOp[layers - 1];
        for (int i = 0; i < layers; i++) {
            biasAddOps[i] = new BiasAdd(act[i], b[i], act[i], false);
            biasSums[i] = new Kernels.ColumnSums(grad[i], dB[i], 1.0);
            if (i + 1 < layers) {
                reluOps[i] = new RectifiedLinear(act[i], act[i], 0.0);
                // ReLU backward of hidden layer i: grad[i] *= (act[i] > 0); act[i] is dead by then,
                // so it becomes the mask in place.
                reluMaskOps[i] = new Step(act[i], act[i], 0.0);
                reluBackOps[i] = new MulOp(grad[i], act[i], grad[i]);
            }
        }
        logSoftMaxOp = new LogSoftMax(act[layers - 1], logProb);
        softMaxOp = new Exp(logProb, grad[layers - 1]);
        batch = n;
    }

    private void checkInputs(INDArray x, INDArray y) {
        if (x.rank() != 2 || x.size(1) != sizes[0] || y.rank() != 2 || y.size(1) != sizes[layers]
                || y.size(0) != x.size(0)) {
            throw new IllegalArgumentException("bad shapes: x " + x.shapeInfoToString()
                    + ", y " + y.shapeInfoToString());
        }
        if (x.dataType() != dtype || y.dataType() != dtype) {
            throw new IllegalArgumentException("inputs must be " + dtype);
        }
    }

    /** Forward pass; leaves log-softmax in {@link #logProb} and returns the mean cross-entropy. */
    private double forward(INDArray x, INDArray y) {
        INDArray h = x;
        for (int i = 0; i < layers; i++) {
            INDArray z = act[i];
            Nd4j.gemm(h, w[i], z, false, false, 1.0, 0.0);
            Nd4j.exec(biasAddOps[i]);
            if (i + 1 < layers) {
                Nd4j.exec(reluOps[i]);
            }
            h = z;
        }
        Nd4j.exec(logSoftMaxOp);
        return -blas1.dot(logProb.length(), 1.0, y, logProb) / batch;
    }

    /** Mean softmax cross-entropy of the current parameters on {@code (x, y)}; no gradients. */
    public double loss(INDArray x, INDArray y) {
        checkInputs(x, y);
        ensureBatch(x.size(0));
        return forward(x, y);
    }

    /**
     * Computes the loss and the parameter gradients into the buffers returned by
     * {@link #weightGradients()} and {@link #biasGradients()}, without touching the parameters.
     */
    public double gradients(INDArray x, INDArray y) {
        checkInputs(x, y);
        ensureBatch(x.size(0));
        double loss = forward(x, y);
        // dL/dlogits = (softmax - y) / batch
        INDArray g = grad[layers - 1];
        Nd4j.exec(softMaxOp);
        blas1.axpy(g.length(), -1.0, y, g);
        blas1.scal(g.length(), 1.0 / batch, g);
        for (int i = layers - 1; i >= 0; i--) {
            g = grad[i];
            INDArray hIn = i == 0 ? x : act[i - 1];
            Nd4j.gemm(hIn, g, dW[i], true, false, 1.0, 0.0);
            biasSums[i].run();
            if (i > 0) {
                Nd4j.gemm(g, w[i], grad[i - 1], false, true, 1.0, 0.0);
                Nd4j.exec(reluMaskOps[i - 1]);
                Nd4j.exec(reluBackOps[i - 1]);
            }
        }
        return loss;
    }

    /** One SGD step on the batch; returns the batch loss before the step. */
    public double step(INDArray x, INDArray yOneHot, double lr) {
        double loss = gradients(x, yOneHot);
        for (int i = 0; i < layers; i++) {
            blas1.axpy(w[i].length(), -lr, dW[i], w[i]);
            blas1.axpy(b[i].length(), -lr, dB[i], b[i]);
        }
        return loss;
    }

    /** Live weight arrays, {@code [sizes[i], sizes[i+1]]}. */
    public INDArray[] weights() {
        return w.clone();
    }

    /** Live bias arrays, {@code [sizes[i+1]]}. */
    public INDArray[] biases() {
        return b.clone();
    }

    /** Live weight-gradient buffers filled by the last {@link #gradients} or {@link #step} call. */
    public INDArray[] weightGradients() {
        return dW.clone();
    }

    /** Live bias-gradient buffers filled by the last {@link #gradients} or {@link #step} call. */
    public INDArray[] biasGradients() {
        return dB.clone();
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public DataType dataType() {
        return dtype;
    }
}
