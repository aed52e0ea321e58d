package dev.bpnet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.runtime.Convolutions.Window;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where oneDNN cannot load (a platform its presets do not ship, a class path without them), the
 * convolution ops bind the Java ones under {@code auto} and {@code dnnl}, without an exception
 * and without a word on the console: a child JVM on this test's class path less the presets'
 * native jar (what another platform sees), or less both of their jars, binds the three ops and
 * prints what they run.
 */
class DnnlFallbackTest {
  @ParameterizedTest
  @ValueSource(strings = {"dnnl-2.5.2-1.5.7-linux-x86_64.jar", "dnnl-2.5.2-1.5.7"})
  void withoutTheLibraryTheJavaOpsBindQuietly(String dropped) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String kept = Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.contains(dropped))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(kept.length() < cp.length(), "the class path holds " + dropped + ": " + cp);
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", kept, Child.class.getName()).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    String ops = out.lines().filter(l -> l.startsWith("ops ")).findFirst().orElse("(none) " + out);
    assertEquals("ops im2col + gemm|gemm + col2im|im2col + gemm|im2col + gemm", ops, out);
    assertTrue(out.lines().noneMatch(l -> l.toLowerCase(java.util.Locale.ROOT).contains("onednn")
        || l.contains("Exception") || l.contains("Error")), "nothing said about oneDNN: " + out);
  }

  /** Binds the three ops under dnnl and once under auto, prints their impl() names. */
  public static final class Child {
    public static void main(String[] args) {
      Window win = new Window(3, 3, 2, 2, 0, 1, 0, 1, 1, 1);
      INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
      INDArray k = Nd4j.rand(DataType.FLOAT, 4, 3, 3, 3);
      INDArray y = Nd4j.create(DataType.FLOAT, 2, 4, 4, 4);
      Convolutions.use(Convolutions.Impl.DNNL);
      Convolutions.Conv2d c = new Convolutions.Conv2d(x, k, y, win);
      Convolutions.Conv2dTranspose t = new Convolutions.Conv2dTranspose(y, k, x.dup(), win);
      Convolutions.Conv2dFilter f = new Convolutions.Conv2dFilter(x, y, k.dup(), win);
      c.run();
      t.run();
      f.run();
      Convolutions.use(Convolutions.Impl.AUTO);
      Convolutions.Conv2d a = new Convolutions.Conv2d(x, k, y, win);
      a.run();
      System.out.println("ops " + c.impl() + "|" + t.impl() + "|" + f.impl() + "|" + a.impl());
    }
  }
}
