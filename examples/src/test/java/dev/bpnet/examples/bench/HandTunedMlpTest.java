package dev.bpnet.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HandTunedMlpTest {

    private static final int[] SIZES = {7, 6, 5, 4};
    private static final int BATCH = 9;

    private static INDArray[] data(DataType dtype, int batch, long seed) {
        Random rnd = new Random(seed);
        int nIn = SIZES[0];
        int nOut = SIZES[SIZES.length - 1];
        double[] xs = new double[batch * nIn];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = rnd.nextDouble() * 2 - 1;
        }
        double[] ys = new double[batch * nOut];
        for (int r = 0; r < batch; r++) {
            ys[r * nOut + rnd.nextInt(nOut)] = 1;
        }
        return new INDArray[] {
            Nd4j.create(xs, new long[] {batch, nIn}, 'c').castTo(dtype),
            Nd4j.create(ys, new long[] {batch, nOut}, 'c').castTo(dtype)
        };
    }

    /** Central difference of the loss w.r.t. one element of {@code p}, restoring it afterwards. */
    private static double numeric(HandTunedMlp mlp, INDArray p, long idx, INDArray x, INDArray y) {
        double h = 1e-6;
        double orig = p.getDouble(idx);
        p.putScalar(idx, orig + h);
        double lp = mlp.loss(x, y);
        p.putScalar(idx, orig - h);
        double lm = mlp.loss(x, y);
        p.putScalar(idx, orig);
        return (lp - lm) / (2 * h);
    }

    private static void assertClose(double analytic, double numeric, String what) {
        double rel = Math.abs(analytic - numeric) / Math.max(1e-8, Math.abs(analytic) + Math.abs(numeric));
        assertTrue(rel < 1e-6, what + ": analytic " + analytic + " vs numeric " + numeric + " (rel " + rel + ")");
    }

    @Test
    void gradientsMatchCentralDifferencesInFloat64() {
        HandTunedMlp mlp = new HandTunedMlp(SIZES, DataType.DOUBLE, 42L);
        INDArray[] xy = data(DataType.DOUBLE, BATCH, 1L);
        INDArray x = xy[0];
        INDArray y = xy[1];
        // Move the biases off zero so their gradients are exercised at a generic point.
        mlp.step(x, y, 0.1);

        double loss = mlp.gradients(x, y);
        assertEquals(loss, mlp.loss(x, y), 1e-12);
        INDArray[] w = mlp.weights();
        INDArray[] b = mlp.biases();
        INDArray[] dW = mlp.weightGradients();
        INDArray[] dB = mlp.biasGradients();
        // Every element of every parameter (107 here); with this fixed data the worst relative error
        // is about 5e-8. Other data can put a ReLU pre-activation exactly on the kink (an all-zero
        // hidden row meeting a zero bias), where the central difference disagrees with the
        // subgradient 0 that the trainer uses.
        for (int layer = 0; layer < w.length; layer++) {
            INDArray gw = dW[layer].dup();
            INDArray gb = dB[layer].dup();
            for (long i = 0; i < w[layer].length(); i++) {
                assertClose(gw.getDouble(i), numeric(mlp, w[layer], i, x, y), "dW" + layer + "[" + i + "]");
            }
            for (long i = 0; i < b[layer].length(); i++) {
                assertClose(gb.getDouble(i), numeric(mlp, b[layer], i, x, y), "db" + layer + "[" + i + "]");
            }
        }
    }

    @Test
    void stepAppliesPlainSgdAndReturnsPreStepLoss() {
        HandTunedMlp mlp = new HandTunedMlp(SIZES, DataType.DOUBLE, 3L);
        INDArray[] xy = data(DataType.DOUBLE, BATCH, 2L);
        double lr = 0.05;
        INDArray w0 = mlp.weights()[1].dup();
        double expectedLoss = mlp.gradients(xy[0], xy[1]);
        INDArray g = mlp.weightGradients()[1].dup();
        double loss = mlp.step(xy[0], xy[1], lr);
        assertEquals(expectedLoss, loss, 1e-12);
        INDArray expected = w0.sub(g.mul(lr));
        assertArrayEquals(expected.data().asDouble(), mlp.weights()[1].data().asDouble(), 1e-12);
    }

    @Test
    void lossDecreasesInFloat32AndBatchSizeCanChange() {
        HandTunedMlp mlp = new HandTunedMlp(SIZES, DataType.FLOAT, 5L);
        INDArray[] xy = data(DataType.FLOAT, 32, 4L);
        double first = mlp.step(xy[0], xy[1], 0.1);
        double last = first;
        for (int s = 0; s < 300; s++) {
            last = mlp.step(xy[0], xy[1], 0.1);
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        INDArray[] small = data(DataType.FLOAT, 3, 6L);
        double l = mlp.step(small[0], small[1], 0.1);
        assertTrue(Double.isFinite(l));
        assertTrue(Double.isFinite(mlp.step(xy[0], xy[1], 0.1)));
    }

    @Test
    void initialisationIsDeterministic() {
        HandTunedMlp a = new HandTunedMlp(SIZES, DataType.FLOAT, 11L);
        HandTunedMlp b = new HandTunedMlp(SIZES, DataType.FLOAT, 11L);
        for (int i = 0; i < SIZES.length - 1; i++) {
            assertEquals(a.weights()[i], b.weights()[i]);
            assertEquals(0.0, a.biases()[i].sumNumber().doubleValue());
        }
    }
}
