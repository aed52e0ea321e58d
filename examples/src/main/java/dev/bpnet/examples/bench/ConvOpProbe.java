package dev.bpnet.examples.bench;

import dev.bpnet.runtime.Convolutions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Is ND4J's native conv2d / conv2d_bp faster than the runtime's im2col + gemm where it can express
 * the geometry (symmetric padding)? Times both, interleaved, on single layers of the benchmark
 * nets, float32: the forward convolution, and the input plus filter gradients (conv2d_bp against
 * Conv2dTranspose + Conv2dFilter). {@code bench/run.sh --conv-ops}; prints one line per layer.
 */
public final class ConvOpProbe {
  private ConvOpProbe() {}

  /** b, c, h, w, filters, kernel, stride, pad (each side). */
  private record Layer(String name, int b, int c, int h, int w, int f, int k, int s, int p) {}

  public static void main(String[] args) {
    List<Layer> layers = List.of(new Layer("lenet c1 (1->6, 5x5, pad 2, 28x28)", 128, 1, 28, 28, 6, 5, 1, 2),
        new Layer("lenet c2 (6->16, 5x5, valid, 14x14)", 128, 6, 14, 14, 16, 5, 1, 0),
        new Layer("plain20 stage 1 (16->16, 3x3, pad 1, 32x32)", 128, 16, 32, 32, 16, 3, 1, 1),
        new Layer("plain20 stage 3 (64->64, 3x3, pad 1, 8x8)", 128, 64, 8, 8, 64, 3, 1, 1));
    System.out.println("load " + Machine.loadAverage());
    for (Layer l : layers) {
      int oh = (l.h() + 2 * l.p() - l.k()) / l.s() + 1;
      int ow = (l.w() + 2 * l.p() - l.k()) / l.s() + 1;
      INDArray x = Nd4j.rand(DataType.FLOAT, l.b(), l.c(), l.h(), l.w());
      INDArray k = Nd4j.rand(DataType.FLOAT, l.f(), l.c(), l.k(), l.k());
      INDArray g = Nd4j.rand(DataType.FLOAT, l.b(), l.f(), oh, ow);
      INDArray y = Nd4j.create(DataType.FLOAT, l.b(), l.f(), oh, ow);
      INDArray dx = Nd4j.create(DataType.FLOAT, l.b(), l.c(), l.h(), l.w());
      INDArray dk = Nd4j.create(DataType.FLOAT, l.f(), l.c(), l.k(), l.k());
      Convolutions.Window win = new Convolutions.Window(l.k(), l.k(), l.s(), l.s(), l.p(), l.p(), l.p(), l.p(), 1, 1);
      Convolutions.Conv2d fwd = new Convolutions.Conv2d(x, k, y, win);
      Convolutions.Conv2dTranspose tr = new Convolutions.Conv2dTranspose(g, k, dx, win);
      Convolutions.Conv2dFilter fi = new Convolutions.Conv2dFilter(x, g, dk, win);
      // kH, kW, sH, sW, pH, pW, dH, dW, same = 0, NCHW = 0, weights [oC, iC, kH, kW] = 1
      int[] iargs = {l.k(), l.k(), l.s(), l.s(), l.p(), l.p(), 1, 1, 0, 0, 1};
      DynamicCustomOp nfwd = DynamicCustomOp.builder("conv2d").addInputs(x, k).addOutputs(y.dup())
          .addIntegerArguments(iargs).build();
      DynamicCustomOp nbp = DynamicCustomOp.builder("conv2d_bp").addInputs(x, k, g).addOutputs(dx.dup(), dk.dup())
          .addIntegerArguments(iargs).build();
      // the native results against the runtime's, so that the timing compares equal work
      fwd.run();
      Nd4j.exec(nfwd);
      tr.run();
      fi.run();
      Nd4j.exec(nbp);
      double e1 = nfwd.outputArguments().get(0).sub(y).amaxNumber().doubleValue();
      double e2 = nbp.outputArguments().get(0).sub(dx).amaxNumber().doubleValue();
      double e3 = nbp.outputArguments().get(1).sub(dk).amaxNumber().doubleValue() / dk.amaxNumber().doubleValue();
      List<Timing.Contender> cs = new ArrayList<>();
      cs.add(new Timing.Contender("bpnet", "forward", n -> {
        for (int i = 0; i < n; i++) {
          fwd.run();
        }
      }));
      cs.add(new Timing.Contender("nd4j", "forward", n -> {
        for (int i = 0; i < n; i++) {
          Nd4j.exec(nfwd);
        }
      }));
      cs.add(new Timing.Contender("bpnet", "backward", n -> {
        for (int i = 0; i < n; i++) {
          tr.run();
          fi.run();
        }
      }));
      cs.add(new Timing.Contender("nd4j", "backward", n -> {
        for (int i = 0; i < n; i++) {
          Nd4j.exec(nbp);
        }
      }));
      List<Timing.Result> rs = Timing.interleaved(cs, 5, 0.2, 0.5);
      System.out.printf(Locale.ROOT, "%s (max diff y %.1e, dx %.1e, dk rel %.1e), CPU ms:%n", l.name(), e1, e2, e3);
      for (Timing.Result r : rs) {
        System.out.printf(Locale.ROOT, "  %-6s %-8s %8.2f%n", r.contender().impl(), r.contender().mode(), r.cpuMsPerStep());
      }
    }
    System.out.println("load " + Machine.loadAverage());
  }
}
