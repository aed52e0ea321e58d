/**
 * Annotations that describe a model on a Java type, for the bpnet annotation processor
 * ({@code bpnet-annotation-processor} on javac's processor path). They mirror the .bpnet language:
 *
 * <pre>{@code
 * @BpNetModel(train = @Train(passes = 3, alpha = 0.8, optimizer = "sgd(lr = 0.1)"))
 * interface Mnist {
 *   @Input(784) INDArray x();
 *   @Label(10) INDArray y();
 *   @Dense(value = 512, activation = "relu") INDArray h(INDArray x);
 *   @Dense(10) INDArray logits(INDArray h);
 *   @Loss("softmax_cross_entropy") INDArray loss(INDArray logits, INDArray y);
 * }
 * }</pre>
 *
 * javac then generates {@code MnistTrainer} in the same package. A member's name is the name of
 * the value it defines; a layer's parameters name its inputs. Strings hold the language's
 * expressions (docs/language.md) and are checked like a .bpnet file, with diagnostics that point
 * into the string. The annotations are read at compile time only.
 */
package dev.bpnet.api.annotation;
