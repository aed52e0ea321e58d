package dev.bpnet.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag$;

/**
 * Whether Kryo would ship a step's arrays in fewer bytes or less time than Java serialisation:
 * what {@code spark.serializer} changes is how broadcast values (the parameters) and task results
 * (the shards' sums) are written; tasks themselves are always written by Java serialisation.
 * Serialises the MNIST MLP's parameters (784-512-10 and biases, 407,050 float32 values) as a
 * step ships them, both ways, and reads them back. Not a test: run by hand (README, Training on
 * Spark).
 *
 * <pre>java -cp ... dev.bpnet.spark.KryoProbe [REPEATS]</pre>
 */
public final class KryoProbe {
  private KryoProbe() {}

  /** Kryo cannot set a record's final fields by reflection: a serializer of the tensor's own. */
  public static final class TensorSerializer extends Serializer<Tensor> {
    @Override
    public void write(Kryo k, Output out, Tensor t) {
      out.writeInt(t.shape().length);
      out.writeLongs(t.shape());
      out.writeBoolean(t.values() != null);
      if (t.values() != null) {
        out.writeInt(t.values().length);
        out.writeDoubles(t.values());
      } else {
        out.writeInt(t.floats().length);
        out.writeFloats(t.floats());
      }
    }

    @Override
    public Tensor read(Kryo k, Input in, Class<Tensor> type) {
      long[] shape = in.readLongs(in.readInt());
      boolean doubles = in.readBoolean();
      int n = in.readInt();
      return doubles ? new Tensor(shape, in.readDoubles(n), null) : new Tensor(shape, null, in.readFloats(n));
    }
  }

  /** Registers the tensor with its serializer. */
  public static final class Registrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo k) {
      k.register(Tensor.class, new TensorSerializer());
      k.register(LinkedHashMap.class);
      k.register(long[].class);
      k.register(float[].class);
    }
  }

  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Random r = new Random(1);
    Map<String, Tensor> params = new LinkedHashMap<>();
    params.put("h.W", tensor(r, 784, 512));
    params.put("h.b", tensor(r, 512));
    params.put("logits.W", tensor(r, 512, 10));
    params.put("logits.b", tensor(r, 10));
    LinkedHashMap<String, Tensor> value = new LinkedHashMap<>(params);
    SparkConf conf = new SparkConf();
    measure("java", new JavaSerializer(conf).newInstance(), value, repeats);
    measure("kryo, Tensor registered with its serializer", new KryoSerializer(new SparkConf()
        .set("spark.kryo.registrator", Registrator.class.getName())).newInstance(), value, repeats);
    try {
      measure("kryo, nothing registered", new KryoSerializer(new SparkConf()).newInstance(), value, repeats);
    } catch (RuntimeException e) {
      System.out.println("kryo, nothing registered: fails: " + e);
    }
  }

  private static Tensor tensor(Random r, int... dims) {
    int n = 1;
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      n *= dims[i];
      shape[i] = dims[i];
    }
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return new Tensor(shape, null, f);
  }

  private static void measure(String what, SerializerInstance s, LinkedHashMap<String, Tensor> value, int repeats) {
    List<Long> write = new ArrayList<>();
    List<Long> read = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < repeats + 3; i++) {
      long t0 = System.nanoTime();
      ByteBuffer b = s.serialize(value, ClassTag$.MODULE$.apply(LinkedHashMap.class));
      long t1 = System.nanoTime();
      @SuppressWarnings("unchecked")
      Map<String, Tensor> back = (Map<String, Tensor>) s.deserialize(b, ClassTag$.MODULE$.apply(LinkedHashMap.class));
      long t2 = System.nanoTime();
      if (!java.util.Arrays.equals(back.get("h.W").floats(), value.get("h.W").floats())) {
        throw new IllegalStateException(what + ": read back differs");
      }
      bytes = b.remaining() == 0 ? b.limit() : b.remaining();
      if (i >= 3) {
        write.add(t1 - t0);
        read.add(t2 - t1);
      }
    }
    write.sort(null);
    read.sort(null);
    System.out.printf("%s: %,d bytes; write %.2f ms, read %.2f ms (medians of %d)%n", what, bytes,
        write.get(write.size() / 2) / 1e6, read.get(read.size() / 2) / 1e6, repeats);
  }
}
