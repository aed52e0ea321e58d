package dev.bpnet.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Kryo for what a step ships through Spark's serializer: the broadcast parameters (and optimizer
 * state, and the trainer's recipe), the shards (the elements of a parallelized list) and the
 * tasks' results. Java serialisation writes a float
 * array element by element through a block buffer; Kryo writes the same bytes (the values, 4 or 8
 * bytes each) in a fraction of the time (README, Training on Spark, for the figures). Tasks
 * themselves are always written by Java serialisation (Spark's closure serializer).
 *
 * <p>Kryo cannot build a record (it sets fields by reflection, and a record's fields cannot be
 * set so): {@link RecordSerializer} writes the components and calls the canonical constructor.
 */
public final class Kryos implements KryoRegistrator {
  /** The records that travel through Spark's serializer. */
  private static final List<Class<? extends Record>> RECORDS = List.of(Tensor.class, Shard.class,
      SparkTrainer.RoundTask.class, StepJob.Parameters.class,
      ShardSums.class, BlockSum.class, RoundJob.Start.class, RoundSums.class, TrainerRecipe.class,
      StreamedData.Block.class, StreamedData.Meta.class, StreamedData.Part.class);

  /**
   * Sets Spark to Kryo with these registrations, unless the configuration names a serializer or a
   * registrator already (a user's choice is kept; Java serialisation works too, slower).
   */
  public static SparkConf configure(SparkConf conf) {
    if (!conf.contains("spark.serializer") && !conf.contains("spark.kryo.registrator")) {
      conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
      conf.set("spark.kryo.registrator", Kryos.class.getName());
    }
    return conf;
  }

  @Override
  public void registerClasses(Kryo kryo) {
    for (Class<? extends Record> c : RECORDS) {
      kryo.register(c, new RecordSerializer<>(c));
    }
    kryo.register(TreeMap.class);
    kryo.register(LinkedHashMap.class);
    kryo.register(ArrayList.class);
    kryo.register(float[].class);
    kryo.register(double[].class);
    kryo.register(long[].class);
    kryo.register(byte[].class);
    kryo.register(int[].class);
    kryo.register(Tensor[].class);
  }

  /**
   * A record as its components, each written with its class, read back through the canonical
   * constructor. Maps and lists that Kryo could not rebuild (the immutable ones of {@code Map.of},
   * {@code List.copyOf}) travel as LinkedHashMap and ArrayList; a TreeMap stays one.
   */
  static final class RecordSerializer<R extends Record> extends Serializer<R> {
    private final RecordComponent[] components;
    private final Constructor<R> constructor;

    RecordSerializer(Class<R> type) {
      this.components = type.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < types.length; i++) {
        types[i] = components[i].getType();
        components[i].getAccessor().setAccessible(true);
      }
      try {
        this.constructor = type.getDeclaredConstructor(types);
        constructor.setAccessible(true);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void write(Kryo kryo, Output out, R r) {
      for (RecordComponent c : components) {
        Object v;
        try {
          v = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        if (v instanceof Map<?, ?> m && !(m instanceof TreeMap) && !(m instanceof LinkedHashMap)) {
          v = new LinkedHashMap<>(m);
        } else if (v instanceof List<?> l && !(l instanceof ArrayList)) {
          v = new ArrayList<>(l);
        }
        kryo.writeClassAndObject(out, v);
      }
    }

    @Override
    public R read(Kryo kryo, Input in, Class<R> type) {
      Object[] values = new Object[components.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = kryo.readClassAndObject(in);
      }
      try {
        return constructor.newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot rebuild " + type.getName(), e);
      }
    }
  }
}
