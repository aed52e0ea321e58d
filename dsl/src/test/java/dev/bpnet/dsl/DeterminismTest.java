package dev.bpnet.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The same seed gives the same run, bit for bit, in float32 and float64; another seed does not. */
class DeterminismTest {
  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void sameSeedSameRun(DataType dt) throws Exception {
    var m = Models.mlp("Det", 10, new int[] {8}, 3, "relu", "softmax_cross_entropy",
        t -> t.withPasses(3).withAlpha(0.6).withThird("paper").withInit("three_pass"));
    var cls = TrainerLoader.compile(m);
    Trainer a = cls.getConstructor(DataType.class, long.class).newInstance(dt, 9L);
    Trainer b = cls.getConstructor(DataType.class, long.class).newInstance(dt, 9L);
    Trainer c = cls.getConstructor(DataType.class, long.class).newInstance(dt, 10L);
    Random r = new Random(1);
    for (int i = 0; i < 5; i++) {
      Map<String, INDArray> f = Map.of("x", TestData.gaussian(r, dt, 6, 10), "y", TestData.oneHot(r, dt, 6, 3));
      assertEquals(a.step(f), b.step(f));
      c.step(f);
    }
    for (String k : a.parameters().keySet()) {
      assertEquals(dt, a.parameters().get(k).dataType());
      assertEquals(a.parameters().get(k), b.parameters().get(k), k);
    }
    assertFalse(a.parameters().get("h1.W").equals(c.parameters().get("h1.W")), "another seed, other weights");
  }
}
