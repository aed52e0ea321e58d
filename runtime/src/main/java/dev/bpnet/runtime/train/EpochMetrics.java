package dev.bpnet.runtime.train;

/**
 * One epoch's figures, one row of metrics.csv. Losses are means over examples; "error" is the
 * classification error (1 - accuracy) or, for regression, the mean squared error
 * (1/(N k)) sum (prediction - label)^2. Train figures are running ones, measured on each batch
 * before its update; validation and test ones after the epoch. NaN where not measured (no
 * validation set, no third pass, a trainer that does not expose its output).
 *
 * @param epoch 1-based
 * @param steps updates since the start of training
 * @param seconds training time since the start of training (resumed runs continue it)
 */
public record EpochMetrics(int epoch, long steps, double trainLoss, double trainInputLoss, double trainError,
    double valLoss, double valInputLoss, double valError, double test, double seconds) {}
