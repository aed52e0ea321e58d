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
 * Per convolution primitive and layer shape, which binding is fastest: the runtime's im2col +
 * gemm ({@code Convolutions.use(JAVA)}), ND4J's native op ({@code use(NATIVE)}: conv2d, deconv2d,
 * conv2d_bp where the geometry allows) or oneDNN called directly ({@code use(DNNL)}, in plain
 * layouts and in its preferred blocked ones)? Binds each of the runtime's three convolution ops
 * once per binding ({@code -Dprobe.impls}) and times them interleaved on single layers of the benchmark nets,
 * float32, batch 128; also conv2d_bp's dx and dW together, and ND4J's native pooling against the
 * runtime's on LeNet's pools. The native path is ND4J's own loops on the default build and oneDNN
 * on the {@code linux-x86_64-onednn} one (the first line says which). {@code bench/run.sh
 * --conv-ops}; prints one block per layer.
 */
public final class ConvOpProbe {
  private ConvOpProbe() {}

  /** b, c, h, w, filters, kernel, stride, padding top/left and bottom/right. */
  private record Layer(String name, int b, int c, int h, int w, int f, int k, int s, int pBefore, int pAfter) {}

  public static void main(String[] args) {
    List<Layer> layers = List.of(new Layer("lenet c1 (1->6, 5x5, pad 2, 28x28)", 128, 1, 28, 28, 6, 5, 1, 2, 2),
        new Layer("lenet c2 (6->16, 5x5, valid, 14x14)", 128, 6, 14, 14, 16, 5, 1, 0, 0),
        new Layer("plain20 c1 (3->16, 3x3, pad 1, 32x32)", 128, 3, 32, 32, 16, 3, 1, 1, 1),
        new Layer("plain20 stage 1 (16->16, 3x3, pad 1, 32x32)", 128, 16, 32, 32, 16, 3, 1, 1, 1),
        new Layer("plain20 stage 2 entry (16->32, 3x3, stride 2, pad 0/1, 32x32)", 128, 16, 32, 32, 32, 3, 2, 0, 1),
        new Layer("plain20 stage 2 (32->32, 3x3, pad 1, 16x16)", 128, 32, 16, 16, 32, 3, 1, 1, 1),
        new Layer("plain20 stage 3 entry (32->64, 3x3, stride 2, pad 0/1, 16x16)", 128, 32, 16, 16, 64, 3, 2, 0, 1),
        new Layer("plain20 stage 3 (64->64, 3x3, pad 1, 8x8)", 128, 64, 8, 8, 64, 3, 1, 1, 1));
    String only = System.getProperty("probe.layers", "");
    System.out.println("oneDNN in libnd4j: " + Convolutions.oneDnn() + "; oneDNN direct (org.bytedeco:dnnl): "
        + Convolutions.dnnl() + "; load " + Machine.loadAverage());
    for (Layer l : layers) {
      if (!only.isEmpty() && !l.name().startsWith(only)) {
        continue;
      }
      conv(l);
    }
    if ((only.isEmpty() || only.startsWith("pool")) && !Boolean.getBoolean("probe.noPools")) {
      pools(128, 6, 28, 28);
      pools(128, 16, 10, 10);
    }
    System.out.println("load " + Machine.loadAverage());
  }

