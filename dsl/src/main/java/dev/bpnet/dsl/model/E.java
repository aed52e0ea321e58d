package dev.bpnet.dsl.model;

import dev.bpnet.dsl.syntax.Expr;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expression constructors for the builder API: {@code E.relu(E.dense(E.ref("x"), 512))}.
 * They build the same AST the .bpnet parser builds; {@link #call} reaches any function.
 */
public final class E {
  private E() {}

  public static Expr ref(String name) {
    return new Expr.Ref(name, CallerPos.here());
  }

  public static Expr num(double v) {
    return new Expr.Num(v, CallerPos.here());
  }

  public static Expr call(String fn, Expr... args) {
    return new Expr.Call(fn, Arrays.asList(args), Map.of(), CallerPos.here());
  }

  /** A call with named options, given as alternating name/value pairs. */
  public static Expr callWith(String fn, List<Expr> args, Object... namedPairs) {
    Map<String, Expr> named = new LinkedHashMap<>();
    for (int i = 0; i < namedPairs.length; i += 2) {
      Object v = namedPairs[i + 1];
      named.put((String) namedPairs[i], v instanceof Expr e ? e : new Expr.Num(((Number) v).doubleValue(), CallerPos.here()));
    }
    return new Expr.Call(fn, args, named, CallerPos.here());
  }

  public static Expr dense(Expr x, int units) {
    return call("dense", x, num(units));
  }

  public static Expr relu(Expr x) {
    return call("relu", x);
  }

  public static Expr sigmoid(Expr x) {
    return call("sigmoid", x);
  }

  public static Expr tanh(Expr x) {
    return call("tanh", x);
  }

  public static Expr leakyRelu(Expr x, double slope) {
    return call("leaky_relu", x, num(slope));
  }

  public static Expr bin(String op, Expr a, Expr b) {
    return new Expr.Binary(op, a, b, CallerPos.here());
  }
}
