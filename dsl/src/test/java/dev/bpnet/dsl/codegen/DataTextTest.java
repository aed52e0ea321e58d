package dev.bpnet.dsl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.dsl.compile.FileCompiler;
import dev.bpnet.dsl.compile.SourceFile;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.runtime.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** A data option's arguments in quotes (a CSV file's label columns) reach the trainer's TRAIN constant. */
class DataTextTest {

  private static TrainingGraph graph(String data) {
    String text = "model K { input x: [3] label y: [2]\n out = dense(x, 2)\n loss = mse(out, y)\n"
        + " train { data = " + data + " } }\n";
    return FileCompiler.model(new SourceFile("k.bpnet", text), null);
  }

  private static TrainSpec constant(TrainingGraph g) throws Exception {
    Trainer t = TrainerLoader.instantiate(g, DataType.DOUBLE, 1);
    return (TrainSpec) t.getClass().getField("TRAIN").get(null);
  }

  @Test
  void labelColumnsByNameAndListAreKeptAsText() throws Exception {
    TrainingGraph g = graph("path(\"t.csv\", label_columns = \"y1, 4..5\", test = 10)");
    TrainSpec s = g.program().train();
    assertEquals(Map.of("label_columns", "y1, 4..5"), s.dataText());
    assertEquals(Map.of("test", 10.0), s.dataArgs());
    assertEquals(s, constant(g), "the generated TRAIN constant is the train block");
    TrainingGraph named = graph("path(\"t.csv\", label_column = \"species\")");
    assertEquals(Map.of("label_column", "species"), named.program().train().dataText());
    assertEquals(named.program().train(), constant(named));
    // a number stays a number
    TrainingGraph number = graph("path(\"t.csv\", label_column = -1)");
    assertEquals(Map.of(), number.program().train().dataText());
    assertEquals(Map.of("label_column", -1.0), number.program().train().dataArgs());
  }
}
