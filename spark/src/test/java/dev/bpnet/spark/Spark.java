package dev.bpnet.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The tests' Spark contexts: local mode, quiet, no web UI. */
final class Spark {
  private Spark() {}

  static JavaSparkContext local(String master) {
    return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("bpnet-spark-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
  }
}
