package dev.bpnet.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The tests' Spark contexts: local mode, quiet, no web UI, Kryo as {@code bpnet train --spark} sets it. */
final class Spark {
  private Spark() {}

  static JavaSparkContext local(String master) {
    SparkConf conf = new SparkConf().setMaster(master).setAppName("bpnet-spark-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
    // as bpnet train --spark runs (Kryo); -Dserializer=java measures Java serialisation instead
    if ("java".equals(System.getProperty("serializer"))) {
      conf.set("spark.serializer", "org.apache.spark.serializer.JavaSerializer");
    }
    return new JavaSparkContext(Kryos.configure(conf));
  }
}
