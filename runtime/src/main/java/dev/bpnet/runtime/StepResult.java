package dev.bpnet.runtime;

/**
 * The losses of one step, measured before the update: the mini-batch loss L and the
 * input loss l_x = (1/B) sum_b 1/2 ||dl_b/dx_b||^2 (NaN when the trainer has no third pass).
 */
public record StepResult(double loss, double inputLoss) {}
