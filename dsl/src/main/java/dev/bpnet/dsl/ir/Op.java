package dev.bpnet.dsl.ir;

/**
 * The primitive operations. Every one has a VJP rule in {@code ad.Vjp} written with these
 * same primitives, so the reverse-mode transform can be applied to its own output.
 */
public enum Op {
  // leaves
  INPUT, PARAM, CONST, SIZE,
  // a training hyperparameter as a 0-d value refreshed each step ("lr", "eps")
  HYPER,
  // a user activation: the value of input 0, with the derivative its rule defines
  RULE,
  // elementwise binary (numpy broadcasting)
  ADD, SUB, MUL, DIV, POW,
  // comparisons: 1 where true, 0 where false; no gradient
  GT, GE, LT, LE, EQ, NE,
  // elementwise unary
  NEG, EXP, LOG, SQRT, SIGMOID, TANH, RELU, LEAKY_RELU,
  // elementwise, with no derivative: usable where nothing differentiates through them
  // (a backward rule of a 2-pass trainer, such as sign-symmetric feedback), refused elsewhere
  SIGN, ROUND,
  // fused backward kernels: (z, g) -> g * f'(z)
  SIGMOID_BP, TANH_BP, RELU_BP, LEAKY_RELU_BP,
  // selection
  CLAMP, WHERE,
  // linear algebra and layout
  MATMUL, BIAS_ADD, TRANSPOSE, RESHAPE, BROADCAST,
  // reductions and normalisers over axes
  SUM, MEAN, SOFTMAX, LOG_SOFTMAX,
  // identity forward, zero backward
  STOP_GRADIENT;

  public boolean isComparison() {
    return this == GT || this == GE || this == LT || this == LE || this == EQ || this == NE;
  }

  public boolean isElementwiseBinary() {
    return this == ADD || this == SUB || this == MUL || this == DIV || this == POW || isComparison();
  }

  /** Ops whose derivative is undefined (or zero almost everywhere, hiding a mistake). */
  public boolean hasNoDerivative() {
    return this == SIGN || this == ROUND;
  }

  public boolean isElementwiseUnary() {
    return this == NEG || this == EXP || this == LOG || this == SQRT || this == SIGMOID
        || this == TANH || this == RELU || this == LEAKY_RELU || this == STOP_GRADIENT
        || this == SIGN || this == ROUND;
  }
}
