package dev.bpnet.dsl.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.reference.PaperMlpReference.Loss;
import dev.bpnet.dsl.reference.PaperMlpReference.Result;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link PaperMlpReference} on its own, without the compiler: pass 2 and the input
 * gradients against finite differences of the loss, and the paper-mode pass 3 against finite
 * differences of a "frozen" input loss whose forward values are fixed at the unperturbed weights.
 *
 * <p>Everything the checks need (forward pass, loss, frozen backward recursion) is re-implemented
 * here in the most direct form, independently of the code under test.
 *
 * <p>Finite differences are central, 5-point ({@code (-f(+2h) + 8f(+h) - 8f(-h) + f(-2h)) /
 * 12h}, h = 1e-3), truncation error O(h^4). Error metric, per element: {@code |a - n| /
 * max(|a|, |n|, 1e-3 * max|a|)}, where a is the analytic tensor and the floor stops entries that
 * are tiny compared with the rest of their tensor from dominating; the maximum over all elements
 * and all trials must be below 1e-7.
 */
class PaperMlpReferenceTest {

    private static final double H = 1e-3;
    private static final double TOL = 1e-7;
    private static final int TRIALS = 30;

    // Largest errors seen, printed after the class runs.
    private static double maxRelG2 = 0;
    private static double maxRelDx = 0;
    private static double maxRelG3 = 0;
    private static double maxRelDepth1 = 0;
    private static double maxAbsG2 = 0;
    private static double maxAbsDx = 0;
    private static double maxAbsG3 = 0;
    private static double minFrozenVsExact = Double.POSITIVE_INFINITY;

    @AfterAll
    static void report() {
        System.out.printf(Locale.ROOT,
                "PaperMlpReferenceTest max errors: g2 rel %.3e (abs %.3e), dl/dx rel %.3e (abs %.3e),"
                        + " g3(frozen) rel %.3e (abs %.3e), depth-1 closed form rel %.3e;"
                        + " smallest max-rel gap paper-g3 vs exact dl_x/dW over trials %.3e%n",
                maxRelG2, maxAbsG2, maxRelDx, maxAbsDx, maxRelG3, maxAbsG3, maxRelDepth1, minFrozenVsExact);
    }

    // ---------------------------------------------------------------------------- (1) g2

