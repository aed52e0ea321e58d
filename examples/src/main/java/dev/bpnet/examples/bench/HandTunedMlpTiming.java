package dev.bpnet.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times {@link HandTunedMlp}: 784-512-10, batch 128, float32, random inputs in [0,1) and random
 * one-hot labels; 10 warm-up steps, then 5 repeats of 100 steps; prints the median wall-clock
 * ms/step ({@code ms_per_step}) as one JSON line. Also prints the median CPU time of the stepping
 * thread per step ({@code cpu_ms_per_step}), which is less disturbed by other processes on the
 * machine. Run with {@code OMP_NUM_THREADS=1} to match the PyTorch reference (bench/torch_mlp.py).
 *
 * <p>Optional arguments: {@code sizes batch steps repeats}, e.g. {@code 784,512,10 128 100 5}.
 */
public final class HandTunedMlpTiming {

    private HandTunedMlpTiming() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length > 0
                ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {784, 512, 10};
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = 10;
        double lr = 0.01;
        DataType dtype = DataType.FLOAT;

        Random rnd = new Random(0);
        int nIn = sizes[0];
        int nOut = sizes[sizes.length - 1];
        float[] xs = new float[batch * nIn];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = rnd.nextFloat();
        }
        float[] ys = new float[batch * nOut];
        for (int r = 0; r < batch; r++) {
            ys[r * nOut + rnd.nextInt(nOut)] = 1f;
        }
        INDArray x = Nd4j.create(xs, new long[] {batch, nIn}, 'c');
        INDArray y = Nd4j.create(ys, new long[] {batch, nOut}, 'c');

        HandTunedMlp mlp = new HandTunedMlp(sizes, dtype, 0L);
        double loss = 0;
        for (int s = 0; s < warmup; s++) {
            loss = mlp.step(x, y, lr);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] runs = new double[repeats];
        double[] cpuRuns = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                loss = mlp.step(x, y, lr);
            }
            runs[r] = (System.nanoTime() - t0) / 1e6 / steps;
            cpuRuns[r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6 / steps;
        }
        System.out.printf("{\"impl\": \"nd4j-hand-tuned\", \"mode\": \"2pass\", \"sizes\": %s, \"batch\": %d,"
                        + " \"dtype\": \"%s\", \"omp_num_threads\": \"%s\", \"runs_ms\": %s,"
                        + " \"final_loss\": %.6f, \"cpu_ms_per_step\": %.4f, \"ms_per_step\": %.4f}%n",
                Arrays.toString(sizes), batch, dtype, System.getenv("OMP_NUM_THREADS"),
                Arrays.toString(runs), loss, median(cpuRuns), median(runs));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
