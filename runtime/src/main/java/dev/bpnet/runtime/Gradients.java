package dev.bpnet.runtime;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Losses and gradients of one batch, detached copies keyed by parameter name.
 *
 * @param loss the mini-batch loss L
 * @param inputLoss the input loss l_x, NaN without a third pass
 * @param pass2 g2 = dL/dtheta, the backward pass
 * @param pass3 g3 = dl_x/dtheta, the third pass (empty without one)
 * @param direction the update direction alpha*g2 + (1-alpha)*g3 handed to the optimizer
 */
public record Gradients(
    double loss,
    double inputLoss,
    Map<String, INDArray> pass2,
    Map<String, INDArray> pass3,
    Map<String, INDArray> direction) {}
