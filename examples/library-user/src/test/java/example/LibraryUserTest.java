package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three ways of LibraryUser train and predict as they should. */
class LibraryUserTest {
  @TempDir Path dir;

  @Test
  void compiledTrainerTrainsAndItsModelPredicts() throws Exception {
    double[] accuracy = LibraryUser.compiledTrainerAndModel(dir);
    assertTrue(accuracy[0] > 0.75, "accuracy " + accuracy[0]);
    // the Model predicts the whole test set in one batch, the loop scored it in batches: the same digits
    assertEquals(accuracy[0], accuracy[1], 1e-9);
  }

  @Test
  void annotatedTrainerTrainsAndItsModelPredicts() {
    double[] accuracy = LibraryUser.annotatedTrainer();
    assertTrue(accuracy[0] > 0.8, "accuracy " + accuracy[0]);
    assertEquals(accuracy[0], accuracy[1], 1e-9);
  }

  @Test
  void builtModelLearns() {
    double[] loss = LibraryUser.builtModel();
    assertTrue(loss[1] < loss[0] / 2, loss[0] + " -> " + loss[1]);
  }

  @Test
  void theTrainBlockIsTheFiles() {
    assertEquals(2, example.generated.SmallMnistTrainer.TRAIN.epochs());
    assertEquals(3000.0, example.generated.SmallMnistTrainer.TRAIN.dataArgs().get("train"));
  }
}