    @Test
    void secondPassMatchesFiniteDifferencesOfMiniBatchLoss() {
        for (Loss loss : Loss.values()) {
            Random rnd = new Random(1000 + loss.ordinal());
            for (int t = 0; t < TRIALS; t++) {
                Problem p = Problem.random(rnd, loss);
                Result r = PaperMlpReference.compute(p.W, p.b, p.x, p.y, loss);
                assertEquals(batchLoss(p.W, p.b, p.x, p.y, loss), r.loss(), 1e-12, "loss value");
                for (int l = 0; l < p.W.length; l++) {
                    double[][] num = new double[p.W[l].length][p.W[l][0].length];
                    for (int i = 0; i < num.length; i++) {
                        for (int j = 0; j < num[i].length; j++) {
                            num[i][j] = fd(p.W[l][i], j, () -> batchLoss(p.W, p.b, p.x, p.y, loss));
                        }
                    }
                    double[] numB = new double[p.b[l].length];
                    for (int j = 0; j < numB.length; j++) {
                        numB[j] = fd(p.b[l], j, () -> batchLoss(p.W, p.b, p.x, p.y, loss));
                    }
                    double[] e = compare(r.g2W()[l], num);
                    double[] eb = compare(new double[][] {r.g2b()[l]}, new double[][] {numB});
                    maxRelG2 = Math.max(maxRelG2, Math.max(e[0], eb[0]));
                    maxAbsG2 = Math.max(maxAbsG2, Math.max(e[1], eb[1]));
                    assertTrue(e[0] < TOL, () -> p + ": g2W rel err " + e[0]);
                    assertTrue(eb[0] < TOL, () -> p + ": g2b rel err " + eb[0]);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------- (2) dl_b/dx_b

    @Test
    void inputGradientsMatchFiniteDifferencesOfPerExampleLoss() {
        for (Loss loss : Loss.values()) {
            Random rnd = new Random(2000 + loss.ordinal());
            for (int t = 0; t < TRIALS; t++) {
                Problem p = Problem.random(rnd, loss);
                Result r = PaperMlpReference.compute(p.W, p.b, p.x, p.y, loss);
                double lx = 0;
                for (int e = 0; e < p.x.length; e++) {
                    final int ex = e;
                    double[] num = new double[p.x[e].length];
                    for (int i = 0; i < num.length; i++) {
                        num[i] = fd(p.x[e], i, () -> exampleLoss(p.W, p.b, p.x[ex], p.y[ex], loss));
                    }
                    double[] err = compare(new double[][] {r.inputGradients()[e]}, new double[][] {num});
                    maxRelDx = Math.max(maxRelDx, err[0]);
                    maxAbsDx = Math.max(maxAbsDx, err[1]);
                    assertTrue(err[0] < TOL, () -> p + ": dl/dx rel err " + err[0]);
                    for (double d : num) {
                        lx += 0.5 * d * d;
                    }
                }
                lx /= p.x.length;
                // l_x (paper eq. 1, batch mean) from the numerical input gradients
                assertEquals(lx, r.inputLoss(), 1e-8 * Math.max(1, lx), "input loss value");
            }
        }
    }

    // ---------------------------------------------------------------------------- (3) g3, paper mode

    @Test
    void paperThirdPassMatchesFiniteDifferencesOfFrozenInputLoss() {
        for (Loss loss : Loss.values()) {
            Random rnd = new Random(3000 + loss.ordinal());
            for (int t = 0; t < TRIALS; t++) {
                Problem p = Problem.random(rnd, loss);
                Result r = PaperMlpReference.compute(p.W, p.b, p.x, p.y, loss);
                // Forward values (v(1-v), output error) taken at the unperturbed weights, once.
                Frozen frozen = freeze(p.W, p.b, p.x, p.y, loss);
                assertEquals(frozenInputLoss(frozen, p.W), r.inputLoss(), 1e-12 * Math.max(1, r.inputLoss()));

                double gapToExact = 0;
                for (int l = 0; l < p.W.length; l++) {
                    double[][] num = new double[p.W[l].length][p.W[l][0].length];
                    double[][] exact = new double[num.length][num[0].length];
                    for (int i = 0; i < num.length; i++) {
                        for (int j = 0; j < num[i].length; j++) {
                            // only the weights inside the backward recursion move
                            num[i][j] = fd(p.W[l][i], j, () -> frozenInputLoss(frozen, p.W));
                            // for contrast: forward values recomputed from the moved weights
                            exact[i][j] = fd(p.W[l][i], j,
                                    () -> frozenInputLoss(freeze(p.W, p.b, p.x, p.y, loss), p.W));
                        }
                    }
                    double[] e = compare(r.g3W()[l], num);
                    maxRelG3 = Math.max(maxRelG3, e[0]);
                    maxAbsG3 = Math.max(maxAbsG3, e[1]);
                    final int layer = l;
                    assertTrue(e[0] < TOL, () -> p + ": g3W[" + layer + "] rel err " + e[0]);
                    gapToExact = Math.max(gapToExact, compare(r.g3W()[l], exact)[0]);
                    // paper mode: biases get no third-pass gradient
                    for (double v : r.g3b()[l]) {
                        assertEquals(0.0, v, 0.0, "g3b must be zero");
                    }
                    assertEquals(p.b[l].length, r.g3b()[l].length);
                }
                // The frozen derivative is a different quantity from the exact d l_x/dW (the check
                // above would be vacuous otherwise).
                minFrozenVsExact = Math.min(minFrozenVsExact, gapToExact);
                final double gap = gapToExact;
                assertTrue(gap > 1e-3, () -> p + ": paper g3 unexpectedly equals exact, gap " + gap);
            }
        }
    }

    // ---------------------------------------------------------------------------- (4) depth 1

    /**
     * Depth 1 (no hidden layer), by hand. With u = x W + b and output error e = dl/du (held
     * constant), dl/dx_i = sum_k W_ik e_k, so the frozen input loss is l_x = 1/2 sum_i (sum_k W_ik
     * e_k)^2 and d l_x / d W_ij = (sum_k W_ik e_k) e_j = (dl/dx)_i e_j: the outer product of the
     * input gradient and the output error, g^0 (delta^1)^T, as section 3's first formula says.
     *
     * <p>MSE case: W = [[1],[2]], b = [0], x = [1, 1], y = [1]: u = 3, e = u - y = 2, l = 1/2 * 4
     * = 2; dl/dW = x^T e = [[2],[2]], dl/db = [2]; dl/dx = W e = [2, 4]; l_x = 1/2 (4 + 16) = 10;
     * g3 = [[2 * 2],[4 * 2]] = [[4],[8]].
     *
     * <p>Softmax case: W = [[1, -1]], b = [0, 0], x = [0], y = [1, 0]: u = b = [0, 0], p = [1/2,
     * 1/2], l = log 2, e = p - y = [-1/2, 1/2]; dl/dW = x^T e = [[0, 0]], dl/db = [-1/2, 1/2];
     * dl/dx = 1 * (-1/2) + (-1) * 1/2 = -1; l_x = 1/2; g3 = [[-1 * -1/2, -1 * 1/2]] = [[1/2,
     * -1/2]].
     */
    @Test
    void depthOneByHand() {
        Result m = PaperMlpReference.compute(
                new double[][][] {{{1}, {2}}}, new double[][] {{0}},
                new double[][] {{1, 1}}, new double[][] {{1}}, Loss.MSE);
        assertEquals(2.0, m.loss(), 1e-15);
        assertEquals(10.0, m.inputLoss(), 1e-15);
        assertDeepEquals(new double[][] {{2}, {2}}, m.g2W()[0]);
        assertDeepEquals(new double[][] {{2}}, m.g2b());
        assertDeepEquals(new double[][] {{2, 4}}, m.inputGradients());
        assertDeepEquals(new double[][] {{4}, {8}}, m.g3W()[0]);
        assertDeepEquals(new double[][] {{0}}, m.g3b());

        Result s = PaperMlpReference.compute(
                new double[][][] {{{1, -1}}}, new double[][] {{0, 0}},
                new double[][] {{0}}, new double[][] {{1, 0}}, Loss.SOFTMAX_XENT);
        assertEquals(Math.log(2), s.loss(), 1e-15);
        assertEquals(0.5, s.inputLoss(), 1e-15);
        assertDeepEquals(new double[][] {{0, 0}}, s.g2W()[0]);
        assertDeepEquals(new double[][] {{-0.5, 0.5}}, s.g2b());
        assertDeepEquals(new double[][] {{-1}}, s.inputGradients());
        assertDeepEquals(new double[][] {{0.5, -0.5}}, s.g3W()[0]);
        assertDeepEquals(new double[][] {{0, 0}}, s.g3b());

        // Batch-averaged closed form g3_ij = (1/B) sum_b (W e_b)_i e_bj on random depth-1 nets.
        for (Loss loss : Loss.values()) {
            Random rnd = new Random(4000 + loss.ordinal());
            for (int t = 0; t < TRIALS; t++) {
                Problem p = Problem.random(rnd, loss, 1);
                Result r = PaperMlpReference.compute(p.W, p.b, p.x, p.y, loss);
                double[][] W = p.W[0];
                double[][] closed = new double[W.length][W[0].length];
                for (int e = 0; e < p.x.length; e++) {
                    double[] err = outputError(forward(p.W, p.b, p.x[e]).logits, p.y[e], loss);
                    for (int i = 0; i < W.length; i++) {
                        double we = 0;
                        for (int k = 0; k < err.length; k++) {
                            we += W[i][k] * err[k];
                        }
                        for (int j = 0; j < err.length; j++) {
                            closed[i][j] += we * err[j] / p.x.length;
                        }
                    }
                }
                double[] e = compare(r.g3W()[0], closed);
                maxRelDepth1 = Math.max(maxRelDepth1, e[0]);
                assertTrue(e[0] < 1e-12, () -> p + ": depth-1 closed form rel err " + e[0]);
            }
        }
    }

    // ============================================================================ test-side model

    /** A random problem: depth 1-3, layer sizes 2-6, batch 3-5. */
    private record Problem(double[][][] W, double[][] b, double[][] x, double[][] y, Loss loss) {

        static Problem random(Random rnd, Loss loss) {
            return random(rnd, loss, 1 + rnd.nextInt(3));
        }

        static Problem random(Random rnd, Loss loss, int depth) {
            int[] n = new int[depth + 1];
            for (int l = 0; l <= depth; l++) {
                n[l] = 2 + rnd.nextInt(5);
            }
            int batch = 3 + rnd.nextInt(3);
            double[][][] W = new double[depth][][];
            double[][] b = new double[depth][];
            for (int l = 0; l < depth; l++) {
                W[l] = gaussian(rnd, n[l], n[l + 1], 1.5 / Math.sqrt(n[l]));
                b[l] = gaussian(rnd, 1, n[l + 1], 0.5)[0];
            }
            double[][] x = gaussian(rnd, batch, n[0], 1.0);
            double[][] y;
            if (loss == Loss.SOFTMAX_XENT) {
                y = new double[batch][n[depth]];
                for (double[] row : y) {
                    row[rnd.nextInt(n[depth])] = 1.0;
                }
            } else {
                y = gaussian(rnd, batch, n[depth], 1.0);
            }
            return new Problem(W, b, x, y, loss);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(loss + " sizes [" + W[0].length);
            for (double[][] w : W) {
                s.append(',').append(w[0].length);
            }
            return s.append("] batch ").append(x.length).toString();
        }
    }

    private static double[][] gaussian(Random rnd, int rows, int cols, double sd) {
        double[][] a = new double[rows][cols];
        for (double[] r : a) {
            for (int j = 0; j < cols; j++) {
                r[j] = sd * rnd.nextGaussian();
            }
        }
        return a;
    }

    /** Forward values of one example: hidden[l] = v^l for l = 1..L-1 (hidden[0] = x), logits. */
    private record Fwd(double[][] hidden, double[] logits) {}

    private static Fwd forward(double[][][] W, double[][] b, double[] x) {
        int depth = W.length;
        double[][] v = new double[depth][];
        v[0] = x;
        double[] cur = x;
        for (int l = 0; l < depth; l++) {
            double[] u = b[l].clone();
            for (int i = 0; i < cur.length; i++) {
                for (int j = 0; j < u.length; j++) {
                    u[j] += cur[i] * W[l][i][j];
                }
            }
            if (l == depth - 1) {
                return new Fwd(v, u);
            }
            for (int j = 0; j < u.length; j++) {
                u[j] = 1 / (1 + Math.exp(-u[j]));
            }
            v[l + 1] = u;
            cur = u;
        }
        throw new AssertionError("unreachable");
    }

    private static double exampleLoss(double[][][] W, double[][] b, double[] x, double[] y, Loss loss) {
        double[] z = forward(W, b, x).logits;
        double s = 0;
        if (loss == Loss.MSE) {
            for (int j = 0; j < z.length; j++) {
                s += 0.5 * (y[j] - z[j]) * (y[j] - z[j]);
            }
        } else {
            double sumExp = 0;
            for (double zj : z) {
                sumExp += Math.exp(zj);
            }
            for (int j = 0; j < z.length; j++) {
                s -= y[j] * Math.log(Math.exp(z[j]) / sumExp);
            }
        }
        return s;
    }

    private static double batchLoss(double[][][] W, double[][] b, double[][] x, double[][] y, Loss loss) {
        double s = 0;
        for (int e = 0; e < x.length; e++) {
            s += exampleLoss(W, b, x[e], y[e], loss);
        }
        return s / x.length;
    }

    /** dl/du^L: u - y (MSE) or softmax(u) - y (one-hot y). */
    private static double[] outputError(double[] z, double[] y, Loss loss) {
        double[] e = new double[z.length];
        if (loss == Loss.MSE) {
            for (int j = 0; j < z.length; j++) {
                e[j] = z[j] - y[j];
            }
        } else {
            double sumExp = 0;
            for (double zj : z) {
                sumExp += Math.exp(zj);
            }
            for (int j = 0; j < z.length; j++) {
                e[j] = Math.exp(z[j]) / sumExp - y[j];
            }
        }
        return e;
    }

    /** Per example: sigmoidDeriv[l] = v^l (1 - v^l) for hidden l (index 0 unused), outErr = dl/du^L. */
    private record Frozen(double[][][] sigmoidDeriv, double[][] outErr) {}

    private static Frozen freeze(double[][][] W, double[][] b, double[][] x, double[][] y, Loss loss) {
        int batch = x.length;
        double[][][] sd = new double[batch][W.length][];
        double[][] err = new double[batch][];
        for (int e = 0; e < batch; e++) {
            Fwd f = forward(W, b, x[e]);
            for (int l = 1; l < W.length; l++) {
                sd[e][l] = new double[f.hidden[l].length];
                for (int j = 0; j < sd[e][l].length; j++) {
                    sd[e][l][j] = f.hidden[l][j] * (1 - f.hidden[l][j]);
                }
            }
            err[e] = outputError(f.logits, y[e], loss);
        }
        return new Frozen(sd, err);
    }

    /**
     * l_x = (1/B) sum_b 1/2 ||dl_b/dx_b||^2 where dl_b/dx_b is computed by the backward recursion
     * d^L = outErr, d^l = s^l * (W^l d^{l+1}) (hidden l), dl/dx = W^0 d^1 — with s^l and outErr
     * taken from {@code f} and only the weights {@code W} free.
     */
    private static double frozenInputLoss(Frozen f, double[][][] W) {
        int batch = f.outErr.length;
        double total = 0;
        for (int e = 0; e < batch; e++) {
            double[] d = f.outErr[e];
            for (int l = W.length - 1; l >= 0; l--) {
                double[] dv = new double[W[l].length];
                for (int i = 0; i < dv.length; i++) {
                    for (int j = 0; j < d.length; j++) {
                        dv[i] += W[l][i][j] * d[j];
                    }
                }
                if (l > 0) {
                    for (int i = 0; i < dv.length; i++) {
                        dv[i] *= f.sigmoidDeriv[e][l][i];
                    }
                }
                d = dv;
            }
            for (double di : d) {
                total += 0.5 * di * di;
            }
        }
        return total / batch;
    }

    // ============================================================================ numerics

    /** 5-point central difference of f with respect to a[k] (a is perturbed in place, then restored). */
    private static double fd(double[] a, int k, DoubleSupplier f) {
        double x0 = a[k];
        a[k] = x0 + 2 * H;
        double f2 = f.getAsDouble();
        a[k] = x0 + H;
        double f1 = f.getAsDouble();
        a[k] = x0 - H;
        double fm1 = f.getAsDouble();
        a[k] = x0 - 2 * H;
        double fm2 = f.getAsDouble();
        a[k] = x0;
        return (-f2 + 8 * f1 - 8 * fm1 + fm2) / (12 * H);
    }

    /** {max relative error, max absolute error}; see the class comment for the metric. */
    private static double[] compare(double[][] analytic, double[][] numeric) {
        assertEquals(analytic.length, numeric.length);
        double scale = 0;
        for (double[] r : analytic) {
            for (double v : r) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double floor = Math.max(1e-3 * scale, 1e-300);
        double rel = 0;
        double abs = 0;
        for (int i = 0; i < analytic.length; i++) {
            assertEquals(analytic[i].length, numeric[i].length);
            for (int j = 0; j < analytic[i].length; j++) {
                double a = analytic[i][j];
                double n = numeric[i][j];
                double d = Math.abs(a - n);
                abs = Math.max(abs, d);
                rel = Math.max(rel, d / Math.max(Math.max(Math.abs(a), Math.abs(n)), floor));
            }
        }
        return new double[] {rel, abs};
    }

    private static void assertDeepEquals(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length);
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], 1e-15, "element [" + i + "][" + j + "]");
            }
        }
    }
}
