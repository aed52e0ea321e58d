/**
 * A .bpnet file compiled by javac: {@code examples/mnist/mnist.bpnet}, which Maven copies to the
 * class output as {@code mnist/mnist.bpnet} before compiling, becomes
 * {@code MnistThreePassTrainer} in this package at build time.
 */
@BpNetSource("mnist/mnist.bpnet")
package dev.bpnet.examples.source;

import dev.bpnet.api.annotation.BpNetSource;

