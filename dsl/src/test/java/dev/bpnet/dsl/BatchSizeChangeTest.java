package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Buffers;
import dev.bpnet.runtime.Gradients;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainer whose batch size changes frees the previous size's buffers at once (their off-heap
 * memory would otherwise wait for the garbage collector: a conv trainer grew to 12-21 GB), and
 * computes after the change exactly as a trainer that only ever saw the new size.
 */
class BatchSizeChangeTest {
  /** Convolutions (im2col scratch), pooling, ReLU masks, a bias's column sums and a third pass. */
  private static final String SOURCE = "model Sizes { input x: [2, 6, 6] label y: [3]\n"
      + " c = relu(conv2d(x, 3, kernel = 3, padding = same))\n"
      + " p = max_pool(c, 2)\n"
      + " d = tanh(conv2d(p, 2, kernel = 2, stride = 2, padding = 1))\n"
      + " logits = dense(flatten(avg_pool(d, 2)), 3)\n"
      + " loss = softmax_cross_entropy(logits, y)\n"
      + " train { passes = 3 third = exact alpha = 0.7 } }\n";

  private static Trainer trainer() {
    return TrainerLoader.instantiate(FileCompiler.model(new SourceFile("sizes.bpnet", SOURCE), null), DataType.DOUBLE, 3);
  }

  private static Map<String, INDArray> batch(Random r, int b) {
    return Map.of("x", TestData.gaussian(r, DataType.DOUBLE, b, 72), "y", TestData.oneHot(r, DataType.DOUBLE, b, 3));
  }

  private static Buffers buffers(Trainer t) throws ReflectiveOperationException {
    var f = t.getClass().getDeclaredField("buffers");
    f.setAccessible(true);
    return (Buffers) f.get(t);
  }

  @Test
  void changingTheBatchSizeFreesTheOldBuffersAndComputesAsAFreshTrainer() throws Exception {
    Random r = new Random(11);
    Trainer t = trainer();
    t.step(batch(r, 8));
    INDArray outputAt8 = t.lastOutput();
    long bytesAt8 = buffers(t).bytes();
    assertTrue(bytesAt8 > 0, "buffers are counted");
    for (int size : new int[] {5, 8, 1, 8}) {
      Map<String, INDArray> feeds = batch(r, size);
      Trainer fresh = trainer();  // allocates for this size only, with t's parameters
      t.parameters().forEach((k, v) -> fresh.parameters().get(k).assign(v));
      Gradients expected = fresh.gradients(feeds);
      Gradients got = t.gradients(feeds);
      assertEquals(expected.loss(), got.loss(), 0.0, "L at batch " + size);
      assertEquals(expected.inputLoss(), got.inputLoss(), 0.0, "l_x at batch " + size);
      for (String p : expected.direction().keySet()) {
        assertArrayEquals(expected.direction().get(p).data().asDouble(), got.direction().get(p).data().asDouble(), 0.0,
            "direction of " + p + " at batch " + size);
      }
      t.step(feeds);
    }
    assertTrue(outputAt8.wasClosed(), "the first batch size's output buffer was freed");
    assertFalse(t.lastOutput().wasClosed(), "the current one is live");
    assertEquals(bytesAt8, buffers(t).bytes(), "back at batch 8, the buffers hold one size's bytes");
  }
}