  private static void conv(Layer l) {
    Convolutions.Window win = new Convolutions.Window(l.k(), l.k(), l.s(), l.s(), l.pBefore(), l.pAfter(), l.pBefore(),
        l.pAfter(), 1, 1);
    int oh = win.outH(l.h());
    int ow = win.outW(l.w());
    INDArray x = Nd4j.rand(DataType.FLOAT, l.b(), l.c(), l.h(), l.w());
    INDArray k = Nd4j.rand(DataType.FLOAT, l.f(), l.c(), l.k(), l.k());
    INDArray g = Nd4j.rand(DataType.FLOAT, l.b(), l.f(), oh, ow);
    List<Timing.Contender> cs = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> settings = settings();
    INDArray[] outs = new INDArray[3 * settings.size()];
    int i = 0;
    for (String setting : settings) {
      // dnnl-blocked: oneDNN in the layouts it prefers (format_tag any), reordered from and to the arrays
      Convolutions.Impl impl = Convolutions.Impl.valueOf(setting.replaceAll("-(plain|blocked)$", "").toUpperCase(Locale.ROOT));
      String layout = System.getProperty("bpnet.dnnl.layout");
      System.setProperty("bpnet.dnnl.layout", layoutOf(setting));
      Convolutions.Impl before = Convolutions.use(impl);
      INDArray y = Nd4j.create(DataType.FLOAT, l.b(), l.f(), oh, ow);
      INDArray dx = Nd4j.create(DataType.FLOAT, l.b(), l.c(), l.h(), l.w());
      INDArray dk = Nd4j.create(DataType.FLOAT, l.f(), l.c(), l.k(), l.k());
      Convolutions.Conv2d fwd = new Convolutions.Conv2d(x, k, y, win);
      Convolutions.Conv2dTranspose tr = new Convolutions.Conv2dTranspose(g, k, dx, win);
      Convolutions.Conv2dFilter fi = new Convolutions.Conv2dFilter(x, g, dk, win);
      Convolutions.use(before);
      if (layout == null) {
        System.clearProperty("bpnet.dnnl.layout");
      } else {
        System.setProperty("bpnet.dnnl.layout", layout);
      }
      fwd.run();
      tr.run();
      fi.run();
      outs[i++] = y;
      outs[i++] = dx;
      outs[i++] = dk;
      String tag = setting.startsWith("dnnl") ? " [" + layoutOf(setting) + "]" : "";
      cs.add(contender(fwd.impl() + tag, "forward", fwd::run));
      cs.add(contender(tr.impl() + tag, "input grad", tr::run));
      cs.add(contender(fi.impl() + tag, "filter grad", fi::run));
      if (i > 3) {
        notes.add(String.format(Locale.ROOT, "max rel diff %s - %s: y %.1e, dx %.1e, dk %.1e", setting, settings.get(0),
            rel(outs[i - 3], outs[0]), rel(outs[i - 2], outs[1]), rel(outs[i - 1], outs[2])));
      }
    }
    if (l.pBefore() == l.pAfter() && settings.contains("native")) {
      // dx and dW in one native call, as the first probe timed it
      int[] iargs = {l.k(), l.k(), l.s(), l.s(), l.pBefore(), l.pBefore(), 1, 1, 0, 0, 1};
      DynamicCustomOp nbp = DynamicCustomOp.builder("conv2d_bp").addInputs(x, k, g)
          .addOutputs(outs[1].dup(), outs[2].dup()).addIntegerArguments(iargs).build();
      cs.add(contender("nd4j conv2d_bp", "dx + dW", () -> Nd4j.exec(nbp)));
    }
    List<Timing.Result> rs = Timing.interleaved(cs, 5, 0.2, 0.5);
    System.out.printf(Locale.ROOT, "%s, CPU ms (%s):%n", l.name(), String.join("; ", notes));
    for (Timing.Result r : rs) {
      System.out.printf(Locale.ROOT, "  %-12s %-44s %8.2f%n", r.contender().mode(), r.contender().impl(), r.cpuMsPerStep());
    }
  }

  /** The oneDNN layout of a setting: dnnl-plain plain, dnnl-blocked blocked, else auto (DnnlConvolutions' rule). */
  static String layoutOf(String setting) {
    return setting.endsWith("-plain") ? "plain" : setting.endsWith("-blocked") ? "blocked" : "auto";
  }

  /**
   * The bindings timed, {@code -Dprobe.impls} (default {@code java,native,dnnl-plain,dnnl-blocked}):
   * the settings of {@link Convolutions#use}, with {@code -plain} or {@code -blocked} after
   * {@code dnnl} for {@code -Dbpnet.dnnl.layout=plain} or {@code blocked} ({@code dnnl} alone:
   * auto). The first is the reference of the differences printed.
   */
  private static List<String> settings() {
    return List.of(System.getProperty("probe.impls", "java,native,dnnl-plain,dnnl-blocked").split(","));
  }

