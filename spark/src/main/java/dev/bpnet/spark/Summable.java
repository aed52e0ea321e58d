package dev.bpnet.spark;

/** A partial result that tasks' results are added into ({@link BlockSum}). */
interface Summable<T extends Summable<T>> {
  T plus(T other);
}
