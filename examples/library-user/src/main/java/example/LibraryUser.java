package example;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.load.TrainerLoader;
import dev.bpnet.dsl.model.E;
import dev.bpnet.dsl.model.ModelBuilder;
import dev.bpnet.dsl.syntax.ModelDecl;
import dev.bpnet.runtime.StepResult;
import dev.bpnet.runtime.Trainer;
import dev.bpnet.runtime.data.Batch;
import dev.bpnet.runtime.data.Batches;
import dev.bpnet.runtime.data.Dataset;
import dev.bpnet.runtime.data.Mnist;
import dev.bpnet.runtime.io.Npz;
import dev.bpnet.runtime.train.TrainBlockRun;
import dev.bpnet.runtime.train.TrainingLoop;
import example.generated.SmallMnistModel;
import example.generated.SmallMnistTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * bpnet used as a library, three ways: a trainer compiled by {@code bpnet compile} and checked in
 * as source ({@link SmallMnistTrainer}, with its forward-only {@link SmallMnistModel}), a trainer
 * that javac generates from an annotated model ({@link AnnotatedMlp}), and a model built with the
 * Java builder API and compiled at run time.
 */
public final class LibraryUser {
  private LibraryUser() {}

  /**
   * Trains the compiled trainer as its train block says, saves it, loads it as a Model and scores
   * it on the test set: {the training loop's test accuracy, the Model's}.
   */
  static double[] compiledTrainerAndModel(Path dir) throws Exception {
    TrainSpec train = SmallMnistTrainer.TRAIN;  // the .bpnet file's train block, typed
    TrainBlockRun<SmallMnistTrainer> run = TrainingLoop.run(SmallMnistTrainer.class, train);
    System.out.printf("SmallMnist: %d epochs, test accuracy %.4f%n", run.epochs().size(), run.test());

    Path params = dir.resolve("params.npz");
    Npz.write(params, run.trainer().parameters());
    SmallMnistModel model = SmallMnistModel.load(params);  // thread-safe, any batch size
    Dataset test = run.data().test();
    INDArray logits = model.predict(test.features());
    return new double[] {run.test(), accuracy(logits, test.labels())};
  }

  /**
   * The trainer javac generated from {@link AnnotatedMlp}, trained as its {@code @Train} says, and
   * the forward-only model generated beside it: {the loop's test accuracy, the model's}.
   */
  static double[] annotatedTrainer() {
    TrainBlockRun<AnnotatedMlpTrainer> run = TrainingLoop.run(AnnotatedMlpTrainer.class, AnnotatedMlpTrainer.TRAIN);
    System.out.printf("AnnotatedMlp: test accuracy %.4f%n", run.test());
    AnnotatedMlpModel model = new AnnotatedMlpModel(run.trainer().parameters());
    Dataset test = run.data().test();
    return new double[] {run.test(), accuracy(model.predict(test.features()), test.labels())};
  }

  /** A model built in Java, compiled in memory, trained by hand on the bundled MNIST subset. */
  static double[] builtModel() {
    ModelDecl m = ModelBuilder.model("Built")
        .input("x", 784).label("y", 10)
        .let("h", E.relu(E.dense(E.ref("x"), 32)))
        .let("logits", E.dense(E.ref("h"), 10))
        .loss(E.call("softmax_cross_entropy", E.ref("logits"), E.ref("y")))
        .train(t -> t.withPasses(2).withOptimizer("sgd", Map.of("lr", 0.1)))
        .build();
    Trainer trainer = TrainerLoader.load(m);
    Dataset train = Mnist.bundled(DataType.FLOAT).split(2000).first();
    Batches batches = new Batches(train, 32, 1);
    double first = Double.NaN;
    double last = Double.NaN;
    for (Batch b : batches.epoch(0)) {
      StepResult r = trainer.step(Map.of("x", b.features(), "y", b.labels()));
      first = Double.isNaN(first) ? r.loss() : first;
      last = r.loss();
    }
    System.out.printf("Built: loss %.4f -> %.4f over one epoch%n", first, last);
    return new double[] {first, last};
  }

  static double accuracy(INDArray logits, INDArray oneHot) {
    INDArray predicted = logits.argMax(1);
    INDArray actual = oneHot.argMax(1);
    return predicted.eq(actual).castTo(DataType.DOUBLE).meanNumber().doubleValue();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("library-user");
    System.out.printf("SmallMnistModel on the test set: accuracy %.4f%n", compiledTrainerAndModel(dir)[1]);
    annotatedTrainer();
    builtModel();
  }
}