  /** Max pooling 2x2 (forward and scatter) and average pooling 2x2, the runtime's against ND4J's native ops. */
  private static void pools(int b, int c, int h, int w) {
    Convolutions.Window win = new Convolutions.Window(2, 2, 2, 2, 0, 0, 0, 0, 1, 1);
    INDArray x = Nd4j.rand(DataType.FLOAT, b, c, h, w);
    INDArray g = Nd4j.rand(DataType.FLOAT, b, c, h / 2, w / 2);
    INDArray y = Nd4j.create(DataType.FLOAT, b, c, h / 2, w / 2);
    INDArray yn = y.dup();
    INDArray dx = x.dup();
    INDArray dxn = x.dup();
    Convolutions.MaxPoolGather max = new Convolutions.MaxPoolGather(x, x, y, win);
    Convolutions.MaxPoolScatter scatter = new Convolutions.MaxPoolScatter(x, g, dx, win);
    // kH, kW, sH, sW, pH, pW, dH, dW, same = 0, extra (avg: 1 = divide by kH kW), NCHW = 0
    int[] iargs = {2, 2, 2, 2, 0, 0, 1, 1, 0, 1, 0};
    DynamicCustomOp nmax = DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(yn).addIntegerArguments(iargs).build();
    DynamicCustomOp nscatter = DynamicCustomOp.builder("maxpool2d_bp").addInputs(x, g).addOutputs(dxn)
        .addIntegerArguments(iargs).build();
    Convolutions.AvgPool avg = new Convolutions.AvgPool(x, y, win);
    Convolutions.AvgPoolTranspose avgT = new Convolutions.AvgPoolTranspose(g, dx, win);
    DynamicCustomOp navg = DynamicCustomOp.builder("avgpool2d").addInputs(x).addOutputs(yn).addIntegerArguments(iargs).build();
    DynamicCustomOp navgT = DynamicCustomOp.builder("avgpool2d_bp").addInputs(x, g).addOutputs(dxn)
        .addIntegerArguments(iargs).build();
    max.run();
    Nd4j.exec(nmax);
    double e1 = rel(yn, y);
    scatter.run();
    Nd4j.exec(nscatter);
    double e2 = rel(dxn, dx);
    List<Timing.Contender> cs = List.of(contender("java", "max_pool", max::run),
        contender("nd4j maxpool2d", "max_pool", () -> Nd4j.exec(nmax)),
        contender("java", "max scatter", scatter::run),
        contender("nd4j maxpool2d_bp", "max scatter", () -> Nd4j.exec(nscatter)),
        contender("java", "avg_pool", avg::run),
        contender("nd4j avgpool2d", "avg_pool", () -> Nd4j.exec(navg)),
        contender("java", "avg transpose", avgT::run),
        contender("nd4j avgpool2d_bp", "avg transpose", () -> Nd4j.exec(navgT)));
    List<Timing.Result> rs = Timing.interleaved(cs, 5, 0.2, 0.5);
    System.out.printf(Locale.ROOT, "pool 2x2 over [%d, %d, %d, %d] (max rel diff native - java: max %.1e, scatter %.1e), CPU ms:%n",
        b, c, h, w, e1, e2);
    for (Timing.Result r : rs) {
      System.out.printf(Locale.ROOT, "  %-12s %-18s %8.2f%n", r.contender().mode(), r.contender().impl(), r.cpuMsPerStep());
    }
  }

  private static Timing.Contender contender(String impl, String what, Runnable op) {
    return new Timing.Contender(impl, what, n -> {
      for (int i = 0; i < n; i++) {
        op.run();
      }
    });
  }

  /** max |a - b| / max |b|. */
  private static double rel(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue() / Math.max(1e-30, b.amaxNumber().doubleValue());
  }
}
